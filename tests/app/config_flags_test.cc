// Every serve flag reaches its Config field, with or without the word `serve`; the defaults are
// the documented ones; `states` parses its own flags; --help and --version exit 0.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "app/command_line.h"
#include "app/settings_table.h"
#include "tests/app/command_line.h"

namespace {

using namespace std::chrono_literals;
using closewise::app::Command;
using closewise::app::Config;
using closewise::server::ListenAddress;

using Run = closewise::test::CommandLineRun;
constexpr auto parse = closewise::test::runCommandLine;

// Parses args that must be accepted, and returns the resulting serve Config.
Config serveConfig(const std::vector<std::string>& args) {
  const Run run = parse(args);
  INFO("stderr: " << run.err);
  REQUIRE_FALSE(run.outcome.exitCode);
  REQUIRE(run.outcome.parsed.command == Command::Serve);
  CHECK(run.err.empty());
  return run.outcome.parsed.config;
}

const std::vector<std::string> kEveryFlag{
    "--listen",
    "127.0.0.1:0",
    "--listen",
    "[::1]:8081",
    "--inherit-fds",
    "3,4",
    "--inherit-fds",
    "7",
    "--workers",
    "4",
    "--max-connections",
    "1000",
    "--tcp-keepalive",
    "60s",
    "--admin",
    "[::1]:9000",
    "--admin-token",
    "secret",
    "--max-header-bytes",
    "8KiB",
    "--max-body-bytes",
    "0",
    "--max-requests-per-connection",
    "100",
    "--max-connection-age",
    "10m",
    "--header-timeout",
    "1s",
    "--body-timeout",
    "2s",
    "--handler-timeout",
    "3s",
    "--write-timeout",
    "4s",
    "--min-receive-rate",
    "250",
    "--min-send-rate",
    "1KiB",
    "--idle-timeout",
    "5s",
    "--linger-timeout",
    "1500ms",
    "--close-wait-alert",
    "7s",
    "--drain-delay",
    "8s",
    "--drain-timeout",
    "9s",
    "--log-level",
    "debug",
    "--access-log",
};

void checkEveryFlag(const Config& c) {
  CHECK(c.server.listen == std::vector<ListenAddress>{{"127.0.0.1", 0}, {"::1", 8081}});
  CHECK(c.server.inheritFds == std::vector<int>{3, 4, 7});
  CHECK(c.server.workers == 4);
  CHECK(c.server.maxConnections == 1000);
  CHECK(c.server.tcpKeepalive == 60s);
  CHECK(c.admin.listen == ListenAddress{"::1", 9000});
  CHECK(c.admin.token == "secret");
  CHECK(c.server.maxHeaderBytes == 8 * 1024);
  CHECK(c.server.maxBodyBytes == 0);
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
  CHECK(c.server.configFile.empty());
}

}  // namespace

TEST_CASE("no flags gives the documented defaults", "[config][flags]") {
  const Config c = serveConfig({});
  CHECK(c.server.listen == std::vector<ListenAddress>{{"127.0.0.1", 8080}});
  CHECK(c.admin.listen == ListenAddress{"127.0.0.1", 9901});
  CHECK(c.admin.token.empty());
  CHECK(c.admin.tokenFile.empty());
  CHECK(c.server.workers == 1);
  CHECK(c.server.logLevel == "info");
  CHECK_FALSE(c.server.accessLog);
  CHECK(c.server.maxHeaderBytes == 16 * 1024);
  CHECK(c.server.maxBodyBytes == 1024 * 1024);
  CHECK(c.server.timeouts.header == 10s);
  CHECK(c.server.timeouts.body == 30s);
  CHECK(c.server.timeouts.handler == 60s);
  CHECK(c.server.timeouts.write == 30s);
  CHECK(c.server.timeouts.minReceiveRate == 500);
  CHECK(c.server.timeouts.minSendRate == 500);
  CHECK(c.server.timeouts.idle == 75s);
  CHECK(c.server.timeouts.linger == 5s);
  CHECK(c.server.timeouts.lingerRead == 2s);
  CHECK(c.server.timeouts.maxRequestsPerConnection == 0);
  CHECK(c.server.timeouts.maxConnectionAge == 0ms);
  CHECK(c.server.drainTimeout == 30s);
  CHECK(c.server.drainDelay == 0ms);
  CHECK(c.server.maxConnections == 0);
  CHECK(c.server.tcpKeepalive == 0ms);
  CHECK(c.admin.closeWaitAlert == 5s);
  CHECK(c.server.configFile.empty());
  CHECK(c.server.inheritFds.empty());
}

