#include "app/proxy_route.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "upstream/hop_by_hop.h"

namespace closewise::app {

namespace {

using server::Header;
using server::Request;
using server::Responder;

std::vector<Header> textPlain() {
  return {{"Content-Type", "text/plain; charset=utf-8"}};
}

// The client's address without its port, as X-Forwarded-For lists it ("::1", not "[::1]:5").
std::string clientHost(const Responder& responder) {
  std::string address = responder.peerAddress();
  address.erase(std::min(address.rfind(':'), address.size()));
  if (address.starts_with('[')) address = address.substr(1, address.size() - 2);
  return address;
}

// The request as the upstream gets it: the end-to-end fields only (RFC 9110 section 7.6.1);
// Host is left for the pool to set to the origin's authority, since the client named us and not
// the upstream (RFC 9110 section 7.2); Expect goes too, since this hop answers it (100 Continue
// when the route starts reading the body); a Via names this hop (RFC 9110 section 7.6.3: a gateway
// MUST send one in each request it forwards), and X-Forwarded-For gains our client, after any a
// proxy in front of us wrote, as HAProxy and nginx add theirs.
upstream::Request outbound(const Request& request, std::string_view target,
                           const std::string& client) {
  upstream::Request out;
  out.method = request.method;
  out.target = std::string(target);
  std::string forwardedFor;
  for (Header& field : upstream::endToEndHeaders(request.headers)) {
    if (protocol::equalsIgnoreCase(field.name, "Host") ||
        protocol::equalsIgnoreCase(field.name, "Expect")) {
      continue;
    }
    if (protocol::equalsIgnoreCase(field.name, "X-Forwarded-For")) {
      forwardedFor += (forwardedFor.empty() ? "" : ", ") + field.value;
      continue;
    }
    out.headers.push_back(std::move(field));
  }
  if (!client.empty()) forwardedFor += (forwardedFor.empty() ? "" : ", ") + client;
  if (!forwardedFor.empty()) out.headers.push_back({"X-Forwarded-For", forwardedFor});
  out.headers.push_back({"Via", "1.1 closewise"});
  // The body is streamed through as the client sends it, never held whole: with its length when
  // the client gave one, chunked otherwise.
  out.streamed = request.chunked || request.contentLength.value_or(0) > 0;
  if (out.streamed) out.streamedLength = request.contentLength;
  return out;
}

// "/proxy/NAME/REST?QUERY" -> NAME and "/REST?QUERY" (just "/" when there is no REST).
struct ProxyTarget {
  std::string_view name;
  std::string target;
};
std::optional<ProxyTarget> proxyTarget(const Request& request) {
  constexpr std::string_view kPrefix = "/proxy/";
  const std::string_view rest = std::string_view(request.path).substr(kPrefix.size());
  const std::size_t slash = rest.find('/');
  ProxyTarget parsed{
      rest.substr(0, slash),
      std::string(slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash))};
  if (parsed.name.empty()) return std::nullopt;
  if (!request.query.empty()) parsed.target += "?" + request.query;
  return parsed;
}

// BEGIN upstream example (quoted in docs/handler-api.md, "Calling an upstream")
// One proxied exchange: owns the Responder and the upstream request's handle. It is entered from
// both sides (the pool's callbacks; the Responder's onWritable and onCancel), and one entry may
// run inside another (a write that finds the client gone runs onCancel inside onBody; a resume
// may deliver the next piece inside onWritable). So an entry that ends the exchange only marks
// it over, and the outermost entry deletes it on its way out.
class ProxyExchange {
 public:
  static void start(Responder responder, upstream::Pool& pool, upstream::Request request) {
    auto* self = new ProxyExchange(std::move(responder), pool.name());
    self->responder_.onCancel([self] { self->onCancel(); });
    upstream::ResponseCallbacks callbacks;
    callbacks.onHead = [self](const protocol::Response& head) { self->onHead(head); };
    callbacks.onBody = [self](std::string_view piece) { self->onBody(piece); };
    callbacks.onEnd = [self] { self->onEnd(); };
    callbacks.onError = [self](const upstream::Error& error) { self->onError(error); };
    const bool streamed = request.streamed;
    // No callback runs inside request(), so the handle is in place before any of them.
    self->handle_ = pool.request(std::move(request), std::move(callbacks));
    if (streamed) self->forwardBody();
  }

 private:
  ProxyExchange(Responder responder, std::string upstream)
      : responder_(std::move(responder)), upstream_(std::move(upstream)) {}

