// Admin paths are never served on a public port: the public router knows nothing of them.
#include <catch2/catch.hpp>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"

using namespace closewise::test;

TEST_CASE("admin paths answer 404 on the public port", "[routes][binary]") {
  ClosewiseProcess server(basicArgs());
  REQUIRE(server.publicPort() != 0);
  for (const char* path : {"/stats", "/metrics", "/connections", "/healthz", "/readyz"}) {
    INFO(path);
    auto response = get(server.publicPort(), path);
    REQUIRE(response);
    CHECK(response->status == 404);
  }
  auto drain = request(server.publicPort(), "POST", "/drain");
  REQUIRE(drain);
  CHECK(drain->status == 404);
  // And the same path on the admin port is served, so the 404s above are not a broken server.
  auto stats = get(server.adminPort(), "/stats");
  REQUIRE(stats);
  CHECK(stats->status == 200);
}
