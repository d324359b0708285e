// Durations are capped where the server would do arithmetic with them that cannot hold the
// value: every duration at 168h (a deadline is now + duration on a 64-bit millisecond clock, and
// a week is longer than any timeout, drain or connection age has a use for), and --tcp-keepalive
// at 32767s, the most the kernel takes as TCP_KEEPIDLE (an int of seconds). A larger value is a
// start-up error whose message says the maximum, never a silent wrap or truncation.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "app/settings_table.h"
#include "tests/app/command_line.h"

namespace {

using namespace std::chrono_literals;

using Run = closewise::test::CommandLineRun;
constexpr auto parse = closewise::test::runCommandLine;

}  // namespace

TEST_CASE("every duration flag takes 168h and refuses more, saying so", "[config][caps]") {
  const std::vector<std::string> flags{
      "--header-timeout", "--body-timeout",      "--handler-timeout",  "--write-timeout",
      "--idle-timeout",   "--linger-timeout",    "--close-wait-alert", "--drain-timeout",
      "--drain-delay",    "--max-connection-age"};
  for (const std::string& flag : flags) {
    INFO(flag);
    // The longest value each takes; --drain-delay must also stay below --drain-timeout.
    const std::vector<std::string> longest =
        flag == "--drain-delay" ? std::vector<std::string>{flag, "167h", "--drain-timeout", "168h"}
                                : std::vector<std::string>{flag, "168h"};
    const Run ok = parse(longest);
    INFO(ok.err);
    CHECK_FALSE(ok.outcome.exitCode);

    for (const std::string value : {"169h", "10081m", "9223372036854775807ms"}) {
      const Run refused = parse({flag, value});
      INFO(value << " -> " << refused.err);
      CHECK(refused.outcome.exitCode == 2);
      CHECK(refused.err.find("closewise: " + flag + ": expected a duration") == 0);
      CHECK(refused.err.find("at most 168h") != std::string::npos);
      CHECK(refused.err.find("got \"" + value + "\"") != std::string::npos);
    }
  }
  const Run at = parse({"--idle-timeout", "168h", "--max-connection-age", "168h"});
  REQUIRE_FALSE(at.outcome.exitCode);
  CHECK(at.outcome.parsed.config.server.timeouts.idle == 168h);
  CHECK(at.outcome.parsed.config.server.timeouts.maxConnectionAge == 168h);
}

TEST_CASE("tcp-keepalive takes at most 32767s, the kernel's TCP_KEEPIDLE limit", "[config][caps]") {
  const Run ok = parse({"--tcp-keepalive", "32767s"});
  REQUIRE_FALSE(ok.outcome.exitCode);
  CHECK(ok.outcome.parsed.config.server.tcpKeepalive == 32767s);
  // 2^31 s would have been cast to a negative int of seconds; 32768s is refused by the kernel.
  for (const std::string value : {"32768s", "2147483648s", "596524h"}) {
    const Run refused = parse({"--tcp-keepalive", value});
    INFO(value << " -> " << refused.err);
    CHECK(refused.outcome.exitCode == 2);
    CHECK(refused.err ==
          "closewise: --tcp-keepalive: expected a whole number of seconds from 1s to 32767s like "
          "60s or 5m, or 0 or \"off\", got \"" +
              value + "\"\n");
  }
}
