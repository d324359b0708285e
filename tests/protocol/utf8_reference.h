#pragma once

// A reference UTF-8 checker for testing protocol::Utf8Validator, written the simplest way there
// is: decode each sequence into its code point, then apply the three rules of RFC 3629 3 to the
// value (shortest form, no surrogates, at most U+10FFFF). No tables, no byte ranges: it shares
// nothing with the validator but the RFC. The unit tests and fuzz/websocket_frame_fuzz.cc both
// require the two to agree on every input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace closewise::testing {

enum class Utf8Verdict : std::uint8_t {
  Valid,       // the text is valid UTF-8
  Unfinished,  // not valid yet, but some continuation would make it valid
  Invalid      // no continuation can make it valid
};

namespace utf8_reference_detail {

// The number of bytes a sequence with this lead byte has, from its leading one bits; 0 for a
// byte that cannot lead (10xxxxxx, or more than four leading ones).
inline int sequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  int ones = 0;
  while (ones < 8 && (lead & (0x80 >> ones)) != 0) ++ones;
  return ones >= 2 && ones <= 4 ? ones : 0;
}

inline std::uint32_t smallest(int length) {
  return length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
}

inline std::uint32_t largest(int length) {
  return length == 2 ? 0x7FF : length == 3 ? 0xFFFF : 0x10FFFF;
}

inline bool isSurrogate(std::uint32_t cp) {
  return cp >= 0xD800 && cp <= 0xDFFF;
}

}  // namespace utf8_reference_detail

inline Utf8Verdict referenceUtf8(std::string_view text) {
  using namespace utf8_reference_detail;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int length = sequenceLength(lead);
    if (length == 0) return Utf8Verdict::Invalid;
    if (length == 1) {
      ++i;
      continue;
    }
    std::uint32_t cp = lead & (0x7F >> length);
    int have = 1;
    for (; have < length && i + have < text.size(); ++have) {
      const auto c = static_cast<unsigned char>(text[i + have]);
      if ((c & 0xC0) != 0x80) return Utf8Verdict::Invalid;
      cp = cp << 6 | (c & 0x3F);
    }
    if (have < length) {
      // The text ends inside this sequence. The code points it could still become are the
      // range from the missing bits all zero to all one: is any of them a valid one?
      const int missingBits = 6 * (length - have);
      const std::uint32_t from = std::max(cp << missingBits, smallest(length));
      const std::uint32_t to =
          std::min(cp << missingBits | ((1U << missingBits) - 1), largest(length));
      if (from > to) return Utf8Verdict::Invalid;
      if (isSurrogate(from) && isSurrogate(to)) return Utf8Verdict::Invalid;
      return Utf8Verdict::Unfinished;
    }
    if (cp < smallest(length) || cp > largest(length) || isSurrogate(cp)) {
      return Utf8Verdict::Invalid;
    }
    i += static_cast<std::size_t>(length);
  }
  return Utf8Verdict::Valid;
}

}  // namespace closewise::testing
