#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace closewise::protocol {

// An incremental UTF-8 validator (RFC 3629). A WebSocket text message arrives in pieces, split
// across frames and reads at any byte, and RFC 6455 8.1 wants the connection failed as soon as
// the bytes cannot be valid UTF-8, not when the message ends: so the state of an unfinished
// sequence is carried from one feed() to the next, and feed() fails at the first byte that no
// continuation could make valid.
//
// Valid means the UTF8-octets of RFC 3629 4: no overlong forms, no surrogates (U+D800..DFFF),
// nothing above U+10FFFF.
class Utf8Validator {
 public:
  // Checks the next bytes. Returns false as soon as the bytes seen since reset() stop being the
  // beginning of some valid UTF-8 text, and keeps returning false until reset().
  bool feed(const char* data, std::size_t len) noexcept;
  bool feed(std::string_view bytes) noexcept { return feed(bytes.data(), bytes.size()); }

  // No sequence is left unfinished: the bytes seen so far are valid UTF-8 as a whole.
  bool complete() const noexcept { return !failed_ && pending_ == 0; }
  bool failed() const noexcept { return failed_; }
  void reset() noexcept { *this = Utf8Validator{}; }

 private:
  bool startSequence(unsigned char lead) noexcept;

  std::uint8_t pending_ = 0;  // continuation bytes the current sequence still needs
  // The range the next continuation byte must fall in. It is 80..BF except right after some
  // lead bytes, where a narrower range rules out overlongs, surrogates and values past U+10FFFF.
  std::uint8_t low_ = 0x80;
  std::uint8_t high_ = 0xBF;
  bool failed_ = false;
};

// The whole text at once.
bool isValidUtf8(std::string_view text) noexcept;

}  // namespace closewise::protocol
