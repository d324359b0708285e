// The server's settings and how they are read: command-line flags, optionally on top of a TOML
// file. docs/configuration.md describes every setting, its default and why the default is what it
// is; `closewise --help` prints the same list.
//
// Precedence, lowest to highest: the defaults written in Config below, the file named by --config,
// the command line. Everything is validated before the server starts, so a bad value is a clear
// message and exit code 2 at start-up rather than a surprise under load.
//
// On SIGHUP the same command line and its file are read again (reloadConfig below): the settings
// that can change while the server runs take their new values, the others are reported as needing
// a restart, and a file that does not read is refused whole.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "lifecycle/timeout_policy.h"

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

enum class Command : std::uint8_t { Serve, States };

// `closewise states --port P [--port P] [--json] [--watch 1s] [--source sock_diag|procfs]`
struct StatesArgs {
  std::vector<std::uint16_t> ports;
  bool json = false;
  std::chrono::milliseconds watch{0};  // 0 prints once and exits.
  bool forceProcfs = false;            // --source procfs; sock_diag is the default.
};

struct Config {
  std::vector<ListenAddress> listen{ListenAddress{"127.0.0.1", 8080}};
  std::optional<ListenAddress> admin{ListenAddress{"127.0.0.1", 9901}};  // nullopt: "--admin off".
  std::string adminToken;      // From --admin-token, or read from --admin-token-file.
  std::string adminTokenFile;  // The path as given; adminToken already holds its contents.
  // Host names the admin listener answers to besides IP literals and localhost (lower case).
  std::vector<std::string> adminAllowedHosts;
  unsigned workers = 1;
  std::string logLevel = "info";
  bool accessLog = false;
  // The demo routes (/, /echo, /delay, /bytes, /stream; server/demo_routes.cc). On for `make run`
  // and the tests; a deployment that serves only its own handlers turns them off.
  bool demoRoutes = true;
  std::size_t maxHeaderBytes = 16 * 1024;
  std::size_t maxBodyBytes = 1024 * 1024;
  lifecycle::TimeoutPolicy timeouts;  // lingerRead is derived: min(2s, linger).
  std::chrono::milliseconds drainTimeout{30'000};
  std::chrono::milliseconds drainDelay{0};
  std::size_t maxConnections = 0;  // 0: the server derives it from RLIMIT_NOFILE at start-up.
  std::chrono::milliseconds tcpKeepalive{0};  // 0: off.
  std::chrono::milliseconds closeWaitAlert{5'000};
  std::string configFile;
  std::vector<int> inheritFds;
};

struct ParsedCommandLine {
  Command command = Command::Serve;
  Config config;
  StatesArgs states;
};

// exitCode is std::nullopt when the program should go on and run `parsed`. Otherwise the program
// should exit with it: 0 after --help or --version (printed to `out`), 2 after a bad flag, value or
// config file (one message printed to `err`, naming the flag or the file and key, and saying what
// is accepted).
struct ParseOutcome {
  std::optional<int> exitCode;
  ParsedCommandLine parsed;
};

// Never throws: every failure, including one from CLI11 or toml++, becomes exit code 2.
ParseOutcome parseCommandLine(int argc, const char* const* argv, std::ostream& out,
                              std::ostream& err);

// Whether a running server can take a new value of a setting from a reload. Each row of the
// settings table (config.cc) says which. Live: the timeouts, limits, drain and logging settings,
// which each worker reads afresh for every new deadline, request or log line. Restart: what was
// built once at start-up from the setting (bound sockets, worker threads, registered routes, the
// admin listener and its alert rules, options copied into the listeners).
enum class Reload : std::uint8_t { Live, Restart };

// A setting whose value differs between two Configs, with both values as --help prints them
// (a secret as "(hidden)").
struct SettingChange {
  std::string_view name;  // the flag without "--", and the TOML key
  std::string before;
  std::string after;
  Reload reload = Reload::Restart;
};

// Every setting whose value differs, in the order of --help.
std::vector<SettingChange> diffSettings(const Config& before, const Config& after);

struct ReloadOutcome {
  // Not empty when the command line or the file did not read: the message start-up would print,
  // and nothing else here is set.
  std::string error;
  Config config;                           // `running` with the applied changes
  std::vector<SettingChange> applied;      // Live settings that changed
  std::vector<SettingChange> needRestart;  // Restart settings that changed; not applied
};

// Reads `commandLine` (argv as the process got it, argv[0] first) and the --config file it names
// again, exactly as at start-up, and compares the result with the running settings.
ReloadOutcome reloadConfig(const std::vector<std::string>& commandLine, const Config& running);

}  // namespace closewise::server
