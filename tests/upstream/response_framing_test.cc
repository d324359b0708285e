// Framing comes from protocol::ResponseParser: Content-Length, chunked and close-delimited
// bodies, 1xx skipped, no body for HEAD, 204 and 304. A connection goes back to the pool only
// when the response was read to its end, it allows reuse, and nothing extra arrived.
#include <catch2/catch.hpp>

#include "tests/upstream/pool_harness.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

namespace {

// Answers each request with the same bytes, and FINs after them when told to.
FakeUpstream::Script answer(std::string bytes, bool finAfter = false) {
  return [bytes, finAfter](FakePeer& peer, const std::string&) {
    peer.send(bytes);
    if (finAfter) peer.fin();
  };
}

}  // namespace

TEST_CASE("a Content-Length body, then the connection is reused", "[pool][framing]") {
  PoolHarness h(answer(okResponse("hello")));
  Outcome& a = h.send();
  REQUIRE(h.runUntilDone(a));
  Outcome& b = h.send();
  REQUIRE(h.runUntilDone(b));
  CHECK(a.body == "hello");
  CHECK(b.body == "hello");
  CHECK(h.upstream.accepted() == 1);
  CHECK(h.books().connections.reuses == 1);
  CHECK(h.books().connections.in(Phase::Idle) == 1);
}

TEST_CASE("a chunked body after a 100 Continue, then reuse", "[pool][framing]") {
  PoolHarness h(
      answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: "
             "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  Outcome& a = h.send();
  REQUIRE(h.runUntilDone(a));
  CHECK(a.status == 200);
  CHECK(a.body == "abcde");
  CHECK(h.books().connections.in(Phase::Idle) == 1);
}

TEST_CASE("a close-delimited body ends at the upstream's FIN, with no reuse", "[pool][framing]") {
  PoolHarness h(answer("HTTP/1.1 200 OK\r\n\r\nuntil the end", true));
  Outcome& a = h.send();
  REQUIRE(h.runUntilDone(a));
  CHECK(a.ended);
  CHECK(a.body == "until the end");
  REQUIRE(h.fx.runUntil([&] { return h.books().connections.open == 0; }, 1s));
  CHECK(h.closedBy(CloseReason::UpstreamRequested) == 1);
}

TEST_CASE("Connection: close and HTTP/1.0 mean no reuse", "[pool][framing]") {
  const std::string response =
      GENERATE(std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"),
               std::string("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  PoolHarness h(answer(response));
  Outcome& a = h.send();
  REQUIRE(h.runUntilDone(a));
  CHECK(a.body == "ok");
  REQUIRE(h.fx.runUntil([&] { return h.books().connections.open == 0; }, 1s));
  CHECK(h.closedBy(CloseReason::UpstreamRequested) == 1);
}

TEST_CASE("no body for HEAD, 204 and 304 whatever their Content-Length", "[pool][framing]") {
  SECTION("HEAD") {
    PoolHarness h(answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"));
    Outcome& a = h.send({"HEAD", "/", {}, {}});
    REQUIRE(h.runUntilDone(a));
    CHECK(a.ended);
    CHECK(a.body.empty());
    CHECK(h.books().connections.in(Phase::Idle) == 1);
  }
  SECTION("204 and 304") {
    const std::string status =
        GENERATE(std::string("204 No Content"), std::string("304 Not Modified"));
    PoolHarness h(answer("HTTP/1.1 " + status + "\r\nContent-Length: 10\r\n\r\n"));
    Outcome& a = h.send();
    REQUIRE(h.runUntilDone(a));
    CHECK(a.ended);
    CHECK(a.body.empty());
    CHECK(h.books().connections.in(Phase::Idle) == 1);
  }
}

TEST_CASE("bytes after the response mean no reuse", "[pool][framing]") {
  PoolHarness h(answer(okResponse("ok") + "HTTP/1.1 200 OK\r\n"));
  Outcome& a = h.send();
  REQUIRE(h.runUntilDone(a));
  CHECK(a.body == "ok");
  REQUIRE(h.fx.runUntil([&] { return h.books().connections.open == 0; }, 1s));
  CHECK(h.closedBy(CloseReason::NotReusable) == 1);
}

TEST_CASE("a malformed response is a protocol error, 502", "[pool][framing]") {
  PoolHarness h(answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok"));
  Outcome& a = h.send();
  REQUIRE(h.runUntilDone(a));
  REQUIRE(a.error);
  CHECK(a.error->kind == upstream::ErrorKind::ProtocolError);
  CHECK(upstream::proxyStatus(a.error->kind) == 502);
  CHECK(h.closedBy(CloseReason::ProtocolError) == 1);
}
