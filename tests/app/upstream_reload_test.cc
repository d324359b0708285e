// The upstreams are built once at start-up, so a reload that changes one, its url or a value of
// its own table, reports the change as needing a restart, with both values, and applies nothing.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "app/command_line.h"
#include "app/settings_table.h"

namespace {

using namespace std::chrono_literals;
using closewise::app::Config;
using closewise::app::diffSettings;
using closewise::settings::Reload;

Config withApi() {
  Config config;
  REQUIRE_FALSE(closewise::upstream::addUpstream(config.upstream, "api"));
  const auto& url = closewise::upstream::upstreamKeys()[0];
  REQUIRE(url.name == "url");
  REQUIRE_FALSE(url.apply(config.upstream.upstreams.back(), "http://127.0.0.1:9000"));
  return config;
}

}  // namespace

TEST_CASE("a changed upstream value of its own needs a restart", "[config][upstream][reload]") {
  const Config before = withApi();
  Config after = withApi();
  after.upstream.upstreams[0].overrides.connect = 1s;
  const auto changes = diffSettings(before, after);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].name == "upstream");
  CHECK(changes[0].before == "api=http://127.0.0.1:9000");
  CHECK(changes[0].after == "api=http://127.0.0.1:9000 (connect-timeout 1s)");
  CHECK(changes[0].reload == Reload::Restart);
}

TEST_CASE("a changed upstream default needs a restart", "[config][upstream][reload]") {
  Config after;
  after.upstream.defaults.timeouts.idle = 2s;
  const auto changes = diffSettings(Config{}, after);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].name == "upstream-idle-timeout");
  CHECK(changes[0].before == "4s");
  CHECK(changes[0].after == "2s");
  CHECK(changes[0].reload == Reload::Restart);
}
