// items-service: a service built on the installed closewise package, as a fork builds one. It
// owns its main() and its routes; closewise brings the connections, deadlines, drain on SIGTERM,
// the admin listener and the command line (`items-service --help`).
//
//   POST /items          a JSON object -> 201, the object with its new "id"; not JSON -> 400
//   GET  /items          every item, as a JSON array
//   GET  /items/ID       one item; an unknown ID -> 404
//   GET  /backend-time   the Date the upstream named "backend" answers with
//                        (--upstream backend=http://host:port); none configured -> 503
//   POST /uploads        the body streamed to a new file in $ITEMS_UPLOAD_DIR (the system's
//                        temporary directory if unset) -> 201 {"bytes", "file"}
//   GET  /uploads/FILE/sha256
//                        the stored file hashed on the thread pool -> {"file", "bytes", "sha256"}
//
// Every answer of its handlers, errors included, is JSON, so a client parses one format (the
// router's own 404, 405 and 400 for a path no route takes are plain text).
// Every request is logged and timed by a middleware (requestLog), one line when it ends.

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/run.h"
#include "checksum.h"
#include "server/json.h"
#include "server/middleware.h"
#include "server/router.h"
#include "upload.h"
#include "upstream/client.h"
#include "upstream/pool.h"

namespace items {

using closewise::server::ExchangeSummary;
using closewise::server::Middleware;
using closewise::server::Next;
using closewise::server::parseJsonBody;
using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::Router;
using closewise::server::sendJson;
using closewise::server::sendJsonError;
using nlohmann::json;

// BEGIN items-service handlers (quoted in docs/handler-api.md, "Building a service on closewise")
// The items, in memory. Each worker (--workers) runs handlers on its own thread, so the store
// is shared between threads and takes a lock; a handler holds it only to copy in or out.
class Store {
 public:
  json add(json item) {
    std::lock_guard lock(mutex_);
    item["id"] = nextId_;
    items_.emplace(nextId_++, item);
    return item;
  }
  std::optional<json> find(std::uint64_t id) const {
    std::lock_guard lock(mutex_);
    const auto it = items_.find(id);
    if (it == items_.end()) return std::nullopt;
    return it->second;
  }
  json list() const {
    std::lock_guard lock(mutex_);
    json all = json::array();
    for (const auto& [id, item] : items_) all.push_back(item);
    return all;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, json> items_;  // ordered by id, so the list comes out in creation order
  std::uint64_t nextId_ = 1;
};

void createItem(Store& store, const Request& request, Responder responder) {
  // Not JSON (415), or not valid JSON (400, with the offset): answered already.
  std::optional<json> item = parseJsonBody(request, responder);
  if (!item) return;
  // JSON, but not an item (RFC 9110 section 15.5.21).
  if (!item->is_object()) {
    sendJsonError(responder, 422, "an item is a JSON object");
    return;
  }
  const json created = store.add(std::move(*item));
  // A 201 names the resource it created (RFC 9110 section 15.3.2).
  const std::string location = "/items/" + created["id"].dump();
  sendJson(responder, 201, created, {{"Location", location}});
}

// "/items/{id}": the router puts the segment in the request, percent-decoded.
void getItem(const Store& store, const Request& request, Responder responder) {
  const std::string_view id = request.pathValue("id");
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), number);
  const std::optional<json> item =
      error == std::errc() && end == id.data() + id.size() ? store.find(number) : std::nullopt;
  if (!item) {
    sendJsonError(responder, 404, "no item " + std::string(id));
    return;
  }
  sendJson(responder, 200, *item);
}
// END items-service handlers

// One call to the backend on behalf of one client. It owns the Responder and the upstream
// request's handle, and deletes itself after the last callback: the upstream's end or error, or
// the client leaving, whichever comes first (after cancel() the pool calls nothing more).
class BackendCall {
 public:
  static void start(Responder responder, closewise::upstream::Pool& pool) {
    auto* self = new BackendCall(std::move(responder));
    self->responder_.onCancel([self] { self->onClientGone(); });
    closewise::upstream::ResponseCallbacks callbacks;
    callbacks.onHead = [self](const closewise::protocol::Response& head) { self->onHead(head); };
    callbacks.onBody = [](std::string_view) {};  // only the head matters here
    callbacks.onEnd = [self] { self->answer(200, self->result_); };
    callbacks.onError = [self](const closewise::upstream::Error& error) {
      self->answer(closewise::upstream::proxyStatus(error.kind),
                   json{{"error", closewise::upstream::errorKindName(error.kind)}});
    };
    self->handle_ = pool.request({.method = "GET", .target = "/"}, std::move(callbacks));
  }

 private:
  explicit BackendCall(Responder responder) : responder_(std::move(responder)) {}

