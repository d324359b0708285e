// DNS rebinding against the real admin listener: a request whose Host is a name an attacker could
// point at 127.0.0.1 is answered 421 on every route, /connections included, and nothing leaks;
// the Hosts operators and their tools send (an IP literal, localhost, a name listed with
// --admin-allowed-host) are served, and the dashboard page loads under each of them.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"

using namespace closewise::test;

TEST_CASE("a rebinding Host is refused 421 on every admin route", "[policy][binary]") {
  ClosewiseProcess server(basicArgs());
  REQUIRE(server.adminPort() != 0);
  const std::string rebound = "evil.example:" + std::to_string(server.adminPort());
  for (const char* path : {"/connections", "/stats", "/metrics", "/healthz", "/readyz", "/"}) {
    INFO(path);
    auto refused = get(server.adminPort(), path, {}, rebound);
    REQUIRE(refused);
    CHECK(refused->status == 421);
    CHECK(refused->header("Content-Type") == "text/plain");
    CHECK(refused->body.find("--admin-allowed-host") != std::string::npos);
    CHECK(refused->body.find('[') == std::string::npos);  // no JSON, no connection list
  }
  auto drain = request(server.adminPort(), "POST", "/drain", {}, rebound);
  REQUIRE(drain);
  CHECK(drain->status == 421);
  // Refusing is all it did: the server still serves, and is not draining.
  auto ready = get(server.adminPort(), "/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 200);
}

TEST_CASE("IP literals and localhost names are served, and the dashboard loads under them",
          "[policy][binary]") {
  ClosewiseProcess server(basicArgs());
  REQUIRE(server.adminPort() != 0);
  const std::string port = std::to_string(server.adminPort());
  const std::vector<std::string> hosts = {
      "127.0.0.1:" + port, "localhost:" + port,           "[::1]:" + port,
      "10.0.0.7:" + port,  "dashboard.localhost:" + port, "127.0.0.1"};
  for (const std::string& host : hosts) {
    INFO("Host: " << host);
    auto connections = get(server.adminPort(), "/connections", {}, host);
    REQUIRE(connections);
    CHECK(connections->status == 200);
    auto page = get(server.adminPort(), "/", {}, host);
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->body.starts_with("<!doctype html>"));
  }
}

TEST_CASE("a name given with --admin-allowed-host can be scraped through", "[policy][binary]") {
  ClosewiseProcess server(basicArgs({"--admin-allowed-host", "Metrics.Example.Internal"}));
  REQUIRE(server.adminPort() != 0);
  const std::string port = std::to_string(server.adminPort());
  auto listed = get(server.adminPort(), "/metrics", {}, "metrics.example.internal:" + port);
  REQUIRE(listed);
  CHECK(listed->status == 200);
  auto other = get(server.adminPort(), "/metrics", {}, "other.example.internal:" + port);
  REQUIRE(other);
  CHECK(other->status == 421);
}
