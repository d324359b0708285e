// diffSettings() names every setting whose value differs between two configurations, in the order
// of --help, with both values as --help prints them and whether a reload can apply the change.
// A secret is compared but never printed.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "app/settings_table.h"

namespace {

using namespace std::chrono_literals;
using closewise::app::Config;
using closewise::app::diffSettings;
using closewise::server::ListenAddress;
using closewise::settings::Reload;

}  // namespace

TEST_CASE("equal configurations have no differences", "[config][reload]") {
  CHECK(diffSettings(Config{}, Config{}).empty());
}

TEST_CASE("each changed setting is named once, with its values and its reload column",
          "[config][reload]") {
  const Config before;
  Config after;
  after.server.timeouts.idle = 5s;
  after.server.listen = {ListenAddress{"127.0.0.1", 9000}, ListenAddress{"::1", 9000}};
  after.server.accessLog = true;
  after.server.maxBodyBytes = 2 * 1024 * 1024;

  const auto changes = diffSettings(before, after);
  REQUIRE(changes.size() == 4);
  // --help order: Listening, Limits, Timeouts, Logging.
  CHECK(changes[0].name == "listen");
  CHECK(changes[0].before == "127.0.0.1:8080");
  CHECK(changes[0].after == "127.0.0.1:9000,[::1]:9000");
  CHECK(changes[0].reload == Reload::Restart);
  CHECK(changes[1].name == "max-body-bytes");
  CHECK(changes[1].before == "1MiB");
  CHECK(changes[1].after == "2MiB");
  CHECK(changes[1].reload == Reload::Live);
  CHECK(changes[2].name == "idle-timeout");
  CHECK(changes[2].before == "75s");
  CHECK(changes[2].after == "5s");
  CHECK(changes[2].reload == Reload::Live);
  CHECK(changes[3].name == "access-log");
  CHECK(changes[3].before == "off");
  CHECK(changes[3].after == "on");
  CHECK(changes[3].reload == Reload::Live);
}

TEST_CASE("what was built at start-up needs a restart", "[config][reload]") {
  Config after;
  after.server.workers = 4;
  after.admin.listen.reset();
  after.server.inheritFds = {3, 4};
  after.server.demoRoutes = false;
  after.server.tcpKeepalive = 60s;
  after.admin.closeWaitAlert = 9s;
  std::vector<std::string> names;
  for (const auto& change : diffSettings(Config{}, after)) {
    names.emplace_back(change.name);
    CHECK(change.reload == Reload::Restart);
  }
  CHECK(names == std::vector<std::string>{"inherit-fds", "workers", "tcp-keepalive", "demo-routes",
                                          "admin", "close-wait-alert"});
}

TEST_CASE("a changed admin token is reported without its value", "[config][reload]") {
  Config before;
  before.admin.token = "old-secret";
  Config after;
  after.admin.token = "new-secret";
  const auto changes = diffSettings(before, after);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].name == "admin-token");
  CHECK(changes[0].before == "(hidden)");
  CHECK(changes[0].after == "(hidden)");
  CHECK(changes[0].reload == Reload::Restart);

  const auto set = diffSettings(Config{}, after);
  REQUIRE(set.size() == 1);
  CHECK(set[0].before == "none");
  CHECK(set[0].after == "(hidden)");
}

TEST_CASE("a changed admin allowed host is reported and needs a restart", "[config][reload]") {
  Config after;
  after.admin.allowedHosts = {"ops.example", "metrics.example"};
  const auto changes = diffSettings(Config{}, after);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].name == "admin-allowed-host");
  CHECK(changes[0].before == "none");
  CHECK(changes[0].after == "ops.example,metrics.example");
  CHECK(changes[0].reload == Reload::Restart);
}
