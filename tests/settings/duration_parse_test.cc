// Durations and byte sizes are read strictly: one whole number and one unit, nothing that could
// be misread. These cases pin the grammar that docs/configuration.md promises.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstddef>
#include <limits>
#include <string>

#include "settings/duration.h"

using closewise::settings::formatByteSize;
using closewise::settings::formatDuration;
using closewise::settings::parseByteSize;
using closewise::settings::parseDuration;
using std::chrono::milliseconds;

TEST_CASE("a duration is a whole number and one unit", "[duration]") {
  CHECK(parseDuration("250ms") == milliseconds{250});
  CHECK(parseDuration("5s") == milliseconds{5'000});
  CHECK(parseDuration("1m") == milliseconds{60'000});
  CHECK(parseDuration("2h") == milliseconds{7'200'000});
  CHECK(parseDuration("0ms") == milliseconds{0});
  CHECK(parseDuration("007s") == milliseconds{7'000});
}

TEST_CASE("zero is the only duration that needs no unit", "[duration]") {
  CHECK(parseDuration("0") == milliseconds{0});
  CHECK_FALSE(parseDuration("5"));
  CHECK(parseDuration("00") == milliseconds{0});
}

TEST_CASE("a duration with a sign, fraction, space or unknown unit is refused", "[duration]") {
  for (const char* text : {"", "s", "-1s", "+1s", "1.5s", "5 s", " 5s", "5s ", "1d", "5sec", "5S",
                           "5MS", "1m30s", "ms5", "0x10s", "off"}) {
    INFO("text: \"" << text << "\"");
    CHECK_FALSE(parseDuration(text));
  }
}

TEST_CASE("a duration that overflows milliseconds is refused, the largest one is not",
          "[duration]") {
  const auto max = std::numeric_limits<milliseconds::rep>::max();
  CHECK(parseDuration(std::to_string(max) + "ms") == milliseconds{max});
  CHECK_FALSE(parseDuration(std::to_string(max) + "0ms"));
  CHECK_FALSE(parseDuration(std::to_string(max / 1000 + 1) + "s"));
  CHECK_FALSE(parseDuration("99999999999999999999999999ms"));
}

TEST_CASE("a byte size is a number of bytes or a number of KiB, MiB or GiB", "[size]") {
  CHECK(parseByteSize("0") == std::size_t{0});
  CHECK(parseByteSize("16384") == std::size_t{16'384});
  CHECK(parseByteSize("16KiB") == std::size_t{16 * 1024});
  CHECK(parseByteSize("1MiB") == std::size_t{1024 * 1024});
  CHECK(parseByteSize("1GiB") == std::size_t{1024 * 1024 * 1024});
  CHECK(parseByteSize("0KiB") == std::size_t{0});
}

TEST_CASE("a byte size with a decimal or ambiguous unit is refused", "[size]") {
  for (const char* text : {"", "KiB", "64k", "64K", "64KB", "64kb", "1M", "1MB", "1G", "1kib",
                           "1 KiB", "-1", "+1", "1.5KiB", "16B", "1TiB"}) {
    INFO("text: \"" << text << "\"");
    CHECK_FALSE(parseByteSize(text));
  }
}

TEST_CASE("a byte size that overflows size_t is refused", "[size]") {
  const auto max = std::numeric_limits<std::size_t>::max();
  CHECK(parseByteSize(std::to_string(max)) == max);
  CHECK_FALSE(parseByteSize(std::to_string(max) + "0"));
  CHECK_FALSE(parseByteSize(std::to_string(max / 1024 + 1) + "KiB"));
}

TEST_CASE("formatting picks the largest exact unit and parses back to the same value",
          "[duration][size]") {
  CHECK(formatDuration(milliseconds{0}) == "0");
  CHECK(formatDuration(milliseconds{250}) == "250ms");
  CHECK(formatDuration(milliseconds{1'500}) == "1500ms");
  CHECK(formatDuration(milliseconds{75'000}) == "75s");
  CHECK(formatDuration(milliseconds{60'000}) == "1m");
  CHECK(formatDuration(milliseconds{3'600'000}) == "1h");
  CHECK(formatByteSize(0) == "0");
  CHECK(formatByteSize(1000) == "1000");
  CHECK(formatByteSize(16 * 1024) == "16KiB");
  CHECK(formatByteSize(1024 * 1024) == "1MiB");
  CHECK(formatByteSize(std::size_t{3} << 30) == "3GiB");
  for (const long long ms : {0LL, 1LL, 999LL, 1'000LL, 61'000LL, 90'000'000LL}) {
    CHECK(parseDuration(formatDuration(milliseconds{ms})) == milliseconds{ms});
  }
  for (const std::size_t bytes : {std::size_t{0}, std::size_t{1}, std::size_t{1025},
                                  std::size_t{1} << 20, (std::size_t{1} << 30) + 1}) {
    CHECK(parseByteSize(formatByteSize(bytes)) == bytes);
  }
}
