// With --admin-token, every admin route that shows data or acts needs "Authorization: Bearer
// TOKEN": 401 without it or with a wrong one, 200 with it. The probes (/healthz, /readyz) and the
// static dashboard page answer without it: they reveal nothing and change nothing, and a kubelet
// or balancer health check can only send a fixed header.
#include <catch2/catch.hpp>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"

using namespace closewise::test;

TEST_CASE("admin routes require the bearer token when one is configured", "[routes][binary]") {
  ClosewiseProcess server(basicArgs({"--admin-token", "s3cret-token"}));
  REQUIRE(server.adminPort() != 0);
  for (const char* path : {"/healthz", "/readyz"}) {
    INFO(path);
    auto open = get(server.adminPort(), path);
    REQUIRE(open);
    CHECK(open->status == 200);
  }
  for (const char* path : {"/stats", "/metrics", "/connections"}) {
    INFO(path);
    auto none = get(server.adminPort(), path);
    REQUIRE(none);
    CHECK(none->status == 401);
    CHECK(none->header("WWW-Authenticate") == "Bearer");
    auto wrong = get(server.adminPort(), path, "Authorization: Bearer s3cret-tokeN\r\n");
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
    auto prefix = get(server.adminPort(), path, "Authorization: Bearer s3cret\r\n");
    REQUIRE(prefix);
    CHECK(prefix->status == 401);
    auto basic = get(server.adminPort(), path, "Authorization: Basic s3cret-token\r\n");
    REQUIRE(basic);
    CHECK(basic->status == 401);
    auto right = get(server.adminPort(), path, "Authorization: Bearer s3cret-token\r\n");
    REQUIRE(right);
    CHECK(right->status == 200);
  }
  auto drain = request(server.adminPort(), "POST", "/drain");
  REQUIRE(drain);
  CHECK(drain->status == 401);
  auto ready = get(server.adminPort(), "/readyz", "Authorization: Bearer s3cret-token\r\n");
  REQUIRE(ready);
  CHECK(ready->status == 200);  // the refused POST /drain did not start a drain
}

TEST_CASE("with --admin-open-metrics /metrics answers without the token, nothing else does",
          "[routes][binary]") {
  ClosewiseProcess server(basicArgs({"--admin-token", "s3cret-token", "--admin-open-metrics"}));
  REQUIRE(server.adminPort() != 0);
  auto metrics = get(server.adminPort(), "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  CHECK(metrics->body.find("closewise_connections_accepted_total") != std::string::npos);
  for (const char* path : {"/stats", "/connections"}) {
    INFO(path);
    auto none = get(server.adminPort(), path);
    REQUIRE(none);
    CHECK(none->status == 401);
  }
  auto drain = request(server.adminPort(), "POST", "/drain");
  REQUIRE(drain);
  CHECK(drain->status == 401);
}
