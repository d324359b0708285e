#include "protocol/http_date.h"

namespace closewise::protocol {

namespace {

constexpr char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

char* put2(char* p, int v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

char* put3(char* p, const char (&name)[4]) noexcept {
  p[0] = name[0];
  p[1] = name[1];
  p[2] = name[2];
  return p + 3;
}

}  // namespace

void formatHttpDate(std::time_t t, char* out) noexcept {
  // gmtime_r and hand formatting rather than strftime: %a and %b follow the locale, and the
  // wire format must not.
  std::tm tm{};
  gmtime_r(&t, &tm);
  char* p = put3(out, kDays[tm.tm_wday]);
  *p++ = ',';
  *p++ = ' ';
  p = put2(p, tm.tm_mday);
  *p++ = ' ';
  p = put3(p, kMonths[tm.tm_mon]);
  *p++ = ' ';
  const int year = tm.tm_year + 1900;  // IMF-fixdate has a four-digit year.
  p = put2(p, (year / 100) % 100);
  p = put2(p, year % 100);
  *p++ = ' ';
  p = put2(p, tm.tm_hour);
  *p++ = ':';
  p = put2(p, tm.tm_min);
  *p++ = ':';
  p = put2(p, tm.tm_sec);
  *p++ = ' ';
  *p++ = 'G';
  *p++ = 'M';
  *p = 'T';
}

std::string formatHttpDate(std::time_t t) {
  std::string s(29, '\0');
  formatHttpDate(t, s.data());
  return s;
}

std::string_view DateCache::get(std::time_t now) noexcept {
  if (now != second_) {
    formatHttpDate(now, text_);
    second_ = now;
  }
  return {text_, kLength};
}

}  // namespace closewise::protocol
