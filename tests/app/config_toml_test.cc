// A --config file sets the same settings as the long flags, under the same names; the command
// line wins over it, setting by setting.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "app/settings_table.h"
#include "tests/app/command_line.h"
#include "tests/app/toml_file.h"

namespace {

using namespace std::chrono_literals;
using closewise::app::Config;
using closewise::server::ListenAddress;

using closewise::test::TomlFile;

Config serveConfig(std::vector<std::string> args) {
  const closewise::test::CommandLineRun run = closewise::test::runCommandLine(std::move(args));
  INFO("stderr: " << run.err);
  REQUIRE_FALSE(run.outcome.exitCode);
  return run.outcome.parsed.config;
}

}  // namespace

TEST_CASE("every key of the file reaches its setting", "[config][toml]") {
  const TomlFile file(R"(
listen = ["127.0.0.1:0", "[::1]:8081"]
inherit-fds = [3, 4]
workers = 4
max-connections = 1000
tcp-keepalive = "1m"
demo-routes = false
admin = "[::1]:9000"
admin-token = "secret"
max-header-bytes = 8192
max-body-bytes = "2MiB"
max-requests-per-connection = 100
max-connection-age = "10m"
header-timeout = "1s"
body-timeout = "2s"
handler-timeout = "3s"
write-timeout = "4s"
min-receive-rate = 250
min-send-rate = "1KiB"
idle-timeout = "5s"
linger-timeout = "1500ms"
close-wait-alert = "7s"
drain-delay = "8s"
drain-timeout = "9s"
log-level = "debug"
access-log = true
)");
  const Config c = serveConfig({"--config", file.path()});
  CHECK(c.server.configFile == file.path());
  CHECK(c.server.listen == std::vector<ListenAddress>{{"127.0.0.1", 0}, {"::1", 8081}});
  CHECK(c.server.inheritFds == std::vector<int>{3, 4});
  CHECK(c.server.workers == 4);
  CHECK(c.server.maxConnections == 1000);
  CHECK(c.server.tcpKeepalive == 60s);
  CHECK_FALSE(c.server.demoRoutes);
  CHECK(c.admin.listen == ListenAddress{"::1", 9000});
  CHECK(c.admin.token == "secret");
  CHECK(c.server.maxHeaderBytes == 8192);
  CHECK(c.server.maxBodyBytes == 2 * 1024 * 1024);
  CHECK(c.server.timeouts.maxRequestsPerConnection == 100);
  CHECK(c.server.timeouts.maxConnectionAge == 10min);
  CHECK(c.server.timeouts.header == 1s);
  CHECK(c.server.timeouts.body == 2s);
  CHECK(c.server.timeouts.handler == 3s);
  CHECK(c.server.timeouts.write == 4s);
  CHECK(c.server.timeouts.minReceiveRate == 250);
  CHECK(c.server.timeouts.minSendRate == 1024);
  CHECK(c.server.timeouts.idle == 5s);
  CHECK(c.server.timeouts.linger == 1500ms);
  CHECK(c.server.timeouts.lingerRead == 1500ms);
  CHECK(c.admin.closeWaitAlert == 7s);
  CHECK(c.server.drainDelay == 8s);
  CHECK(c.server.drainTimeout == 9s);
  CHECK(c.server.logLevel == "debug");
  CHECK(c.server.accessLog);
}

TEST_CASE("the file accepts the other documented spellings of a value", "[config][toml]") {
  const TomlFile file(R"(
listen = "[::1]:0"
inherit-fds = 3
workers = "auto"
admin = "off"
max-connection-age = "off"
drain-delay = 0
max-header-bytes = "16KiB"
)");
  const Config c = serveConfig({"--config", file.path()});
  CHECK(c.server.listen == std::vector<ListenAddress>{{"::1", 0}});
  CHECK(c.server.inheritFds == std::vector<int>{3});
  CHECK(c.server.workers >= 1);
  CHECK_FALSE(c.admin.listen);
  CHECK(c.server.timeouts.maxConnectionAge == 0ms);
  CHECK(c.server.drainDelay == 0ms);
  CHECK(c.server.maxHeaderBytes == 16 * 1024);
}

TEST_CASE("a flag on the command line wins over the same key in the file", "[config][toml]") {
  const TomlFile file(R"(
workers = 4
idle-timeout = "5s"
log-level = "debug"
access-log = true
admin = "off"
)");
  const Config c = serveConfig(
      {"--config", file.path(), "--workers", "2", "--access-log=false", "--admin", "127.0.0.1:0"});
  CHECK(c.server.workers == 2);
  CHECK_FALSE(c.server.accessLog);
  CHECK(c.admin.listen == ListenAddress{"127.0.0.1", 0});
  // Keys the command line does not mention keep the file's values.
  CHECK(c.server.timeouts.idle == 5s);
  CHECK(c.server.logLevel == "debug");
}

TEST_CASE("a list on the command line replaces the file's list instead of adding to it",
          "[config][toml]") {
  const TomlFile file(R"(
listen = ["127.0.0.1:8080", "[::1]:8080"]
inherit-fds = [3]
)");
  const Config from_file = serveConfig({"--config", file.path()});
  CHECK(from_file.server.listen.size() == 2);

  const Config overridden =
      serveConfig({"--config", file.path(), "--listen", "127.0.0.1:0", "--inherit-fds", "5"});
  CHECK(overridden.server.listen == std::vector<ListenAddress>{{"127.0.0.1", 0}});
  CHECK(overridden.server.inheritFds == std::vector<int>{5});
}

TEST_CASE("the word serve and the file combine", "[config][toml]") {
  const TomlFile file("idle-timeout = \"90s\"\n");
  CHECK(serveConfig({"serve", "--config", file.path()}).server.timeouts.idle == 90s);
}

TEST_CASE("an empty file leaves every default in place", "[config][toml]") {
  const TomlFile file("# nothing set\n");
  const Config c = serveConfig({"--config", file.path()});
  CHECK(c.server.listen == Config{}.server.listen);
  CHECK(c.server.timeouts.idle == 75s);
  CHECK(c.server.workers == 1);
}
