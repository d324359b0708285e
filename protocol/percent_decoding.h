// Percent-decoding (RFC 3986 section 2.1): "%" HEXDIG HEXDIG stands for the octet with that
// value, in either case ("%2f" is "%2F"). A '%' not followed by two hex digits is not an escape
// but a malformed one, and is refused rather than passed through: a value that decodes two ways
// (as itself, or as what a lenient peer guessed) is how a check in one place and a use in another
// come to disagree.
//
// The path and the query decode alike, but for '+': in a query in the
// application/x-www-form-urlencoded form that HTML forms send (WHATWG URL, "application/
// x-www-form-urlencoded parsing"), '+' stands for a space; in a path it is a plain '+'
// (RFC 3986 section 3.3 gives it no special meaning there).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace closewise::protocol {

enum class PercentForm {
  Path,   // '+' is itself
  Query,  // '+' is a space
};

// Appends the decoding of `encoded` to `out`. False on a malformed escape, and `out` then holds
// what was decoded before it: the caller discards it.
bool percentDecodeAppend(std::string_view encoded, PercentForm form, std::string& out);

// The decoding of `encoded`, or nullopt if it holds a malformed escape.
std::optional<std::string> percentDecode(std::string_view encoded, PercentForm form);

// Whether `encoded` decodes to exactly `plain`, decoding as it compares: no copy, no allocation,
// so a router can compare a request's raw path segment with a route's literal one. False when
// `encoded` holds a malformed escape.
bool percentDecodedEquals(std::string_view encoded, std::string_view plain,
                          PercentForm form) noexcept;

}  // namespace closewise::protocol
