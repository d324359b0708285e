// The real binary: /healthz answers 200; /readyz 200 while accepting and 503 from the moment
// POST /drain (202) starts the drain; the drain then ends the process with exit code 0 (which
// also proves the admin view's timer does not hold the main loop open).
#include <catch2/catch.hpp>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"

using namespace closewise::test;
using namespace std::chrono_literals;

TEST_CASE("healthz, readyz and POST /drain on the admin listener", "[routes][binary]") {
  ClosewiseProcess server(basicArgs({"--drain-delay", "1s", "--drain-timeout", "5s"}));
  REQUIRE(server.adminPort() != 0);

  auto health = get(server.adminPort(), "/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->body == "ok\n");

  auto ready = get(server.adminPort(), "/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 200);

  auto drain = request(server.adminPort(), "POST", "/drain");
  REQUIRE(drain);
  CHECK(drain->status == 202);

  // The drain has begun, so readiness fails at once; --drain-delay keeps the process (and the
  // admin listener) up for a second, the window a load balancer needs to see the 503.
  ready = get(server.adminPort(), "/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 503);
  CHECK(ready->body == "draining\n");

  const auto code = server.waitExit(20s);
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(server.log().find("main loop still had open handles") == std::string::npos);
}
