#include "admin/options.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "kernel/address.h"

namespace closewise::admin {

namespace {

using settings::Expectation;
using settings::Reload;
using settings::Shape;

const std::array<settings::SettingRow<Options>, 6> kRows{{
    {"admin", Shape::Text, Reload::Restart, "Admin", "ADDRESS|off",
     "Address of the admin listener (/stats, /connections), or off",
     [](const Options& o) { return o.listen ? o.listen->text() : std::string("off"); },
     [](Options& o, std::string_view v) -> Expectation {
       if (v == "off") {
         o.listen.reset();
         return std::nullopt;
       }
       const auto address = server::parseListenAddress(v);
       if (!address) {
         return std::string(server::kListenAddressForms) + ", or \"off\"";
       }
       o.listen = *address;
       return std::nullopt;
     }},
    {"admin-token", Shape::Secret, Reload::Restart, "Admin", "TOKEN",
     "Bearer token the admin routes require; prefer --admin-token-file, argv is public",
     [](const Options& o) { return o.token.empty() ? std::string("none") : o.token; },
     [](Options& o, std::string_view v) -> Expectation {
       if (v.empty()) {
         return "a non-empty token";
       }
       o.token = v;
       return std::nullopt;
     }},
    {"admin-token-file", Shape::Text, Reload::Restart, "Admin", "FILE",
     "File holding the admin token, read at start-up; a trailing newline is ignored",
     [](const Options& o) { return o.tokenFile.empty() ? "none" : o.tokenFile; },
     [](Options& o, std::string_view v) -> Expectation {
       if (v.empty()) {
         return "a file name";
       }
       o.tokenFile = v;
       return std::nullopt;
     }},
    {"admin-allowed-host", Shape::NameList, Reload::Restart, "Admin", "NAME",
     "Host name the admin listener also answers to (IP addresses and localhost always pass); "
     "repeat for more",
     [](const Options& o) {
       std::string joined;
       for (const std::string& name : o.allowedHosts) joined += (joined.empty() ? "" : ",") + name;
       return joined.empty() ? std::string("none") : joined;
     },
     [](Options& o, std::string_view v) -> Expectation {
       if (!settings::isHostName(v)) {
         return "a host name like metrics.example.internal, without a port";
       }
       std::string name(v);
       std::transform(name.begin(), name.end(), name.begin(),
                      [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
       o.allowedHosts.push_back(std::move(name));
       return std::nullopt;
     },
     [](Options& o) { o.allowedHosts.clear(); }},
    {"admin-open-metrics", Shape::Switch, Reload::Restart, "Admin", "",
     "Serve GET /metrics without the admin token, for scrapers that send none (Prometheus "
     "annotations); /healthz and /readyz never need it, every other route still does",
     [](const Options& o) { return settings::showSwitch(o.openMetrics); },
     [](Options& o, std::string_view v) { return settings::setSwitch(o.openMetrics, v); }},
    {"close-wait-alert", Shape::Duration, Reload::Restart, "Timeouts", "DURATION",
     "Warn when a connection stays in CLOSE_WAIT (peer's FIN unanswered) this long",
     [](const Options& o) { return settings::showDuration(o.closeWaitAlert); },
     [](Options& o, std::string_view v) {
       return settings::setPositiveDuration(o.closeWaitAlert, v);
     }},
}};

// 127.0.0.0/8 (RFC 1122 section 3.2.1.3) and ::1 (RFC 4291 section 2.5.3); also 127.0.0.0/8
// written as an IPv4-mapped IPv6 address (::ffff:127.0.0.1), which a dual-stack socket can be
// bound to.
bool isLoopback(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (address.ss_family == AF_INET6) {
    const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

// The socket address --admin names. The host was checked to be numeric when the flag was read,
// so the conversion cannot fail; if it did, the empty address counts as not loopback.
sockaddr_storage socketAddressOf(const server::ListenAddress& listen) {
  sockaddr_storage address{};
  if (listen.isIpv6()) {
    (void)uv_ip6_addr(listen.host.c_str(), listen.port, reinterpret_cast<sockaddr_in6*>(&address));
  } else {
    (void)uv_ip4_addr(listen.host.c_str(), listen.port, reinterpret_cast<sockaddr_in*>(&address));
  }
  return address;
}

}  // namespace

std::span<const settings::SettingRow<Options>> settingRows() {
  return kRows;
}

std::optional<std::string> finishOptions(Options& options) {
  if (options.tokenFile.empty()) {
    return std::nullopt;
  }
  if (!options.token.empty()) {
    return "--admin-token and --admin-token-file: give one or the other";
  }
  std::string token;
  if (auto why = settings::readSettingFile(options.tokenFile, token)) {
    return "cannot read admin token file \"" + options.tokenFile + "\": " + *why;
  }
  // Editors and `echo` end a file with a newline; it is not part of the token.
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
    token.pop_back();
  }
  if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
    return "--admin-token-file: expected a file holding one line, the token, got \"" +
           options.tokenFile + "\" with " + (token.empty() ? "no token" : "more than one line");
  }
  options.token = std::move(token);
  return std::nullopt;
}

std::optional<std::string> checkAdminExposure(const Options& options, int adoptedFd) {
  // Without --admin an adopted socket is closed unused (Server::run), so it exposes nothing.
  if (!options.listen || !options.token.empty()) return std::nullopt;
  constexpr std::string_view kFix =
      " is not a loopback address: set --admin-token TOKEN (or --admin-token-file FILE), "
      "or bind the admin listener to 127.0.0.1 or [::1]";
  if (adoptedFd < 0) {
    if (isLoopback(socketAddressOf(*options.listen))) return std::nullopt;
    return "--admin " + options.listen->text() + std::string(kFix);
  }
  const std::string socket = "the inherited admin socket (fd " + std::to_string(adoptedFd) + ")";
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  if (::getsockname(adoptedFd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return "cannot tell where " + socket + " is bound: getsockname: " + std::strerror(errno);
  }
  if (bound.ss_family != AF_INET && bound.ss_family != AF_INET6) {
    return socket + " is not an IPv4 or IPv6 socket";
  }
  if (isLoopback(bound)) return std::nullopt;
  return socket + ", bound to " + kernel::formatSocketAddress(bound) + "," + std::string(kFix);
}

}  // namespace closewise::admin
