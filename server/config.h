// The server's settings: the rows of the settings table that the server reads
// (settings/settings.h). app/ reads them from the command line and the TOML file, beside the other
// modules' rows; docs/configuration.md describes every setting, its default and why the default is
// what it is.
//
// Everything is validated before the server starts (each row's apply, then finishConfig), so a
// bad value is a clear message and exit code 2 at start-up rather than a surprise under load. On
// SIGHUP the program reads its command line and file again and hands the server the settings
// that can change live (Server::setReloader).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lifecycle/timeout_policy.h"
#include "settings/settings.h"

namespace closewise::server {

inline constexpr std::string_view kVersion = CLOSEWISE_VERSION;

// An address to listen on. The host is kept numeric and without brackets ("::1"), ready for
// uv_ip4_addr()/uv_ip6_addr(); text() puts the brackets back for logs and /stats.
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;

  std::string text() const;
  bool isIpv6() const;

  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// Accepts "IPV4:PORT" ("127.0.0.1:8080"), "[IPV6]:PORT" ("[::1]:8080") and "localhost:PORT", which
// means 127.0.0.1. Other host names are refused: resolving names would make start-up depend on DNS
// and a name can stand for several addresses. IPv6 zone ids ("[fe80::1%eth0]") are refused too.
// PORT is 0 to 65535; 0 asks the kernel for a free port, which tests rely on.
std::optional<ListenAddress> parseListenAddress(std::string_view text);
// What parseListenAddress accepts, for the messages that refuse an address.
inline constexpr std::string_view kListenAddressForms =
    "an address like 127.0.0.1:8080, [::1]:8080 or localhost:8080";

struct Config {
  std::vector<ListenAddress> listen{ListenAddress{"127.0.0.1", 8080}};
  unsigned workers = 1;
  std::string logLevel = "info";
  std::string logFormat = "text";  // or "json" (app/logging.h)
  bool accessLog = false;
  // The demo routes (/, /echo, /delay, /bytes, /stream, /ws/echo; server/demo_routes.cc). On for `make run`
  // and the tests; a deployment that serves only its own handlers turns them off.
  bool demoRoutes = true;
  std::size_t maxHeaderBytes = 16 * 1024;
  std::size_t maxBodyBytes = 1024 * 1024;
  std::size_t wsMaxMessageBytes = 1024 * 1024;
  lifecycle::TimeoutPolicy timeouts;  // lingerRead is derived: min(2s, linger).
  std::chrono::milliseconds drainTimeout{30'000};
  std::chrono::milliseconds drainDelay{0};
  std::size_t maxConnections = 0;  // 0: the server derives it from RLIMIT_NOFILE at start-up.
  std::chrono::milliseconds tcpKeepalive{0};  // 0: off.
  // The --config file the settings were read from (empty: none); SIGHUP reads it again.
  std::string configFile;
  std::vector<int> inheritFds;
};

// The server's rows, in --help order.
std::span<const settings::SettingRow<Config>> settingRows();

// Runs once every source was applied: checks the rules that involve more than one setting and
// derives what has no flag of its own. Returns what went wrong, worded for the user without the
// program's name.
std::optional<std::string> finishConfig(Config& config);

// What a reload (SIGHUP) read: the running settings with the live changes applied, or why the
// command line or the file did not read.
struct ReloadOutcome {
  // Not empty when the command line or the file did not read: the message start-up would print,
  // and nothing else here is set.
  std::string error;
  Config config;                                 // the running settings with the applied changes
  std::vector<settings::SettingChange> applied;  // Live settings that changed
  std::vector<settings::SettingChange> needRestart;  // Restart settings that changed; not applied
};

}  // namespace closewise::server
