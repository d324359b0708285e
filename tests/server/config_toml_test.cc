// A --config file sets the same settings as the long flags, under the same names; the command
// line wins over it, setting by setting.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "server/config.h"
#include "tests/server/command_line.h"

namespace {

using namespace std::chrono_literals;
using closewise::server::Config;
using closewise::server::ListenAddress;

// A TOML file that exists for the life of one test.
class TomlFile {
 public:
  explicit TomlFile(std::string_view contents) {
    static int serial = 0;
    path_ =
        std::filesystem::temp_directory_path() /
        ("closewise_config_" + std::to_string(getpid()) + "_" + std::to_string(++serial) + ".toml");
    std::ofstream(path_) << contents;
  }
  ~TomlFile() { std::filesystem::remove(path_); }
  TomlFile(const TomlFile&) = delete;
  TomlFile& operator=(const TomlFile&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

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
  CHECK(c.configFile == file.path());
  CHECK(c.listen == std::vector<ListenAddress>{{"127.0.0.1", 0}, {"::1", 8081}});
  CHECK(c.inheritFds == std::vector<int>{3, 4});
  CHECK(c.workers == 4);
  CHECK(c.maxConnections == 1000);
  CHECK(c.tcpKeepalive == 60s);
  CHECK_FALSE(c.demoRoutes);
  CHECK(c.admin == ListenAddress{"::1", 9000});
  CHECK(c.adminToken == "secret");
  CHECK(c.maxHeaderBytes == 8192);
  CHECK(c.maxBodyBytes == 2 * 1024 * 1024);
  CHECK(c.timeouts.maxRequestsPerConnection == 100);
  CHECK(c.timeouts.maxConnectionAge == 10min);
  CHECK(c.timeouts.header == 1s);
  CHECK(c.timeouts.body == 2s);
  CHECK(c.timeouts.handler == 3s);
  CHECK(c.timeouts.write == 4s);
  CHECK(c.timeouts.minReceiveRate == 250);
  CHECK(c.timeouts.minSendRate == 1024);
  CHECK(c.timeouts.idle == 5s);
  CHECK(c.timeouts.linger == 1500ms);
  CHECK(c.timeouts.lingerRead == 1500ms);
  CHECK(c.closeWaitAlert == 7s);
  CHECK(c.drainDelay == 8s);
  CHECK(c.drainTimeout == 9s);
  CHECK(c.logLevel == "debug");
  CHECK(c.accessLog);
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
  CHECK(c.listen == std::vector<ListenAddress>{{"::1", 0}});
  CHECK(c.inheritFds == std::vector<int>{3});
  CHECK(c.workers >= 1);
  CHECK_FALSE(c.admin);
  CHECK(c.timeouts.maxConnectionAge == 0ms);
  CHECK(c.drainDelay == 0ms);
  CHECK(c.maxHeaderBytes == 16 * 1024);
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
  CHECK(c.workers == 2);
  CHECK_FALSE(c.accessLog);
  CHECK(c.admin == ListenAddress{"127.0.0.1", 0});
  // Keys the command line does not mention keep the file's values.
  CHECK(c.timeouts.idle == 5s);
  CHECK(c.logLevel == "debug");
}

TEST_CASE("a list on the command line replaces the file's list instead of adding to it",
          "[config][toml]") {
  const TomlFile file(R"(
listen = ["127.0.0.1:8080", "[::1]:8080"]
inherit-fds = [3]
)");
  const Config from_file = serveConfig({"--config", file.path()});
  CHECK(from_file.listen.size() == 2);

  const Config overridden =
      serveConfig({"--config", file.path(), "--listen", "127.0.0.1:0", "--inherit-fds", "5"});
  CHECK(overridden.listen == std::vector<ListenAddress>{{"127.0.0.1", 0}});
  CHECK(overridden.inheritFds == std::vector<int>{5});
}

TEST_CASE("the word serve and the file combine", "[config][toml]") {
  const TomlFile file("idle-timeout = \"90s\"\n");
  CHECK(serveConfig({"serve", "--config", file.path()}).timeouts.idle == 90s);
}

TEST_CASE("an empty file leaves every default in place", "[config][toml]") {
  const TomlFile file("# nothing set\n");
  const Config c = serveConfig({"--config", file.path()});
  CHECK(c.listen == Config{}.listen);
  CHECK(c.timeouts.idle == 75s);
  CHECK(c.workers == 1);
}
