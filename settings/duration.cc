#include "settings/duration.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

namespace closewise::settings {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// A suffix is compared whole (everything after the digits), so "ms" and "m" never shadow each
// other and the order of the table only matters to formatScaled(), which wants smallest first.
constexpr std::array<Unit, 4> kDurationUnits{{
    {"ms", 1},
    {"s", 1'000},
    {"m", 60'000},
    {"h", 3'600'000},
}};

constexpr std::array<Unit, 3> kSizeUnits{{
    {"KiB", std::uint64_t{1} << 10},
    {"MiB", std::uint64_t{1} << 20},
    {"GiB", std::uint64_t{1} << 30},
}};

struct NumberAndSuffix {
  std::uint64_t number;
  std::string_view suffix;
};

// Splits "250ms" into 250 and "ms". std::from_chars is used rather than strtoull because it takes
// no sign, no leading spaces and no locale, which is exactly the strictness wanted here.
std::optional<NumberAndSuffix> splitNumber(std::string_view text) {
  if (text.empty() || text.front() < '0' || text.front() > '9') {
    return std::nullopt;
  }
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{}) {
    return std::nullopt;  // Only std::errc::result_out_of_range can happen after the check above.
  }
  const auto digits = static_cast<std::size_t>(end - text.data());
  return NumberAndSuffix{number, text.substr(digits)};
}

template <std::size_t N>
std::optional<std::uint64_t> scale(const NumberAndSuffix& parsed, const std::array<Unit, N>& units,
                                   std::uint64_t limit) {
  for (const Unit& unit : units) {
    if (parsed.suffix == unit.suffix) {
      if (parsed.number > limit / unit.factor) {
        return std::nullopt;
      }
      return parsed.number * unit.factor;
    }
  }
  return std::nullopt;
}

template <std::size_t N>
std::string formatScaled(std::uint64_t value, const std::array<Unit, N>& units) {
  // Walk from the largest unit down so that 60000ms prints as "1m", not "60s".
  for (auto unit = units.rbegin(); unit != units.rend(); ++unit) {
    if (value % unit->factor == 0) {
      return std::to_string(value / unit->factor) + std::string(unit->suffix);
    }
  }
  return std::to_string(value);
}

}  // namespace

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  const auto parsed = splitNumber(text);
  if (!parsed) {
    return std::nullopt;
  }
  if (parsed->suffix.empty()) {
    // A bare number is accepted only when it is zero: "5" could be meant as seconds or as
    // milliseconds, but "0" is zero in every unit.
    if (parsed->number != 0) {
      return std::nullopt;
    }
    return std::chrono::milliseconds{0};
  }
  constexpr auto kLimit =
      static_cast<std::uint64_t>(std::numeric_limits<std::chrono::milliseconds::rep>::max());
  const auto millis = scale(*parsed, kDurationUnits, kLimit);
  if (!millis) {
    return std::nullopt;
  }
  return std::chrono::milliseconds{static_cast<std::chrono::milliseconds::rep>(*millis)};
}

std::optional<std::size_t> parseByteSize(std::string_view text) {
  const auto parsed = splitNumber(text);
  if (!parsed) {
    return std::nullopt;
  }
  constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<std::size_t>::max());
  if (parsed->suffix.empty()) {
    if (parsed->number > kLimit) {
      return std::nullopt;
    }
    return static_cast<std::size_t>(parsed->number);
  }
  const auto bytes = scale(*parsed, kSizeUnits, kLimit);
  if (!bytes) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(*bytes);
}

std::string formatDuration(std::chrono::milliseconds duration) {
  if (duration.count() <= 0) {
    // Zero needs no unit; a negative value cannot come from parseDuration() and is shown as is.
    return std::to_string(duration.count());
  }
  return formatScaled(static_cast<std::uint64_t>(duration.count()), kDurationUnits);
}

std::string formatByteSize(std::size_t bytes) {
  if (bytes == 0) {
    return "0";  // Without this, zero divides every unit and would print as "0GiB".
  }
  return formatScaled(bytes, kSizeUnits);
}

}  // namespace closewise::settings
