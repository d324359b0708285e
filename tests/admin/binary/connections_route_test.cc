// GET /connections lists every open connection with the server's view and the kernel's, filters
// by ?state=, bounds by ?limit=, and answers 400 for values it cannot use.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"
#include "tests/support/loopback_sockets.h"

using namespace closewise::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string localAddress(int fd) {
  return "127.0.0.1:" + std::to_string(localPort(fd));
}

}  // namespace

TEST_CASE("/connections lists, filters and bounds the open connections", "[connections][binary]") {
  ClosewiseProcess server(basicArgs({"--idle-timeout", "60s"}));
  REQUIRE(server.publicPort() != 0);
  std::vector<closewise::kernel::UniqueFd> idle;
  idle.push_back(idleConnection(server.publicPort()));
  idle.push_back(idleConnection(server.publicPort()));
  auto busy = processingConnection(server.publicPort(), 20'000);
  REQUIRE(busy.valid());

  json all;
  REQUIRE(eventually(
      [&] {
        auto response = get(server.adminPort(), "/connections");
        if (!response || response->status != 200) return false;
        all = json::parse(response->body);
        return all.size() == 3 &&
               (all[0]["phase"] == "processing" || all[2]["phase"] == "processing" ||
                all[1]["phase"] == "processing");
      },
      10s));
  for (const auto& c : all) {
    CHECK(c["kernel"]["state"] == "ESTABLISHED");
    CHECK(c["worker"] == 0);
  }
  // Oldest first: the first idle connection was opened first.
  CHECK(all[0]["peer"] == localAddress(idle[0].get()));
  CHECK(all[0]["phase"] == "idle");
  CHECK(all[0]["requests"] == 1);
  CHECK(all[0]["bytes_out"].get<long>() > 0);

  auto filtered = get(server.adminPort(), "/connections?state=idle");
  REQUIRE(filtered);
  const json idleOnly = json::parse(filtered->body);
  REQUIRE(idleOnly.size() == 2);
  CHECK(idleOnly[1]["peer"] == localAddress(idle[1].get()));

  auto processing = get(server.adminPort(), "/connections?state=processing");
  REQUIRE(processing);
  const json busyOnly = json::parse(processing->body);
  REQUIRE(busyOnly.size() == 1);
  CHECK(busyOnly[0]["peer"] == localAddress(busy.get()));

  auto limited = get(server.adminPort(), "/connections?limit=1");
  REQUIRE(limited);
  CHECK(json::parse(limited->body).size() == 1);
  // X-Total-Count says how many matched, so a client can tell the list was cut.
  CHECK(limited->header("X-Total-Count") == "3");
  CHECK(filtered->header("X-Total-Count") == "2");
  auto none = get(server.adminPort(), "/connections?state=idle&limit=0");
  REQUIRE(none);
  CHECK(json::parse(none->body).empty());
  CHECK(none->header("X-Total-Count") == "2");

  for (const char* bad :
       {"/connections?limit=x", "/connections?limit=-1", "/connections?state=sleeping"}) {
    INFO(bad);
    auto response = get(server.adminPort(), bad);
    REQUIRE(response);
    CHECK(response->status == 400);
  }
}