  void onHead(const closewise::protocol::Response& head) {
    const std::string* date = head.header("Date");
    result_ = {{"backend_status", head.status}, {"date", date ? *date : ""}};
  }

  void answer(int status, const json& body) {
    // Once answered, nothing may call back into this object: it is gone.
    responder_.onCancel(nullptr);
    sendJson(responder_, status, body);
    delete this;
  }

  // The client reset or a deadline passed: the upstream request is dropped with it.
  void onClientGone() {
    handle_.cancel();
    delete this;
  }

  Responder responder_;
  closewise::upstream::RequestHandle handle_;
  json result_;
};

void backendTime(const closewise::upstream::Registry& upstreams, Responder responder) {
  // Each worker loop has its own pools; the Responder's loop is the handler's.
  closewise::upstream::Pool* pool = upstreams.pool(responder.loop(), "backend");
  if (pool == nullptr) {
    sendJsonError(responder, 503, "no upstream named backend");
    return;
  }
  BackendCall::start(std::move(responder), *pool);
}

// BEGIN items-service middleware (quoted in docs/handler-api.md, "Building a service on closewise")
// Logs and times every request: one line when the exchange ends, however it ends (the router's
// 404s and 405s, and a client that left mid-upload, included), through closewise's own log, so
// the lines go where --log-format and --log-level send the server's.
Middleware requestLog() {
  return [](const Request& request, Responder responder, Next next) {
    // The request is not ours to keep past the exchange: copy what the line names.
    std::string what = request.method + " " + request.path;
    std::string id = responder.requestId();
    responder.onFinished([what = std::move(what), id = std::move(id)](const ExchangeSummary& done) {
      const double ms = std::chrono::duration<double, std::milli>(done.duration).count();
      spdlog::info("items: {} status={} bytes={} ms={:.3f} complete={} id={}", what, done.status,
                   done.bytes, ms, done.completed, id);
    });
    next(request, std::move(responder));
  };
}
// END items-service middleware

// BEGIN items-service routes (quoted in docs/handler-api.md, "Building a service on closewise")
// The service's routes, registered once before the server starts. The handlers run on the
// workers' loops for as long as the server runs, so what they capture lives in main().
void registerRoutes(Router& router, Store& store, const std::string& uploadDirectory,
                    const closewise::upstream::Registry& upstreams) {
  router.use(requestLog());
  router.on("POST", "/items", [&store](const Request& request, Responder responder) {
    createItem(store, request, std::move(responder));
  });
  router.on("GET", "/items", [&store](const Request&, Responder responder) {
    sendJson(responder, 200, store.list());
  });
  // A path parameter: one segment, so GET /items/7 reaches getItem and /items/7/x does not.
  router.on("GET", "/items/{id}", [&store](const Request& request, Responder responder) {
    getItem(store, request, std::move(responder));
  });
  router.on("GET", "/backend-time", [&upstreams](const Request&, Responder responder) {
    backendTime(upstreams, std::move(responder));
  });
  // streamBody: the handler runs as soon as the head is in and reads the body in pieces.
  router.on("POST", "/uploads",
            [&uploadDirectory](const Request&, Responder responder) {
              startUpload(uploadDirectory, std::move(responder));
            },
            {.streamBody = true});
  // Blocking work (a file read whole, a hash) goes to the thread pool, not the loop.
  router.on("GET", "/uploads/{file}/sha256",
            [&uploadDirectory](const Request& request, Responder responder) {
              startChecksum(uploadDirectory, request, std::move(responder));
            });
}

}  // namespace items

// Where uploads go: $ITEMS_UPLOAD_DIR, else the system's temporary directory. Checked before the
// server starts, so a wrong setting stops the service with its name rather than failing uploads.
std::optional<std::string> uploadDirectory() {
  const char* configured = std::getenv("ITEMS_UPLOAD_DIR");
  std::error_code error;
  const std::filesystem::path directory = configured != nullptr && *configured != '\0'
                                              ? std::filesystem::path(configured)
                                              : std::filesystem::temp_directory_path(error);
  if (error || !std::filesystem::is_directory(directory, error)) {
    std::cerr << "items-service: ITEMS_UPLOAD_DIR=" << directory.string()
              << " is not a directory\n";
    return std::nullopt;
  }
  return directory.string();
}

int main(int argc, char** argv) {
  const std::optional<std::string> uploads = uploadDirectory();
  if (!uploads) return 2;
  items::Store store;
  // closewise parses the command line, starts the workers and the admin listener, calls back
  // for the routes, and returns the exit code once the server has drained (SIGTERM).
  return closewise::app::run(
      argc, argv,
      [&store, &uploads](closewise::server::Router& router, const closewise::app::Config&,
                         const closewise::upstream::Registry& upstreams) {
        items::registerRoutes(router, store, *uploads, upstreams);
      });
}
// END items-service routes
