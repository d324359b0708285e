// reloadConfig() reads the command line and its --config file again, as SIGHUP does: the live
// settings the file changed take their new values, the ones that need a restart are reported and
// keep their running values, the command line still wins over the file, and a key removed from
// the file returns to its default.
#include <unistd.h>

#include <algorithm>
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
using closewise::app::diffSettings;
using closewise::server::ListenAddress;
using closewise::settings::Reload;
using closewise::app::reloadConfig;
using closewise::server::ReloadOutcome;
using closewise::settings::SettingChange;

// A config file an operator edits between start-up and SIGHUP.
class EditableFile {
 public:
  explicit EditableFile(std::string_view contents) {
    static int serial = 0;
    path_ =
        std::filesystem::temp_directory_path() /
        ("closewise_reload_" + std::to_string(getpid()) + "_" + std::to_string(++serial) + ".toml");
    write(contents);
  }
  ~EditableFile() { std::filesystem::remove(path_); }
  EditableFile(const EditableFile&) = delete;
  EditableFile& operator=(const EditableFile&) = delete;

  void write(std::string_view contents) { std::ofstream(path_, std::ios::trunc) << contents; }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::vector<std::string> commandLine(std::vector<std::string> args) {
  args.insert(args.begin(), "closewise");
  return args;
}

// The configuration a server started with: the first read of the command line.
Config startUp(const std::vector<std::string>& argv) {
  const auto run = closewise::test::runArgv(argv);
  INFO("stderr: " << run.err);
  REQUIRE_FALSE(run.outcome.exitCode);
  return run.outcome.parsed.config;
}

std::vector<std::string> names(const std::vector<SettingChange>& changes) {
  std::vector<std::string> result;
  for (const auto& change : changes) result.emplace_back(change.name);
  return result;
}

}  // namespace

TEST_CASE("live settings take the file's new values, the others are reported, not applied",
          "[config][reload]") {
  EditableFile file(R"(
listen = "127.0.0.1:8080"
idle-timeout = "75s"
log-level = "info"
)");
  const auto argv = commandLine({"--config", file.path()});
  const Config running = startUp(argv);

  file.write(R"(
listen = "127.0.0.1:9090"
idle-timeout = "5s"
log-level = "debug"
access-log = true
)");
  const ReloadOutcome outcome = reloadConfig(argv, running);
  REQUIRE(outcome.error.empty());
  CHECK(names(outcome.applied) ==
        std::vector<std::string>{"idle-timeout", "log-level", "access-log"});
  REQUIRE(outcome.applied.size() == 3);
  CHECK(outcome.applied[0].before == "75s");
  CHECK(outcome.applied[0].after == "5s");
  CHECK(names(outcome.needRestart) == std::vector<std::string>{"listen"});
  REQUIRE(outcome.needRestart.size() == 1);
  CHECK(outcome.needRestart[0].after == "127.0.0.1:9090");

  CHECK(outcome.config.timeouts.idle == 5s);
  CHECK(outcome.config.logLevel == "debug");
  CHECK(outcome.config.accessLog);
  CHECK(outcome.config.listen == std::vector<ListenAddress>{{"127.0.0.1", 8080}});
  CHECK(outcome.config.configFile == file.path());
}

TEST_CASE("the command line still wins over the file", "[config][reload]") {
  EditableFile file(R"(idle-timeout = "75s")");
  const auto argv = commandLine({"--config", file.path(), "--idle-timeout", "20s"});
  const Config running = startUp(argv);
  REQUIRE(running.server.timeouts.idle == 20s);

  file.write(R"(idle-timeout = "5s")");
  const ReloadOutcome outcome = reloadConfig(argv, running);
  REQUIRE(outcome.error.empty());
  CHECK(outcome.applied.empty());
  CHECK(outcome.needRestart.empty());
  CHECK(outcome.config.timeouts.idle == 20s);
}

TEST_CASE("a key removed from the file returns to its default", "[config][reload]") {
  EditableFile file(R"(linger-timeout = "1s")");
  const auto argv = commandLine({"--config", file.path()});
  const Config running = startUp(argv);
  REQUIRE(running.server.timeouts.lingerRead == 1s);

  file.write("");
  const ReloadOutcome outcome = reloadConfig(argv, running);
  REQUIRE(outcome.error.empty());
  CHECK(names(outcome.applied) == std::vector<std::string>{"linger-timeout"});
  CHECK(outcome.config.timeouts.linger == 5s);
  // The per-read limit inside the linger is derived from it, and follows it.
  CHECK(outcome.config.timeouts.lingerRead == 2s);
}

TEST_CASE("every live setting can be changed by a reload", "[config][reload]") {
  EditableFile file("");
  const auto argv = commandLine({"--config", file.path()});
  const Config running = startUp(argv);

  file.write(R"(
max-connections = 500
max-header-bytes = "8KiB"
max-body-bytes = 4096
max-requests-per-connection = 10
max-connection-age = "10m"
header-timeout = "1s"
body-timeout = "2s"
handler-timeout = "3s"
write-timeout = "4s"
idle-timeout = "5s"
linger-timeout = "1500ms"
drain-delay = "7s"
drain-timeout = "8s"
log-level = "warn"
access-log = true
)");
  const ReloadOutcome outcome = reloadConfig(argv, running);
  REQUIRE(outcome.error.empty());
  CHECK(outcome.applied.size() == 15);
  for (const auto& change : outcome.applied) CHECK(change.reload == Reload::Live);
  CHECK(outcome.needRestart.empty());
  // The copy holds exactly what the file says: read it as start-up would and compare.
  CHECK(diffSettings(Config{outcome.config, running.admin, running.upstream}, startUp(argv)).empty());
  CHECK(outcome.config.timeouts.lingerRead == 1500ms);
}
