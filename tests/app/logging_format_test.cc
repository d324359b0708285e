// The log's two formats (app/logging.h): the time in UTC as RFC 3339 with its offset, whatever
// the machine's time zone; the level as --log-level spells it; in JSON one object per line that
// a JSON parser reads, with the message's key=value pairs as fields.
#include <spdlog/details/log_msg.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "app/logging.h"

namespace {

// 2026-12-05T19:30:00.123 UTC.
spdlog::log_clock::time_point knownTime() {
  return spdlog::log_clock::time_point(std::chrono::milliseconds(1796499000123LL));
}

std::string formatWith(spdlog::formatter& formatter, spdlog::level::level_enum level,
                       std::string_view message) {
  spdlog::details::log_msg msg(knownTime(), spdlog::source_loc{}, "closewise", level,
                               spdlog::string_view_t(message.data(), message.size()));
  spdlog::memory_buf_t out;
  formatter.format(msg, out);
  return std::string(out.data(), out.size());
}

// Formats in a time zone far from UTC, so a local time would show.
struct FarTimeZone {
  FarTimeZone() {
    ::setenv("TZ", "Asia/Shanghai", 1);
    ::tzset();
  }
  ~FarTimeZone() {
    ::unsetenv("TZ");
    ::tzset();
  }
};

}  // namespace

TEST_CASE("text log lines carry the UTC time with its offset and the flag's level names",
          "[logging]") {
  const FarTimeZone zone;
  auto text = closewise::app::textFormatter();
  CHECK(formatWith(*text, spdlog::level::warn, "alert close_wait started") ==
        "2026-12-05T19:30:00.123+00:00 warn alert close_wait started\n");
  CHECK(formatWith(*text, spdlog::level::info, "x") == "2026-12-05T19:30:00.123+00:00 info x\n");
  CHECK(formatWith(*text, spdlog::level::err, "x") == "2026-12-05T19:30:00.123+00:00 error x\n");
}

TEST_CASE("json log lines parse, and the message's key=value pairs are fields", "[logging]") {
  const FarTimeZone zone;
  auto json = closewise::app::jsonFormatter();
  const std::string line =
      formatWith(*json, spdlog::level::warn,
                 "conn=7 peer=10.0.0.5:51234 method=GET target=\"/a\\\"b\" status=503 ms=1.250 "
                 "reason=write_timeout phase=writing ua=\"-\"");
  REQUIRE(line.back() == '\n');
  const auto doc = nlohmann::json::parse(line);
  CHECK(doc["time"] == "2026-12-05T19:30:00.123+00:00");
  CHECK(doc["level"] == "warn");
  CHECK(doc["conn"] == 7);
  CHECK(doc["peer"] == "10.0.0.5:51234");
  CHECK(doc["target"] == "/a\"b");
  CHECK(doc["status"] == 503);
  CHECK(doc["ms"] == 1.25);
  CHECK(doc["reason"] == "write_timeout");
  CHECK(doc["phase"] == "writing");
  CHECK(doc["msg"].get<std::string>().starts_with("conn=7 peer="));
}

TEST_CASE("json log lines stay valid JSON whatever bytes the message holds", "[logging]") {
  auto json = closewise::app::jsonFormatter();
  const std::string message = std::string("target=\"/\xff\xfe\" tab=\"a\tb\" ok=\"caf\xc3\xa9\"");
  const auto doc = nlohmann::json::parse(formatWith(*json, spdlog::level::info, message));
  CHECK(doc["target"] == "/\xef\xbf\xbd\xef\xbf\xbd");  // each bad byte is U+FFFD
  CHECK(doc["tab"] == "a\tb");
  CHECK(doc["ok"] == "caf\xc3\xa9");
  CHECK(formatWith(*json, spdlog::level::info, "no pairs here") ==
        "{\"time\":\"2026-12-05T19:30:00.123+00:00\",\"level\":\"info\",\"msg\":\"no pairs "
        "here\"}\n");
}
