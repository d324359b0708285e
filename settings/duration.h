// Parsing and printing of the two kinds of quantity an operator types: durations and byte sizes.
//
// Both grammars are strict on purpose. A value in a config file is read once, by a human, and a
// typo that silently means something else (a "5" taken as 5 ms, a "64k" taken as 64,000 or 65,536
// bytes) is worse than a refusal at start-up.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace closewise::settings {

// Accepts a whole number followed by one unit: "250ms", "5s", "1m", "2h". The single exception is
// "0", which needs no unit because zero of anything is the same. Rejected: a bare number ("5"),
// signs ("-1s", "+1s"), fractions ("1.5s"), spaces ("5 s"), unknown units ("1d", "5sec") and values
// that do not fit in std::chrono::milliseconds.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

// Accepts a whole number of bytes ("16384"), or a whole number followed by a binary unit: "KiB",
// "MiB" or "GiB" (powers of 1024). Decimal and ambiguous units ("k", "KB", "M") are rejected, since
// people disagree about whether they mean 1000 or 1024. No signs, fractions or spaces; values that
// do not fit in std::size_t are rejected.
std::optional<std::size_t> parseByteSize(std::string_view text);

// The shortest text parseDuration() reads back as the same value: 75000ms -> "75s", 0 -> "0".
std::string formatDuration(std::chrono::milliseconds duration);

// The shortest text parseByteSize() reads back as the same value: 16384 -> "16KiB", 1000 -> "1000".
std::string formatByteSize(std::size_t bytes);

}  // namespace closewise::settings
