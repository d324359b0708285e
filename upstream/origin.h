// An upstream's origin as configured ("http://HOST:PORT") and the addresses its name stands for.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lifecycle/timeout_policy.h"

namespace closewise::upstream {

// An origin (RFC 9110 section 4.3.1) this client can reach: scheme http only, since TLS is not
// part of closewise.
struct Origin {
  std::string host;  // a name, or an IP literal without its brackets ("::1")
  std::uint16_t port = 80;
  bool ipLiteral = false;  // host is an IPv4 or IPv6 literal: no resolution needed
  // What a request to it carries in Host (RFC 9110 section 7.2): the authority as configured,
  // brackets included, the port left out when it is the default.
  std::string authority;
};

struct OriginParse {
  std::optional<Origin> origin;
  std::string error;  // when !origin: what is wrong, naming the input
};

// Parses "http://HOST[:PORT]" with an optional trailing "/". HOST is a DNS name (letters,
// digits, '-', '.'), an IPv4 literal, or an IPv6 literal in brackets (RFC 3986 section 3.2.2);
// PORT is 1-65535 and defaults to 80 (RFC 9110 section 4.2.1). Anything else (another scheme,
// userinfo, a path, a query, an empty host) is an error naming the input.
OriginParse parseOrigin(std::string_view url);

// The addresses of an origin, resolved on the loop with uv_getaddrinfo (in libuv's thread pool,
// so the loop never blocks) and cached. The cache is refreshed when it is older than maxAge, and
// forgotten after a connect failure (forget()), since a refused or unreachable address is often
// one DNS has since moved away from. One Resolver per (loop, origin); callers that ask while a
// lookup is under way wait for that one.
class Resolver {
 public:
  using Addresses = std::vector<sockaddr_storage>;
  // status is 0 or a libuv error (UV_EAI_NONAME, UV_ECANCELED, ...); addresses in the resolver's
  // order, which the connector tries in turn.
  using Callback = std::function<void(int status, const Addresses& addresses)>;

  Resolver(uv_loop_t* loop, Origin origin, lifecycle::Duration maxAge);
  ~Resolver();  // asserts no lookup is under way (cancel() and run the loop first)
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Calls back with the cached addresses at once if they are fresh, or after a lookup. An IP
  // literal is answered at once, always.
  void resolve(Callback callback);
  // Drops the cache so the next resolve() looks the name up again.
  void forget() noexcept { resolvedAt_.reset(); }
  // Asks libuv to cancel a lookup under way; its waiters are called with UV_ECANCELED (or with
  // the result, if it was already done). Safe to call at any time.
  void cancel() noexcept;
  bool busy() const noexcept { return inFlight_; }
  std::uint64_t lookups() const noexcept { return lookups_; }

 private:
  static void onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept;
  void finish(int status, addrinfo* res);

  uv_loop_t* loop_;
  Origin origin_;
  lifecycle::Duration maxAge_;
  uv_getaddrinfo_t req_{};
  bool inFlight_ = false;
  std::uint64_t lookups_ = 0;
  std::optional<lifecycle::TimePoint> resolvedAt_;
  Addresses addresses_;
  std::vector<Callback> waiting_;
};

}  // namespace closewise::upstream