TEST_CASE("every serve flag is parsed without the word serve", "[config][flags]") {
  checkEveryFlag(serveConfig(kEveryFlag));
}

TEST_CASE("every serve flag is parsed after the word serve", "[config][flags]") {
  std::vector<std::string> args{"serve"};
  args.insert(args.end(), kEveryFlag.begin(), kEveryFlag.end());
  checkEveryFlag(serveConfig(args));
}

TEST_CASE("flags may also come before the word serve, and in --flag=value form",
          "[config][flags]") {
  const Config c = serveConfig({"--workers=3", "serve", "--idle-timeout=90s"});
  CHECK(c.server.workers == 3);
  CHECK(c.server.timeouts.idle == 90s);
}

TEST_CASE("the linger read limit is derived as the smaller of 2s and the linger timeout",
          "[config][flags]") {
  CHECK(serveConfig({"--linger-timeout", "500ms"}).server.timeouts.lingerRead == 500ms);
  CHECK(serveConfig({"--linger-timeout", "2s"}).server.timeouts.lingerRead == 2s);
  CHECK(serveConfig({"--linger-timeout", "30s"}).server.timeouts.lingerRead == 2s);
}

TEST_CASE("the words off and auto and the zero values are accepted where documented",
          "[config][flags]") {
  const unsigned cores = std::thread::hardware_concurrency();
  CHECK(serveConfig({"--workers", "auto"}).server.workers == std::clamp(cores, 1U, 256U));
  CHECK_FALSE(serveConfig({"--admin", "off"}).admin.listen);
  CHECK(serveConfig({"--max-connection-age", "off"}).server.timeouts.maxConnectionAge == 0ms);
  CHECK(serveConfig({"--max-connection-age", "0"}).server.timeouts.maxConnectionAge == 0ms);
  CHECK(serveConfig({"--tcp-keepalive", "off"}).server.tcpKeepalive == 0ms);
  CHECK(serveConfig({"--tcp-keepalive", "0"}).server.tcpKeepalive == 0ms);
  CHECK(serveConfig({"--min-send-rate", "0"}).server.timeouts.minSendRate == 0);
  CHECK(serveConfig({"--min-receive-rate", "0"}).server.timeouts.minReceiveRate == 0);
  CHECK(serveConfig({"--min-send-rate", "1GiB"}).server.timeouts.minSendRate == std::uint64_t{1} << 30);
  CHECK(serveConfig({"--workers", "256"}).server.workers == 256);
  CHECK(serveConfig({"--max-header-bytes", "1KiB"}).server.maxHeaderBytes == 1024);
  CHECK(serveConfig({"--max-header-bytes", "1MiB"}).server.maxHeaderBytes == 1024 * 1024);
  CHECK(serveConfig({"--max-body-bytes", "1GiB"}).server.maxBodyBytes == std::size_t{1} << 30);
  CHECK(serveConfig({"--max-requests-per-connection", "4294967295"})
            .server.timeouts.maxRequestsPerConnection == 4294967295U);
}

TEST_CASE("the demo routes are on unless --demo-routes=false", "[config][flags]") {
  CHECK(serveConfig({}).server.demoRoutes);
  CHECK(serveConfig({"--demo-routes"}).server.demoRoutes);
  CHECK_FALSE(serveConfig({"--demo-routes=false"}).server.demoRoutes);
  // The other spellings of a switch's value.
  CHECK(serveConfig({"--access-log=on"}).server.accessLog);
  CHECK(serveConfig({"--access-log=yes"}).server.accessLog);
  CHECK(serveConfig({"--access-log=1"}).server.accessLog);
  CHECK_FALSE(serveConfig({"--demo-routes=off"}).server.demoRoutes);
  CHECK_FALSE(serveConfig({"--demo-routes=no"}).server.demoRoutes);
  CHECK_FALSE(serveConfig({"--demo-routes=0"}).server.demoRoutes);
}

TEST_CASE("flag --access-log=false turns the access log off again", "[config][flags]") {
  CHECK(serveConfig({"--access-log"}).server.accessLog);
  CHECK_FALSE(serveConfig({"--access-log=false"}).server.accessLog);
}

TEST_CASE("flag --admin-token-file is read at parse time without its trailing newline",
          "[config][flags]") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("closewise_token_" + std::to_string(getpid()) + ".txt");
  std::ofstream(path) << "s3cret\n";
  const Config c = serveConfig({"--admin-token-file", path.string()});
  std::filesystem::remove(path);
  CHECK(c.admin.tokenFile == path.string());
  CHECK(c.admin.token == "s3cret");
}

