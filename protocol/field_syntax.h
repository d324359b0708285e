#pragma once

#include <string_view>

namespace closewise::protocol {

// The pieces of RFC 9110 5.6 field syntax that every parser of field values needs: optional
// whitespace, tokens and comma-separated lists. Header-only and constexpr where it can be, so a
// parser pays nothing for calling them once per field.

// OWS (RFC 9110 5.6.3): space or horizontal tab.
constexpr bool isOws(char c) noexcept {
  return c == ' ' || c == '\t';
}

// tchar (RFC 9110 5.6.2): the bytes a token (a field name, a method, a list element such as a
// connection option or a WebSocket subprotocol) may hold. A switch rather than a search of the
// symbols, since the request parser calls it for every byte of every field name.
constexpr bool isTchar(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

constexpr bool isToken(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!isTchar(c)) return false;
  }
  return true;
}

// A byte a field value may hold (RFC 9110 5.5: field-vchar, obs-text, SP and HTAB). CR, LF and
// NUL must be rejected; every other control byte is rejected as well.
constexpr bool isFieldValueByte(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  return (c >= 0x20 && c != 0x7F) || c == '\t';
}

constexpr std::string_view trimOws(std::string_view s) noexcept {
  while (!s.empty() && isOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && isOws(s.back())) s.remove_suffix(1);
  return s;
}

// Calls f(element) for each non-empty element of a comma-separated list, without its surrounding
// OWS (RFC 9110 5.6.1: a recipient ignores empty elements).
template <typename F>
constexpr void forEachListElement(std::string_view list, F&& f) {
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view element = trimOws(list.substr(0, comma));
    if (!element.empty()) f(element);
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace closewise::protocol
