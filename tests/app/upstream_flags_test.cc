// The upstream flags: --upstream NAME=URL names an origin, the --upstream-* flags set what every
// upstream takes, and without them each default is PoolSettings{}'s, the one place it is chosen.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "tests/app/command_line.h"
#include "upstream/pool.h"

namespace {

using namespace std::chrono_literals;
using closewise::app::Config;
using closewise::upstream::PoolSettings;

Config serveConfig(std::vector<std::string> args) {
  const closewise::test::CommandLineRun run = closewise::test::runCommandLine(std::move(args));
  INFO("stderr: " << run.err);
  REQUIRE_FALSE(run.outcome.exitCode);
  return run.outcome.parsed.config;
}

void checkSamePool(const PoolSettings& got, const PoolSettings& want) {
  CHECK(got.maxConnections == want.maxConnections);
  CHECK(got.timeouts.connect == want.timeouts.connect);
  CHECK(got.timeouts.response == want.timeouts.response);
  CHECK(got.timeouts.stall == want.timeouts.stall);
  CHECK(got.timeouts.idle == want.timeouts.idle);
  CHECK(got.queueTimeout == want.queueTimeout);
  CHECK(got.resolveMaxAge == want.resolveMaxAge);
  CHECK(got.responseLimits.maxHeaderBytes == want.responseLimits.maxHeaderBytes);
}

}  // namespace

TEST_CASE("no upstream unless one is named, and the defaults are PoolSettings{}'s",
          "[config][upstream]") {
  const Config c = serveConfig({});
  CHECK(c.upstream.upstreams.empty());
  checkSamePool(c.upstream.defaults, PoolSettings{});
}

TEST_CASE("each --upstream names an origin, which takes the defaults", "[config][upstream]") {
  const Config c = serveConfig({"--upstream", "api=http://127.0.0.1:9000", "--upstream",
                                "web_2=http://backend.internal/", "--upstream", "v6=http://[::1]"});
  REQUIRE(c.upstream.upstreams.size() == 3);
  const auto& api = c.upstream.upstreams[0];
  CHECK(api.name == "api");
  CHECK(api.url == "http://127.0.0.1:9000");
  CHECK(api.origin.host == "127.0.0.1");
  CHECK(api.origin.port == 9000);
  CHECK(api.origin.ipLiteral);
  checkSamePool(api.pool, PoolSettings{});
  const auto& web = c.upstream.upstreams[1];
  CHECK(web.name == "web_2");
  CHECK(web.origin.host == "backend.internal");
  CHECK(web.origin.port == 80);
  CHECK_FALSE(web.origin.ipLiteral);
  CHECK(c.upstream.upstreams[2].origin.authority == "[::1]");
}

TEST_CASE("every --upstream-* flag reaches the defaults and each upstream's pool",
          "[config][upstream]") {
  const Config c =
      serveConfig({"--upstream", "api=http://127.0.0.1:9000", "--upstream-max-connections", "7",
                   "--upstream-connect-timeout", "1500ms", "--upstream-response-timeout", "9s",
                   "--upstream-idle-timeout", "3s", "--upstream-queue-timeout", "2s"});
  for (const PoolSettings& pool : {c.upstream.defaults, c.upstream.upstreams.at(0).pool}) {
    CHECK(pool.maxConnections == 7);
    CHECK(pool.timeouts.connect == 1500ms);
    CHECK(pool.timeouts.response == 9s);
    CHECK(pool.timeouts.idle == 3s);
    CHECK(pool.queueTimeout == 2s);
    // No flag: stall and resolve age keep PoolSettings{}'s.
    CHECK(pool.timeouts.stall == PoolSettings{}.timeouts.stall);
    CHECK(pool.resolveMaxAge == PoolSettings{}.resolveMaxAge);
  }
}

TEST_CASE("help lists the upstream flags with their defaults and the table form",
          "[config][upstream]") {
  const closewise::test::CommandLineRun run = closewise::test::runCommandLine({"--help"});
  CHECK(run.outcome.exitCode == 0);
  const std::vector<std::string> lines{
      "--upstream NAME=URL  (default none)",
      "--upstream-max-connections N  (default 32)",
      "--upstream-connect-timeout DURATION  (default 2s)",
      "--upstream-response-timeout DURATION  (default 1m)",
      "--upstream-idle-timeout DURATION  (default 4s)",
      "--upstream-queue-timeout DURATION  (default 5s)",
      "A table [upstreams.NAME] in the file is one --upstream",
  };
  for (const std::string& line : lines) {
    INFO(line);
    CHECK(run.out.find(line) != std::string::npos);
  }
  CHECK(run.out.find("Upstreams:") != std::string::npos);
}
