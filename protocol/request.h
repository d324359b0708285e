#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace closewise::protocol {

struct Header {
  std::string name;
  std::string value;
};

// One parameter of the route that matched ("id" of "/users/{id}"), its value percent-decoded.
struct PathValue {
  std::string name;
  std::string value;
};

// One parsed HTTP/1.x request. Every string owns its bytes: nothing points into the read buffer
// the parser was fed, so the caller may reuse that buffer as soon as feed() returns.
struct Request {
  std::string method;  // "GET"
  std::string target;  // as sent: "/delay?ms=5"
  std::string path;    // "/delay" (for absolute-form targets, the path after the authority)
  std::string query;   // "ms=5" (without '?')
  int versionMajor = 1;
  int versionMinor = 1;
  std::vector<Header> headers;   // in order, names as sent, values without surrounding whitespace
  std::vector<Header> trailers;  // trailer fields of a chunked body, kept apart from headers
  std::string body;              // the whole decoded body (bounded by Limits::maxBodyBytes)
  // What the client asked for (RFC 9112 9.3): HTTP/1.1 persists unless "Connection: close";
  // HTTP/1.0 persists only with "Connection: keep-alive". A CONNECT request never persists: what
  // follows it would be tunnel bytes, which this server does not relay.
  bool keepAlive = true;
  bool expectContinue = false;  // "Expect: 100-continue" in an HTTP/1.1 request (RFC 9110 10.1.1)
  bool chunked = false;         // the body is chunked (RFC 9112 7.1)
  std::optional<std::uint64_t> contentLength;
  // The matched route's parameters, in the pattern's order; filled by the server's router
  // (server/router.h), empty for a route without any.
  std::vector<PathValue> pathValues;

  // Case-insensitive; the first field with that name, or nullptr.
  const std::string* header(std::string_view name) const noexcept;
  // The first value of `key` in the query ("a=1&b=2"). Keys and values are compared and returned
  // raw: no percent-decoding and no '+' to space, so the view can point into `query` without a
  // copy. A key without '=' has the empty value. nullopt when the key is absent.
  std::optional<std::string_view> queryParam(std::string_view key) const;
  // The first value of `key` in the query, percent-decoded as a form sends it ('+' is a space;
  // protocol/percent_decoding.h). Keys are compared decoded, so "a%62c" is the key "abc". A pair
  // with a malformed escape in its key or value is skipped, as Go's URL.Query() drops it: the
  // bytes do not say what they mean, and a later well-formed pair with the key may. nullopt when
  // no pair has the key.
  std::optional<std::string> queryValue(std::string_view key) const;
  // The value of the matched route's parameter `name` (Go's Request.PathValue): "7" for "id"
  // when "/users/{id}" matched "/users/7". Empty when the route has no such parameter. The view
  // is into this request and lives as long as it does.
  std::string_view pathValue(std::string_view name) const noexcept;
  // Returns every field to its default but keeps the capacity of the strings and vectors.
  void clear() noexcept;
};

// ASCII case-insensitive comparison, as HTTP field names and tokens need (RFC 9110 5.1). Inline:
// the parser calls it for every field against a handful of names, and inlined, the length check
// settles most of those calls without a loop.
constexpr bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    const char y = (b[i] >= 'A' && b[i] <= 'Z') ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace closewise::protocol