TEST_CASE("states parses its ports, --json, --watch and --source", "[config][flags]") {
  const Run defaults = parse({"states", "--port", "8080"});
  REQUIRE_FALSE(defaults.outcome.exitCode);
  REQUIRE(defaults.outcome.parsed.command == Command::States);
  CHECK(defaults.outcome.parsed.states.ports == std::vector<std::uint16_t>{8080});
  CHECK_FALSE(defaults.outcome.parsed.states.json);
  CHECK(defaults.outcome.parsed.states.watch == 0ms);
  CHECK_FALSE(defaults.outcome.parsed.states.forceProcfs);

  const Run full = parse(
      {"states", "--port", "8080", "--port=9901", "--json", "--watch", "1s", "--source", "procfs"});
  REQUIRE_FALSE(full.outcome.exitCode);
  REQUIRE(full.outcome.parsed.command == Command::States);
  CHECK(full.outcome.parsed.states.ports == std::vector<std::uint16_t>{8080, 9901});
  CHECK(full.outcome.parsed.states.json);
  CHECK(full.outcome.parsed.states.watch == 1s);
  CHECK(full.outcome.parsed.states.forceProcfs);

  const Run sock_diag = parse({"states", "--port", "1", "--source", "sock_diag"});
  REQUIRE_FALSE(sock_diag.outcome.exitCode);
  CHECK_FALSE(sock_diag.outcome.parsed.states.forceProcfs);
}

TEST_CASE("flag --help lists every flag with its default and exits 0", "[config][flags]") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--help"}, {"-h"}, {"serve", "--help"}}) {
    const Run run = parse(args);
    REQUIRE(run.outcome.exitCode == 0);
    CHECK(run.err.empty());
    for (const char* line : {"--listen ADDRESS  (default 127.0.0.1:8080)",
                             "--inherit-fds FD[,FD...]  (default none)",
                             "--workers N|auto  (default 1)",
                             "--max-connections N  (default 0, reloadable)",
                             "--tcp-keepalive DURATION|off  (default off)",
                             "--config FILE  (default none)",
                             "--admin ADDRESS|off  (default 127.0.0.1:9901)",
                             "--admin-token TOKEN  (default none)",
                             "--admin-token-file FILE  (default none)",
                             "--max-header-bytes SIZE  (default 16KiB, reloadable)",
                             "--max-body-bytes SIZE  (default 1MiB, reloadable)",
                             "--max-requests-per-connection N  (default 0, reloadable)",
                             "--max-connection-age DURATION|off  (default off, reloadable)",
                             "--header-timeout DURATION  (default 10s, reloadable)",
                             "--body-timeout DURATION  (default 30s, reloadable)",
                             "--handler-timeout DURATION  (default 1m, reloadable)",
                             "--write-timeout DURATION  (default 30s, reloadable)",
                             "--min-receive-rate BYTES  (default 500, reloadable)",
                             "--min-send-rate BYTES  (default 500, reloadable)",
                             "--idle-timeout DURATION  (default 75s, reloadable)",
                             "--linger-timeout DURATION  (default 5s, reloadable)",
                             "--close-wait-alert DURATION  (default 5s)",
                             "--drain-delay DURATION  (default 0, reloadable)",
                             "--drain-timeout DURATION  (default 30s, reloadable)",
                             "--log-level LEVEL  (default info, reloadable)",
                             "--access-log  (default off, reloadable)",
                             "--demo-routes  (default on)",
                             "--version",
                             "states"}) {
      INFO("help:\n" << run.out);
      CHECK(run.out.find(line) != std::string::npos);
    }
  }
}

TEST_CASE("states --help describes the states flags", "[config][flags]") {
  const Run run = parse({"states", "--help"});
  REQUIRE(run.outcome.exitCode == 0);
  CHECK(run.out.find("--port PORT  (required, repeatable)") != std::string::npos);
  CHECK(run.out.find("--source sock_diag|procfs  (default sock_diag)") != std::string::npos);
  CHECK(run.out.find("--idle-timeout") == std::string::npos);
}

TEST_CASE("flag --version prints the name and version and exits 0", "[config][flags]") {
  const Run run = parse({"--version"});
  REQUIRE(run.outcome.exitCode == 0);
  CHECK(run.out == "closewise " + std::string(closewise::server::kVersion) + "\n");
  CHECK(run.err.empty());
}
