// /connections lists the pools' connections beside the clients': a connection the pool kept
// after a proxied request appears as outbound, named by its upstream, idle, with the request it
// carried, both its ends and the kernel's view of it; ?direction= picks one side.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;
using nlohmann::json;

TEST_CASE("/connections lists a pooled connection as outbound and idle", "[app][proxy][admin]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("hi\n")); });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/a"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 1; }));
  REQUIRE(
      h.runUntil([&] { return h.books().connections.in(closewise::lifecycle::Phase::Idle) == 1; }));

  const json outbound = json::parse(h.connections("direction=outbound"));
  REQUIRE(outbound.size() == 1);
  const json& c = outbound[0];
  CHECK(c["direction"] == "outbound");
  CHECK(c["upstream"] == "backend");
  CHECK(c["phase"] == "idle");
  CHECK(c["requests"] == 1);
  CHECK(c["peer"] == "127.0.0.1:" + std::to_string(h.upstream.port()));
  CHECK(c["local"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
  CHECK(c["local"] != c["peer"]);
  CHECK(c["kernel"]["state"] == "ESTABLISHED");

  const json inbound = json::parse(h.connections("direction=inbound"));
  REQUIRE(inbound.size() == 1);  // the raw client's kept-alive connection
  CHECK(inbound[0]["direction"] == "inbound");
  CHECK(inbound[0]["upstream"].is_null());

  const json both = json::parse(h.connections("state=idle"));
  CHECK(both.size() == 2);
  CHECK(json::parse(h.connections("direction=outbound&state=reading")).empty());
  CHECK(h.stop() == 0);
}
