// Every way to get the configuration wrong ends in exit code 2 and one message on stderr that
// names the flag (or the file and key) and says what would have been accepted.
#include <unistd.h>

#include <algorithm>
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

struct Failure {
  std::string err;
  std::string out;
};

// Parses args that must be refused, and returns what was printed.
Failure refuse(std::vector<std::string> args) {
  closewise::test::CommandLineRun run;
  REQUIRE_NOTHROW(run = closewise::test::runCommandLine(std::move(args)));
  const std::string& message = run.err;
  INFO("stderr: " << message);
  CHECK(run.outcome.exitCode == 2);
  CHECK(run.out.empty());
  // One message: a single line, starting with the program's name.
  CHECK(message.rfind("closewise: ", 0) == 0);
  CHECK(std::count(message.begin(), message.end(), '\n') == 1);
  return Failure{message, run.out};
}

// A file for one test: a config file, or an admin token file.
using TempFile = closewise::test::TomlFile;

}  // namespace

TEST_CASE("the messages quoted in the documentation are exact", "[config][errors]") {
  CHECK(refuse({"--idle-timeout", "abc"}).err ==
        "closewise: --idle-timeout: expected a duration greater than 0 and at most 168h like "
        "250ms, 5s or 1m, got \"abc\"\n");
  CHECK(refuse({"--workers", "0"}).err ==
        "closewise: --workers: expected a number from 1 to 256 or \"auto\", got \"0\"\n");
  CHECK(refuse({"--log-level", "loud"}).err ==
        "closewise: --log-level: expected one of trace, debug, info, warn, error, got \"loud\"\n");
  CHECK(refuse({"--listen", "example.com:80"}).err ==
        "closewise: --listen: expected an address like 127.0.0.1:8080, [::1]:8080 or "
        "localhost:8080, got \"example.com:80\"\n");
}

TEST_CASE("a bad value names its flag, for every flag", "[config][errors]") {
  const std::vector<std::pair<std::string, std::string>> bad{
      {"--listen", "[::1]"},
      {"--inherit-fds", "-1"},
      {"--inherit-fds", "3,,4"},
      {"--inherit-fds", "3,3"},
      {"--workers", "257"},
      {"--workers", "two"},
      {"--max-connections", "-1"},
      {"--tcp-keepalive", "1500ms"},
      {"--tcp-keepalive", "yes"},
      {"--admin", "9901"},
      {"--admin-token", ""},
      {"--admin-token-file", ""},
      {"--max-header-bytes", "512"},
      {"--max-header-bytes", "2MiB"},
      {"--max-body-bytes", "2GiB"},
      {"--max-body-bytes", "64k"},
      {"--max-requests-per-connection", "4294967296"},
      {"--max-requests-per-connection", "-1"},
      {"--max-connection-age", "forever"},
      {"--header-timeout", "0"},
      {"--body-timeout", "0"},
      {"--handler-timeout", "5"},
      {"--write-timeout", "-1s"},
      {"--min-send-rate", "2GiB"},
      {"--min-send-rate", "fast"},
      {"--min-receive-rate", "-1"},
      {"--min-receive-rate", "500B"},
      {"--idle-timeout", "5 s"},
      {"--linger-timeout", "0"},
      {"--close-wait-alert", "off"},
      {"--drain-delay", "1.5s"},
      {"--drain-timeout", "0"},
      {"--log-level", "INFO"},
  };
  for (const auto& [flag, value] : bad) {
    const Failure failure = refuse({flag, value});
    INFO(flag << " " << value << " -> " << failure.err);
    CHECK(failure.err.rfind("closewise: " + flag + ": expected ", 0) == 0);
    CHECK(failure.err.find("got \"" + value + "\"") != std::string::npos);
  }
  // The switches take their value after '=': "--access-log=maybe".
  for (const std::string flag : {"--access-log", "--demo-routes"}) {
    const std::string value = "maybe";
    const Failure failure = refuse({flag + "=" + value});
    INFO(flag << " " << value << " -> " << failure.err);
    CHECK(failure.err.rfind("closewise: " + flag + ": expected ", 0) == 0);
    CHECK(failure.err.find("got \"" + value + "\"") != std::string::npos);
  }
}

TEST_CASE("a flag that takes one value refuses to be given twice", "[config][errors]") {
  CHECK(refuse({"--workers", "1", "--workers", "2"}).err.find("--workers: expected once") !=
        std::string::npos);
  CHECK(refuse({"--workers", "1", "serve", "--workers", "2"}).err.find("--workers") !=
        std::string::npos);
}

TEST_CASE("an unknown flag, a missing value or a stray word is refused", "[config][errors]") {
  CHECK(refuse({"--bogus"}).err.find("--bogus") != std::string::npos);
  CHECK(refuse({"--workers"}).err.find("--workers") != std::string::npos);
  CHECK(refuse({"serve", "extra"}).err.find("extra") != std::string::npos);
  CHECK(refuse({"statess"}).err.find("statess") != std::string::npos);
  CHECK(refuse({"serve", "states", "--port", "80"}).err.find("serve and states are two commands") !=
        std::string::npos);
}

