// Every way to name an upstream wrongly ends in exit code 2 and one line naming the flag, or the
// file and the key's path ("upstreams.api.connect-timeout"), and what would have been accepted.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "tests/app/command_line.h"
#include "tests/app/toml_file.h"

namespace {

using closewise::test::TomlFile;

std::string refuse(std::vector<std::string> args) {
  closewise::test::CommandLineRun run;
  REQUIRE_NOTHROW(run = closewise::test::runCommandLine(std::move(args)));
  INFO("stderr: " << run.err);
  CHECK(run.outcome.exitCode == 2);
  CHECK(run.out.empty());
  CHECK(run.err.rfind("closewise: ", 0) == 0);
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  return run.err;
}

std::string refuseFile(const std::string& contents, std::string& path) {
  const TomlFile file(contents);
  path = file.path();
  return refuse({"--config", file.path()});
}

}  // namespace

TEST_CASE("a bad --upstream says what it expected", "[config][upstream][errors]") {
  CHECK(refuse({"--upstream", "api"}) ==
        "closewise: --upstream: expected NAME=http://HOST[:PORT] like api=http://127.0.0.1:9000, "
        "got \"api\"\n");
  CHECK(refuse({"--upstream", "a.b=http://x"}) ==
        "closewise: --upstream: expected a name of 1 to 64 letters, digits, '-' and '_', got "
        "\"a.b=http://x\"\n");
  CHECK(refuse({"--upstream", "=http://x"}).find("expected a name") != std::string::npos);
  CHECK(refuse({"--upstream", std::string(65, 'a') + "=http://x"}).find("expected a name") !=
        std::string::npos);
  // The origin parser's own words say what is wrong with the url.
  CHECK(refuse({"--upstream", "api=ftp://x"}) ==
        "closewise: --upstream: expected http://HOST[:PORT] (upstream url 'ftp://x': the scheme "
        "must be http (expected http://HOST:PORT)), got \"api=ftp://x\"\n");
  CHECK(refuse({"--upstream", "api=http://x:0"}).find("the port must be") != std::string::npos);
  CHECK(refuse({"--upstream", "api=http://x/v1"}).find("no userinfo, path or query") !=
        std::string::npos);
}

TEST_CASE("an upstream name is given once", "[config][upstream][errors]") {
  CHECK(refuse({"--upstream", "api=http://x", "--upstream", "api=http://y"}) ==
        "closewise: --upstream: expected each upstream name once; \"api\" is already listed, got "
        "\"api=http://y\"\n");
  std::string path;
  const std::string err = refuseFile(R"(
upstream = "api=http://x"
[upstreams.api]
url = "http://y"
)",
                                     path);
  CHECK(err == "closewise: " + path +
                   ": upstreams.api: expected each upstream name once; \"api\" is already listed, "
                   "got \"api\"\n");
}

TEST_CASE("a bad --upstream-* default says what it expected", "[config][upstream][errors]") {
  const std::vector<std::pair<std::string, std::string>> bad{
      {"--upstream-max-connections", "0"},    {"--upstream-max-connections", "4097"},
      {"--upstream-max-connections", "many"}, {"--upstream-connect-timeout", "0"},
      {"--upstream-response-timeout", "5"},   {"--upstream-idle-timeout", "off"},
      {"--upstream-queue-timeout", "1.5s"},
  };
  for (const auto& [flag, value] : bad) {
    const std::string err = refuse({flag, value});
    INFO(flag << " " << value << " -> " << err);
    CHECK(err.rfind("closewise: " + flag + ": expected ", 0) == 0);
    CHECK(err.find("got \"" + value + "\"") != std::string::npos);
  }
}

TEST_CASE("a bad upstreams.NAME table names the file and the path of the key",
          "[config][upstream][errors]") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"[upstreams.api]\nurl = \"http://x\"\nconnect-timeout = \"0\"\n",
       "upstreams.api.connect-timeout: expected a duration greater than 0 and at most 168h like "
       "250ms, 5s or 1m, got \"0\""},
      {"[upstreams.api]\nurl = \"http://x\"\nmax-connections = 0\n",
       "upstreams.api.max-connections: expected a number from 1 to 4096, got 0"},
      {"[upstreams.api]\nurl = \"ftp://x\"\n",
       "upstreams.api.url: expected http://HOST[:PORT] (upstream url 'ftp://x': the scheme must "
       "be http (expected http://HOST:PORT)), got \"ftp://x\""},
      {"[upstreams.api]\nurl = 5\n", "upstreams.api.url: expected a string, got an integer"},
      {"[upstreams.api]\nurl = \"http://x\"\nidle-timeout = true\n",
       "upstreams.api.idle-timeout: expected a string like \"75s\", got a boolean"},
      {"[upstreams.\"a b\"]\nurl = \"http://x\"\n",
       "upstreams.a b: expected a name of 1 to 64 letters, digits, '-' and '_', got \"a b\""},
      {"[upstreams.api]\nconnect-timeout = \"1s\"\n",
       "upstreams.api: expected a url key, got a table without one"},
      {"[upstreams.api]\nurl = \"http://x\"\ntimeout = \"1s\"\n",
       "unknown key \"upstreams.api.timeout\"; the keys of [upstreams.NAME] are url, "
       "max-connections, connect-timeout, response-timeout, idle-timeout and queue-timeout"},
      {"[upstreams]\napi = \"http://x\"\n", "upstreams.api: expected a table, got a string"},
      {"upstreams = 3\n", "upstreams: expected tables like [upstreams.NAME], got an integer"},
      {"[upstreams]\n", "upstreams: expected tables like [upstreams.NAME], got an empty table"},
  };
  for (const auto& [toml, message] : cases) {
    std::string path;
    const std::string err = refuseFile(toml, path);
    INFO(toml << " -> " << err);
    CHECK(err == "closewise: " + path + ": " + message + "\n");
  }
}
