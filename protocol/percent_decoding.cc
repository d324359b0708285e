#include "protocol/percent_decoding.h"

namespace closewise::protocol {

namespace {

// The value of one hex digit (RFC 5234 HEXDIG, in either case as RFC 3986 section 2.1 allows),
// or -1.
constexpr int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes the character at `i` of `encoded` and moves `i` past what it used: one byte, or the
// three of an escape. -1 for a malformed escape.
int decodeOne(std::string_view encoded, std::size_t& i, PercentForm form) noexcept {
  const char c = encoded[i];
  if (c == '+' && form == PercentForm::Query) {
    ++i;
    return ' ';
  }
  if (c != '%') {
    ++i;
    return static_cast<unsigned char>(c);
  }
  if (encoded.size() - i < 3) return -1;
  const int high = hexValue(encoded[i + 1]);
  const int low = hexValue(encoded[i + 2]);
  if (high < 0 || low < 0) return -1;
  i += 3;
  return high * 16 + low;
}

}  // namespace

bool percentDecodeAppend(std::string_view encoded, PercentForm form, std::string& out) {
  // Most values hold no escape at all: one append instead of a byte at a time.
  if (encoded.find('%') == std::string_view::npos &&
      (form == PercentForm::Path || encoded.find('+') == std::string_view::npos)) {
    out.append(encoded);
    return true;
  }
  for (std::size_t i = 0; i < encoded.size();) {
    const int byte = decodeOne(encoded, i, form);
    if (byte < 0) return false;
    out.push_back(static_cast<char>(byte));
  }
  return true;
}

std::optional<std::string> percentDecode(std::string_view encoded, PercentForm form) {
  std::string out;
  if (!percentDecodeAppend(encoded, form, out)) return std::nullopt;
  return out;
}

bool percentDecodedEquals(std::string_view encoded, std::string_view plain,
                          PercentForm form) noexcept {
  // A router compares every literal segment of its patterns this way: most hold no escape.
  if (encoded.find('%') == std::string_view::npos &&
      (form == PercentForm::Path || encoded.find('+') == std::string_view::npos)) {
    return encoded == plain;
  }
  std::size_t j = 0;
  for (std::size_t i = 0; i < encoded.size();) {
    const int byte = decodeOne(encoded, i, form);
    if (byte < 0 || j == plain.size() || static_cast<unsigned char>(plain[j]) != byte) {
      return false;
    }
    ++j;
  }
  return j == plain.size();
}

}  // namespace closewise::protocol
