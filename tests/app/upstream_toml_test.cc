// [upstreams.NAME] tables: each is one upstream with its url and any setting of its own, which
// wins over the --upstream-* default whichever source gave which; a list of upstreams given by the
// command line replaces the file's, as every list does.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "tests/app/command_line.h"
#include "tests/app/toml_file.h"
#include "upstream/pool.h"

namespace {

using namespace std::chrono_literals;
using closewise::app::Config;
using closewise::test::TomlFile;
using closewise::upstream::PoolSettings;
using closewise::upstream::UpstreamSpec;

Config serveConfig(std::vector<std::string> args) {
  const closewise::test::CommandLineRun run = closewise::test::runCommandLine(std::move(args));
  INFO("stderr: " << run.err);
  REQUIRE_FALSE(run.outcome.exitCode);
  return run.outcome.parsed.config;
}

const UpstreamSpec& named(const Config& config, std::string_view name) {
  for (const UpstreamSpec& upstream : config.upstream.upstreams) {
    if (upstream.name == name) return upstream;
  }
  FAIL("no upstream named " << name);
  throw;  // FAIL throws; this tells the compiler so
}

constexpr std::string_view kTwoUpstreams = R"(
upstream-max-connections = 10
upstream-connect-timeout = "3s"

[upstreams.api]
url = "http://127.0.0.1:9000"
max-connections = 4
connect-timeout = "1s"
response-timeout = "20s"
idle-timeout = "2s"
queue-timeout = "500ms"

[upstreams.web]
url = "http://backend.internal:8080"
)";

}  // namespace

TEST_CASE("a table's keys reach its upstream, and the others take the defaults",
          "[config][upstream][toml]") {
  const TomlFile file(kTwoUpstreams);
  const Config c = serveConfig({"--config", file.path()});
  REQUIRE(c.upstream.upstreams.size() == 2);
  const UpstreamSpec& api = named(c, "api");
  CHECK(api.url == "http://127.0.0.1:9000");
  CHECK(api.origin.port == 9000);
  CHECK(api.pool.maxConnections == 4);
  CHECK(api.pool.timeouts.connect == 1s);
  CHECK(api.pool.timeouts.response == 20s);
  CHECK(api.pool.timeouts.idle == 2s);
  CHECK(api.pool.queueTimeout == 500ms);
  const UpstreamSpec& web = named(c, "web");
  CHECK(web.origin.host == "backend.internal");
  CHECK(web.pool.maxConnections == 10);
  CHECK(web.pool.timeouts.connect == 3s);
  CHECK(web.pool.timeouts.response == PoolSettings{}.timeouts.response);
  CHECK(web.pool.timeouts.idle == PoolSettings{}.timeouts.idle);
  CHECK(web.pool.queueTimeout == PoolSettings{}.queueTimeout);
}

TEST_CASE("an upstream's own value beats a default given by a higher source",
          "[config][upstream][toml]") {
  const TomlFile file(kTwoUpstreams);
  const Config c =
      serveConfig({"--config", file.path(), "--upstream-max-connections", "50",
                   "--upstream-connect-timeout", "5s", "--upstream-response-timeout", "30s",
                   "--upstream-idle-timeout", "1s", "--upstream-queue-timeout", "9s"});
  const UpstreamSpec& api = named(c, "api");
  CHECK(api.pool.maxConnections == 4);
  CHECK(api.pool.timeouts.connect == 1s);
  CHECK(api.pool.timeouts.response == 20s);
  CHECK(api.pool.timeouts.idle == 2s);
  CHECK(api.pool.queueTimeout == 500ms);
  // The command line's defaults win over the file's for the upstream without its own values.
  const UpstreamSpec& web = named(c, "web");
  CHECK(web.pool.maxConnections == 50);
  CHECK(web.pool.timeouts.connect == 5s);
  CHECK(web.pool.timeouts.response == 30s);
  CHECK(web.pool.timeouts.idle == 1s);
  CHECK(web.pool.queueTimeout == 9s);
}

TEST_CASE("an --upstream on the command line replaces the file's upstreams",
          "[config][upstream][toml]") {
  const TomlFile file(kTwoUpstreams);
  const Config c = serveConfig({"--config", file.path(), "--upstream", "api=http://10.0.0.1:7000"});
  REQUIRE(c.upstream.upstreams.size() == 1);
  const UpstreamSpec& api = c.upstream.upstreams[0];
  CHECK(api.origin.host == "10.0.0.1");
  // The file's table for "api" went with the file's list: the defaults apply.
  CHECK(api.pool.maxConnections == 10);
  CHECK(api.pool.timeouts.connect == 3s);
}

TEST_CASE("the file may also list upstreams as the flag's key, beside the tables",
          "[config][upstream][toml]") {
  const TomlFile file(R"(
upstream = ["auth=http://127.0.0.1:9100"]
[upstreams.api]
url = "http://127.0.0.1:9000"
)");
  const Config c = serveConfig({"--config", file.path()});
  REQUIRE(c.upstream.upstreams.size() == 2);
  CHECK(named(c, "auth").origin.port == 9100);
  CHECK(named(c, "api").origin.port == 9000);
}
