#include "protocol/utf8.h"

#include <cstring>

namespace closewise::protocol {

namespace {

// Most text is ASCII: eight bytes at a time while none has its top bit set. memcpy makes the
// load safe at any alignment and compiles to a single move.
const unsigned char* skipAscii(const unsigned char* p, const unsigned char* end) noexcept {
  constexpr std::uint64_t kTopBits = 0x8080808080808080ULL;
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if ((word & kTopBits) != 0) break;
    p += 8;
  }
  return p;
}

}  // namespace

// The lead byte fixes the length of the sequence and the range of its second byte, after RFC
// 3629 4:
//   UTF8-2 = %xC2-DF UTF8-tail
//   UTF8-3 = %xE0 %xA0-BF UTF8-tail / %xE1-EC 2( UTF8-tail ) /
//            %xED %x80-9F UTF8-tail / %xEE-EF 2( UTF8-tail )
//   UTF8-4 = %xF0 %x90-BF 2( UTF8-tail ) / %xF1-F3 3( UTF8-tail ) / %xF4 %x80-8F 2( UTF8-tail )
// C0 and C1 could only start overlong forms, E0 and F0 are overlong below A0 and 90, ED starts
// the surrogates from A0 on, F4 passes U+10FFFF from 90 on, and F5..FF never occur. A bare
// continuation byte (80..BF) cannot start a sequence.
bool Utf8Validator::startSequence(unsigned char lead) noexcept {
  low_ = 0x80;
  high_ = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    pending_ = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    pending_ = 2;
    if (lead == 0xE0) low_ = 0xA0;
    if (lead == 0xED) high_ = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    pending_ = 3;
    if (lead == 0xF0) low_ = 0x90;
    if (lead == 0xF4) high_ = 0x8F;
  } else {
    return false;
  }
  return true;
}

bool Utf8Validator::feed(const char* data, std::size_t len) noexcept {
  if (failed_) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  const auto* const end = p + len;
  while (p < end) {
    if (pending_ == 0) {
      p = skipAscii(p, end);
      if (p == end) break;
      const unsigned char c = *p++;
      if (c < 0x80) continue;
      if (!startSequence(c)) {
        failed_ = true;
        return false;
      }
      continue;
    }
    const unsigned char c = *p++;
    if (c < low_ || c > high_) {
      failed_ = true;
      return false;
    }
    low_ = 0x80;
    high_ = 0xBF;
    --pending_;
  }
  return true;
}

bool isValidUtf8(std::string_view text) noexcept {
  Utf8Validator v;
  return v.feed(text) && v.complete();
}

}  // namespace closewise::protocol