  class Entry {
   public:
    explicit Entry(ProxyExchange& exchange) : exchange_(exchange) { ++exchange_.depth_; }
    ~Entry() {
      if (--exchange_.depth_ == 0 && exchange_.over_) delete &exchange_;
    }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;

   private:
    ProxyExchange& exchange_;
  };

  // The client's body goes to the upstream piece by piece, with back-pressure the other way: when
  // the upstream's queue is full, the client's body is paused until it drained.
  void forwardBody() {
    responder_.readBody({.onData = [this](std::string_view piece) { onClientBody(piece); },
                         .onEnd =
                             [this] {
                               Entry entry(*this);
                               handle_.end();
                             },
                         // The client's body failed (too large, too slow, the client left):
                         // onCancel follows and cancels the upstream request, so that the
                         // upstream never takes a partial body for a whole one.
                         .onError = [](int) {}});
  }

  void onClientBody(std::string_view piece) {
    Entry entry(*this);
    if (handle_.write(piece) || !handle_.active()) return;
    responder_.pauseBody();
    handle_.onWritable([this] {
      Entry entry(*this);
      responder_.resumeBody();
    });
  }

  void onHead(const protocol::Response& head) {
    Entry entry(*this);
    // The writer frames the answer afresh; a Content-Length is passed on so the client still
    // learns the length up front (and a HEAD or 304 answer keeps the one it describes).
    if (responder_.start(head.status, upstream::endToEndHeaders(head.headers),
                         head.contentLength)) {
      return;
    }
    // Either the client is gone, or the status is one a handler cannot answer with (a 101: this
    // server relays no other protocol), which is the upstream's fault: 502 (RFC 9110 15.6.3).
    responder_.send(502,
                    "upstream " + upstream_ + ": status " + std::to_string(head.status) +
                        " cannot be relayed\n",
                    textPlain());
    giveUp();
  }

  void onBody(std::string_view piece) {
    Entry entry(*this);
    if (!responder_.write(piece)) {
      giveUp();
      return;
    }
    if (responder_.wantsMore()) return;
    // The client reads slower than the upstream sends: stop reading the upstream's socket until
    // the client has taken most of what is queued, so a slow client costs the high-water mark.
    handle_.pause();
    responder_.onWritable([this] { onWritable(); });
  }

  void onWritable() {
    Entry entry(*this);
    handle_.resume();
  }

  void onEnd() {
    Entry entry(*this);
    over_ = true;
    responder_.end();
  }

  void onError(const upstream::Error& error) {
    Entry entry(*this);
    over_ = true;
    const std::string_view kind = upstream::errorKindName(error.kind);
    spdlog::info("/proxy to {}: {} ({})", upstream_, kind, error.detail);
    const std::string body = "upstream " + upstream_ + ": " + std::string(kind) + "\n";
    if (responder_.send(upstream::proxyStatus(error.kind), body, textPlain())) return;
    // The answer had begun: its body is cut short, and a client must not take it for whole. A
    // Responder let go mid-answer resets the connection (server/handler.h).
    Responder dropped = std::move(responder_);
  }

  // The client left (reset, a deadline, the server stopping).
  void onCancel() {
    Entry entry(*this);
    giveUp();
  }

  void giveUp() {
    over_ = true;
    // The upstream connection closes rather than return to the pool with half a response.
    handle_.cancel();
  }

  Responder responder_;
  upstream::RequestHandle handle_;
  std::string upstream_;
  int depth_ = 0;
  bool over_ = false;  // neither side will call again: delete when the outermost entry returns
};

}  // namespace

void registerProxyRoute(server::Router& router, const upstream::Registry& upstreams) {
  // streamBody: the handler runs at the head, and the body is forwarded as it arrives
  // (forwardBody), so an upload is never held whole; --max-body-bytes still bounds it.
  const server::RouteOptions streamed{.streamBody = true};
  router.on(
      "*", "/proxy/*",
      [&upstreams](const Request& request, Responder responder) {
        const auto target = proxyTarget(request);
        if (!target) {
          responder.send(404, "usage: /proxy/NAME/PATH\n", textPlain());
          return;
        }
        upstream::Pool* pool = upstreams.pool(responder.loop(), target->name);
        if (pool == nullptr) {
          responder.send(404, "no upstream named " + std::string(target->name) + "\n", textPlain());
          return;
        }
        const std::string client = clientHost(responder);
        ProxyExchange::start(std::move(responder), *pool,
                             outbound(request, target->target, client));
      },
      streamed);
}
// END upstream example

}  // namespace closewise::app
