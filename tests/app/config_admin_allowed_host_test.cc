// --admin-allowed-host: repeatable on the command line, a string or an array of strings in the
// TOML file, stored in lower case; the command line replaces the file's list, as for --listen.
// A value that is not a host name (a port, an address with a scheme, a bad label) is refused
// with exit code 2 and a message naming the flag.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "app/settings_table.h"
#include "tests/app/command_line.h"
#include "tests/app/toml_file.h"

namespace {

using Run = closewise::test::CommandLineRun;
constexpr auto parse = closewise::test::runCommandLine;

std::vector<std::string> allowedHosts(const std::vector<std::string>& args) {
  const Run run = parse(args);
  INFO("stderr: " << run.err);
  REQUIRE_FALSE(run.outcome.exitCode);
  return run.outcome.parsed.config.admin.allowedHosts;
}

using closewise::test::TomlFile;

}  // namespace

TEST_CASE("admin-allowed-host repeats, is lower-cased and defaults to none", "[config]") {
  CHECK(allowedHosts({}).empty());
  CHECK(allowedHosts({"--admin-allowed-host", "Metrics.Example.Internal", "--admin-allowed-host",
                      "prometheus-scrape"}) ==
        std::vector<std::string>{"metrics.example.internal", "prometheus-scrape"});
}

TEST_CASE("admin-allowed-host in the file takes a string or an array, and flags replace it",
          "[config][toml]") {
  const TomlFile one("admin-allowed-host = \"a.example\"\n");
  CHECK(allowedHosts({"--config", one.path()}) == std::vector<std::string>{"a.example"});
  const TomlFile list("admin-allowed-host = [\"a.example\", \"B.example\"]\n");
  CHECK(allowedHosts({"--config", list.path()}) ==
        std::vector<std::string>{"a.example", "b.example"});
  CHECK(allowedHosts({"--config", list.path(), "--admin-allowed-host", "c.example"}) ==
        std::vector<std::string>{"c.example"});
}

TEST_CASE("admin-allowed-host refuses what is not a host name", "[config][errors]") {
  for (const char* bad :
       {"", "metrics.example:9901", "http://metrics.example", "-bad.example", "bad-.example",
        "a..example", ".example", "under_score.example", "[::1]"}) {
    INFO("value: \"" << bad << "\"");
    const Run run = parse({"--admin-allowed-host", bad});
    CHECK(run.outcome.exitCode == 2);
    CHECK(run.err.find("closewise: --admin-allowed-host: expected a host name") !=
          std::string::npos);
  }
  const TomlFile number("admin-allowed-host = 5\n");
  const Run run = parse({"--config", number.path()});
  CHECK(run.outcome.exitCode == 2);
  CHECK(run.err.find("admin-allowed-host: expected a string or an array of strings") !=
        std::string::npos);
}