TEST_CASE("the admin token file must exist, hold one line, and not come with --admin-token",
          "[config][errors]") {
  CHECK(refuse({"--admin-token-file", "/nonexistent/closewise-token"})
            .err.find("/nonexistent/closewise-token") != std::string::npos);
  const TempFile empty("\n");
  CHECK(refuse({"--admin-token-file", empty.path()}).err.find("--admin-token-file") !=
        std::string::npos);
  const TempFile two_lines("one\ntwo\n");
  CHECK(refuse({"--admin-token-file", two_lines.path()}).err.find("more than one line") !=
        std::string::npos);
  const TempFile good("token\n");
  CHECK(refuse({"--admin-token", "x", "--admin-token-file", good.path()})
            .err.find("--admin-token and --admin-token-file") != std::string::npos);
}

TEST_CASE("a missing config file is refused with its name and the reason", "[config][errors]") {
  const std::string err = refuse({"--config", "/nonexistent/closewise.toml"}).err;
  CHECK(err.find("\"/nonexistent/closewise.toml\"") != std::string::npos);
  CHECK(err.find("No such file or directory") != std::string::npos);
}

TEST_CASE("a config file that is not TOML is refused with its name, line and column",
          "[config][errors]") {
  const TempFile file("workers = 2\nidle-timeout = 75s\n");
  CHECK(refuse({"--config", file.path()}).err.rfind("closewise: " + file.path() + ":2:", 0) == 0);
}

TEST_CASE("an unknown key in the config file is refused with the key and the file",
          "[config][errors]") {
  const TempFile file("workers = 2\nidle_timeout = \"75s\"\n");
  const std::string err = refuse({"--config", file.path()}).err;
  CHECK(err.find(file.path()) != std::string::npos);
  CHECK(err.find("unknown key \"idle_timeout\"") != std::string::npos);

  // A file cannot name another file: --config is a command-line flag only.
  const TempFile nested("config = \"other.toml\"\n");
  CHECK(refuse({"--config", nested.path()}).err.find("unknown key \"config\"") !=
        std::string::npos);
  const TempFile table("[server]\nworkers = 2\n");
  CHECK(refuse({"--config", table.path()}).err.find("unknown key \"server\"") != std::string::npos);
}

TEST_CASE("a key of the wrong type is refused with the key and the type it takes",
          "[config][errors]") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"idle-timeout = true", "idle-timeout: expected a string like \"75s\", got a boolean"},
      {"idle-timeout = 7.5", "idle-timeout: expected a string like \"75s\", got a floating-point"},
      {"workers = [2]", "workers: expected an integer or \"auto\", got an array"},
      {"access-log = \"yes\"", "access-log: expected a boolean, got a string"},
      {"max-connections = \"10\"", "max-connections: expected an integer, got a string"},
      {"log-level = 3", "log-level: expected a string, got an integer"},
      {"listen = [\"127.0.0.1:1\", 2]",
       "listen: expected a string or an array of strings, got an array holding an integer"},
      {"listen = []", "listen: expected at least one value, got an empty array"},
      {"inherit-fds = \"3\"", "inherit-fds: expected an integer or an array of integers"},
  };
  for (const auto& [toml, message] : cases) {
    const TempFile file(toml + "\n");
    const std::string err = refuse({"--config", file.path()}).err;
    INFO(toml << " -> " << err);
    CHECK(err.rfind("closewise: " + file.path() + ": " + message, 0) == 0);
  }
}

TEST_CASE("a bad value in the config file is refused with the file, the key and the value",
          "[config][errors]") {
  const TempFile file("workers = 0\n");
  CHECK(refuse({"--config", file.path()}).err ==
        "closewise: " + file.path() +
            ": workers: expected a number from 1 to 256 or \"auto\", got 0\n");
  const TempFile bare("drain-delay = 5\n");
  CHECK(refuse({"--config", bare.path()}).err ==
        "closewise: " + bare.path() +
            ": drain-delay: expected a duration of at most 168h like 250ms, 5s or 1m, got 5\n");
}

TEST_CASE("states refuses serve flags, port 0, and bad --watch and --source values",
          "[config][errors]") {
  CHECK(refuse({"states"}).err.find("--port") != std::string::npos);
  CHECK(refuse({"--workers", "2", "states", "--port", "80"}).err.find("states takes only") !=
        std::string::npos);
  CHECK(refuse({"states", "--port", "80", "--workers", "2"}).err.find("--workers") !=
        std::string::npos);
  CHECK(refuse({"states", "--port", "0"}).err.find("states --port: expected a port") !=
        std::string::npos);
  CHECK(refuse({"states", "--port", "65536"}).err.find("states --port") != std::string::npos);
  CHECK(refuse({"states", "--port", "80", "--watch", "1"}).err.find("states --watch") !=
        std::string::npos);
  CHECK(refuse({"states", "--port", "80", "--source", "netlink"}).err.find("states --source") !=
        std::string::npos);
}

TEST_CASE("a drain delay that would use up the drain deadline is refused", "[config][errors]") {
  // The deadline counts from the signal: with a delay as long, the listeners would close only
  // as every connection is reset.
  const Failure equal = refuse({"--drain-delay", "5s", "--drain-timeout", "5s"});
  CHECK(equal.err ==
        "closewise: --drain-delay (5s) must be shorter than --drain-timeout (5s), which bounds "
        "the whole drain counted from the signal\n");
  const Failure longer = refuse({"--drain-delay", "40s"});
  CHECK(longer.err.find("--drain-delay (40s) must be shorter than --drain-timeout (30s)") !=
        std::string::npos);
}
