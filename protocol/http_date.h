#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace closewise::protocol {

// IMF-fixdate (RFC 9110 5.6.7), the only date format a sender may generate:
// "Sun, 06 Nov 1994 08:49:37 GMT". Independent of the locale and the TZ variable.
std::string formatHttpDate(std::time_t t);

// Every response carries a Date (RFC 9110 6.6.1); formatting it once per second instead of once
// per response keeps it off the hot path. Not thread-safe: one cache per event loop.
class DateCache {
 public:
  // The view stays valid until the next call with a different second.
  std::string_view get(std::time_t now) noexcept;

 private:
  static constexpr std::size_t kLength = 29;  // strlen("Sun, 06 Nov 1994 08:49:37 GMT")
  std::time_t second_ = -1;
  char text_[kLength] = {};
};

// Writes exactly 29 bytes of IMF-fixdate into out. The shared core of the two functions above.
void formatHttpDate(std::time_t t, char* out) noexcept;

}  // namespace closewise::protocol
