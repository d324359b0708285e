// /proxy to a name no upstream has answers 404 with a body naming it, and calls nobody.
#include <catch2/catch.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;

TEST_CASE("an unknown upstream name is a 404 that names it", "[app][proxy]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("no")); });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("nobody", "/x"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(client.received().rfind("HTTP/1.1 404 ", 0) == 0);
  CHECK(client.received().find("\r\n\r\nno upstream named nobody\n") != std::string::npos);
  CHECK(h.upstream.accepted() == 0);
  CHECK(h.stop() == 0);
}
