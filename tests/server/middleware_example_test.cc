// The middleware example of docs/handler-api.md ("Middleware"), compiled and exercised.
// Everything between the BEGIN and END markers is quoted in the doc verbatim.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/support/fixture.h"

// BEGIN middleware example
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>

#include "lifecycle/phase.h"
#include "server/router.h"

namespace example {

using closewise::server::ExchangeSummary;
using closewise::server::Middleware;
using closewise::server::Next;
using closewise::server::Request;
using closewise::server::Responder;

// An access log as middleware: one line per exchange, written when it ends, with what the
// request asked and how the answer went. It sees every exchange the router gets, its 404s and
// 405s included, and the ones that end badly: a client that resets mid-answer is logged with
// complete=false and the status that had started (0 if none had).
Middleware accessLog(std::function<void(const std::string&)> write) {
  return [write = std::move(write)](const Request& request, Responder responder, Next next) {
    // The request is gone by the time the exchange has ended: copy what the line needs now.
    std::string line = request.method + " " + request.target + " id=" + responder.requestId() +
                       " peer=" + responder.peerAddress();
    responder.onFinished([write, line = std::move(line)](const ExchangeSummary& done) {
      const double ms = std::chrono::duration<double, std::milli>(done.duration).count();
      char figures[128];
      std::snprintf(figures, sizeof figures, " status=%d bytes=%llu ms=%.3f complete=%s",
                    done.status, static_cast<unsigned long long>(done.bytes), ms,
                    done.completed ? "true" : "false");
      std::string text = line + figures;
      if (done.closeReason != closewise::lifecycle::CloseReason::None) {
        text += " close=";
        text += closewise::lifecycle::closeReasonName(done.closeReason);
      }
      write(text);
    });
    next(request, std::move(responder));
  };
}

}  // namespace example

// In the service's route registration, before any route (it wraps them all):
//
//   router.use(example::accessLog([](const std::string& line) { spdlog::info("{}", line); }));
// END middleware example

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("the middleware example logs every exchange with its figures", "[middleware]") {
  std::vector<std::string> lines;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.use(example::accessLog([&](const std::string& line) { lines.push_back(line); }));
  });
  RawClient& client = fixture.connect();
  client.send(get("/", "X-Request-Id: req-1\r\n") + get("/missing", "Connection: close\r\n"));
  REQUIRE(fixture.runUntil([&] { return lines.size() == 2 && client.eof(); }));
  CHECK(lines[0].starts_with("GET / id=req-1 peer=127.0.0.1:"));
  const std::size_t firstAnswer = client.received().find("HTTP/1.1 404");
  REQUIRE(firstAnswer != std::string::npos);
  CHECK(lines[0].find(" status=200 bytes=" + std::to_string(firstAnswer) + " ms=") !=
        std::string::npos);
  CHECK(lines[0].ends_with(" complete=true"));
  CHECK(lines[1].starts_with("GET /missing id="));
  CHECK(lines[1].find(" status=404 bytes=" + std::to_string(client.receivedBytes() - firstAnswer) +
                      " ms=") != std::string::npos);
  CHECK(lines[1].ends_with(" complete=true close=client_requested"));
}
