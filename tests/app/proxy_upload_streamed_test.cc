// /proxy streams the request body: the upstream gets the first part of a large upload before the
// client has sent the rest, so the proxy never holds it whole; the body arrives complete under the
// client's Content-Length, and a chunked upload goes on chunked. --max-body-bytes bounds a
// streamed body as it bounds a buffered one.
#include <catch2/catch.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;

namespace {

constexpr std::size_t kBody = 8 * 1024 * 1024;
constexpr std::size_t kLimit = 16 * 1024 * 1024;

// The body bytes the upstream has received so far on its first connection (after the head).
std::size_t upstreamBodyBytes(ProxyHarness& h) {
  if (h.upstream.accepted() == 0) return 0;
  const std::string& wire = h.upstream.peer(0).received();
  const std::size_t head = wire.find("\r\n\r\n");
  return head == std::string::npos ? 0 : wire.size() - head - 4;
}

std::string uploadHead(std::size_t length) {
  return "POST /proxy/backend/store HTTP/1.1\r\nHost: test\r\nContent-Length: " +
         std::to_string(length) + "\r\n\r\n";
}

}  // namespace

TEST_CASE("a large upload reaches the upstream while the client is still sending it",
          "[app][proxy][upload]") {
  std::string stored;
  ProxyHarness h(
      [&](FakePeer& peer, const std::string& request) {
        stored = request;
        peer.send(okResponse("stored\n"));
      },
      {}, [](closewise::server::Config& config) { config.maxBodyBytes = kLimit; });
  RawClient& client = h.connect();
  client.send(uploadHead(kBody) + std::string(kBody / 2, 'a'));
  // Forwarded before the body ended: a proxy that buffered the body whole would send nothing.
  REQUIRE(h.runUntil([&] { return upstreamBodyBytes(h) >= kBody / 4; }, 20s));
  CHECK(h.upstream.requests() == 0);
  CHECK(client.responseCount() == 0);

  client.send(std::string(kBody / 2, 'b'));
  // The whole answer, not just its status line, before looking at it.
  REQUIRE(h.runUntil([&] { return client.received().ends_with("\r\n\r\nstored\n"); }, 30s));
  CHECK(client.received().starts_with("HTTP/1.1 200 "));
  REQUIRE(h.upstream.requests() == 1);
  CHECK(stored.find("Content-Length: " + std::to_string(kBody) + "\r\n") != std::string::npos);
  const std::string body = stored.substr(stored.find("\r\n\r\n") + 4);
  CHECK(body == std::string(kBody / 2, 'a') + std::string(kBody / 2, 'b'));
  CHECK(h.stop() == 0);
}

TEST_CASE("a chunked upload goes to the upstream chunked", "[app][proxy][upload]") {
  // Without a Content-Length the fake upstream takes the head for the whole request; it answers
  // once the last chunk is in.
  ProxyHarness h([](FakePeer&, const std::string&) {});
  RawClient& client = h.connect();
  client.send(
      "POST /proxy/backend/store HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n");
  REQUIRE(h.runUntil([&] {
    return h.upstream.accepted() == 1 &&
           h.upstream.peer(0).received().find("hello") != std::string::npos;
  }));
  client.send("6\r\n world\r\n0\r\n\r\n");
  REQUIRE(h.runUntil([&] { return h.upstream.peer(0).received().ends_with("0\r\n\r\n"); }));
  const std::string& wire = h.upstream.peer(0).received();
  CHECK(wire.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
  CHECK(wire.substr(wire.find("\r\n\r\n") + 4) == "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  h.upstream.peer(0).send(okResponse("both\n"));
  REQUIRE(h.runUntil([&] { return client.received().ends_with("\r\n\r\nboth\n"); }));
  CHECK(client.received().starts_with("HTTP/1.1 200 "));
  CHECK(h.stop() == 0);
}

TEST_CASE("an upload over --max-body-bytes is refused before it reaches the upstream",
          "[app][proxy][upload]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("no\n")); });
  RawClient& client = h.connect();
  client.send(uploadHead(2 * 1024 * 1024));  // the default limit is 1 MiB
  REQUIRE(h.runUntil([&] { return client.eof(); }));
  CHECK(client.received().starts_with("HTTP/1.1 413 "));
  CHECK(h.upstream.accepted() == 0);
  CHECK(h.stop() == 0);
}
