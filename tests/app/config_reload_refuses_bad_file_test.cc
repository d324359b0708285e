// A reload of a file that does not read (a syntax error, a value out of range, an unknown key, a
// file gone) is refused whole, with the message start-up would print for it, and changes nothing.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "tests/app/command_line.h"
#include "app/settings_table.h"

namespace {

using namespace std::chrono_literals;
using closewise::app::Config;
using closewise::app::reloadConfig;

std::filesystem::path tempPath() {
  static int serial = 0;
  return std::filesystem::temp_directory_path() /
         ("closewise_bad_reload_" + std::to_string(getpid()) + "_" + std::to_string(++serial) +
          ".toml");
}

struct Read {
  std::optional<int> exitCode;
  Config config;
  std::string err;
};

Read read(const std::vector<std::string>& argv) {
  const auto run = closewise::test::runArgv(argv);
  return {run.outcome.exitCode, run.outcome.parsed.config, run.err};
}

}  // namespace

TEST_CASE("a file that does not read is refused with start-up's message", "[config][reload]") {
  const auto [broken, contains] = GENERATE(table<std::string, std::string>({
      {"idle-timeout = \"5s\"\nheader-timeout = \"10s", ":2:22: Error while parsing string"},
      {"idle-timeout = \"5s\"\nmax-body-bytes = \"2GiB\"", "max-body-bytes: expected a size"},
      {"idle-timeout = \"5s\"\nidle_timeout = \"5s\"", "unknown key \"idle_timeout\""},
      {"idle-timeout = \"5s\"\ndrain-delay = \"1m\"", "must be shorter than --drain-timeout"},
  }));
  const auto path = tempPath();
  std::ofstream(path) << "idle-timeout = \"75s\"\n";
  const std::vector<std::string> argv{"closewise", "--config", path.string()};
  const Read start = read(argv);
  REQUIRE_FALSE(start.exitCode);

  std::ofstream(path, std::ios::trunc) << broken;
  const auto outcome = reloadConfig(argv, start.config);
  const Read again = read(argv);
  std::filesystem::remove(path);

  INFO("file:\n" << broken);
  REQUIRE(again.exitCode == 2);
  CHECK(outcome.error + "\n" == again.err);
  CHECK(outcome.error.find(contains) != std::string::npos);
  CHECK(outcome.applied.empty());
  CHECK(outcome.needRestart.empty());
}

TEST_CASE("a file that is gone is refused", "[config][reload]") {
  const auto path = tempPath();
  std::ofstream(path) << "idle-timeout = \"5s\"\n";
  const std::vector<std::string> argv{"closewise", "--config", path.string()};
  const Read start = read(argv);
  REQUIRE_FALSE(start.exitCode);
  std::filesystem::remove(path);

  const auto outcome = reloadConfig(argv, start.config);
  CHECK(outcome.error.find("cannot read config file") != std::string::npos);
  CHECK(outcome.applied.empty());
}
