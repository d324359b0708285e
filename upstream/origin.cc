#include "upstream/origin.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cassert>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

namespace closewise::upstream {

namespace {

OriginParse fail(std::string_view url, std::string_view why) {
  return {std::nullopt, "upstream url '" + std::string(url) + "': " + std::string(why) +
                            " (expected http://HOST:PORT)"};
}

bool isNameChar(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

// An authority cut in two: the host (without an IPv6 literal's brackets) and the text after the
// port's ':', if there is one.
struct Authority {
  std::string_view host;
  bool bracketed = false;
  std::optional<std::string_view> port;
};

// Returns why `text` is not HOST, [V6] or either with ":PORT", or nullopt with `out` filled.
std::optional<std::string> splitAuthority(std::string_view text, Authority& out) {
  std::string_view afterHost;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return "an IPv6 literal lacks its ']'";
    out.host = text.substr(1, close - 1);
    out.bracketed = true;
    afterHost = text.substr(close + 1);
    if (!afterHost.empty() && afterHost.front() != ':') {
      return "unexpected text after the IPv6 literal";
    }
  } else {
    const std::size_t colon = text.find(':');
    out.host = text.substr(0, colon);
    afterHost = colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
  }
  if (!afterHost.empty()) {
    out.port = afterHost.substr(1);
    if (out.port->empty()) return "the port after ':' is empty";
  }
  return std::nullopt;
}

// Checks the host and says whether it is an IP literal; returns why not, or nullopt.
std::optional<std::string> checkHost(const Authority& authority, bool& ipLiteral) {
  const std::string host(authority.host);
  if (authority.bracketed) {
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return "'" + host + "' is not an IPv6 address";
    ipLiteral = true;
    return std::nullopt;
  }
  if (host.empty()) return "the host is empty";
  for (const char c : host) {
    if (!isNameChar(c)) return "the host has a character a name cannot have";
  }
  in_addr v4{};
  ipLiteral = inet_pton(AF_INET, host.c_str(), &v4) == 1;
  return std::nullopt;
}

std::optional<std::uint16_t> parsePortNumber(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

OriginParse parseOrigin(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  // The scheme is case-insensitive (RFC 3986 section 3.1), so "HTTP://" is the same origin.
  if (url.size() < kScheme.size() || strncasecmp(url.data(), kScheme.data(), kScheme.size()) != 0) {
    return fail(url, "the scheme must be http");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return fail(url, "only a host and a port are allowed (no userinfo, path or query)");
  }
  Authority authority;
  Origin origin;
  if (auto why = splitAuthority(rest, authority)) return fail(url, *why);
  if (auto why = checkHost(authority, origin.ipLiteral)) return fail(url, *why);
  origin.host = std::string(authority.host);
  if (authority.port) {
    const auto port = parsePortNumber(*authority.port);
    if (!port) return fail(url, "the port must be a number from 1 to 65535");
    origin.port = *port;
  }
  origin.authority = authority.bracketed ? "[" + origin.host + "]" : origin.host;
  if (origin.port != 80) origin.authority += ":" + std::to_string(origin.port);
  return {std::move(origin), {}};
}

Resolver::Resolver(uv_loop_t* loop, Origin origin, lifecycle::Duration maxAge)
    : loop_(loop), origin_(std::move(origin)), maxAge_(maxAge) {
  req_.data = this;
}

Resolver::~Resolver() {
  assert(!inFlight_ && "a Resolver must not die with a lookup under way");
}

void Resolver::resolve(Callback callback) {
  const lifecycle::TimePoint now{static_cast<std::int64_t>(uv_now(loop_))};
  const bool fresh = resolvedAt_ && now - *resolvedAt_ < maxAge_ && !addresses_.empty();
  if (fresh) {
    callback(0, addresses_);
    return;
  }
  waiting_.push_back(std::move(callback));
  if (inFlight_) return;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  // A literal is parsed, never looked up; AI_NUMERICHOST makes getaddrinfo say so.
  hints.ai_flags = AI_ADDRCONFIG | (origin_.ipLiteral ? AI_NUMERICHOST : 0);
  const std::string service = std::to_string(origin_.port);
  const int rc = uv_getaddrinfo(loop_, &req_, &Resolver::onResolved, origin_.host.c_str(),
                                service.c_str(), &hints);
  if (rc < 0) {
    finish(rc, nullptr);
    return;
  }
  inFlight_ = true;
  ++lookups_;
}

void Resolver::cancel() noexcept {
  if (inFlight_) uv_cancel(reinterpret_cast<uv_req_t*>(&req_));
}

void Resolver::onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept {
  auto* self = static_cast<Resolver*>(req->data);
  self->inFlight_ = false;
  self->finish(status, res);
}

void Resolver::finish(int status, addrinfo* res) {
  if (status == 0) {
    addresses_.clear();
    for (const addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      sockaddr_storage address{};
      std::memcpy(&address, ai->ai_addr, ai->ai_addrlen);
      addresses_.push_back(address);
    }
    resolvedAt_ = lifecycle::TimePoint{static_cast<std::int64_t>(uv_now(loop_))};
    if (addresses_.empty()) status = UV_EAI_NONAME;
  }
  if (res != nullptr) uv_freeaddrinfo(res);
  // The callbacks may call resolve() again (a retry), so they run from a list of their own.
  std::vector<Callback> callbacks;
  callbacks.swap(waiting_);
  for (auto& callback : callbacks) callback(status, addresses_);
}

}  // namespace closewise::upstream
