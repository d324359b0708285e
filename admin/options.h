// The admin listener's settings (--admin, its token, the names it answers to, the CLOSE_WAIT
// alert) as rows of the settings table (settings/settings.h). app/ adds them to the command line
// and the TOML file beside the server's; admin reads them, the server never does.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/config.h"
#include "settings/settings.h"

namespace closewise::admin {

struct Options {
  // Where the admin listener binds; nullopt is "--admin off".
  std::optional<server::ListenAddress> listen{server::ListenAddress{"127.0.0.1", 9901}};
  std::string token;      // From --admin-token, or read from --admin-token-file by finishOptions.
  std::string tokenFile;  // The path as given.
  // Host names the admin listener answers to besides IP literals and localhost (lower case).
  std::vector<std::string> allowedHosts;
  std::chrono::milliseconds closeWaitAlert{5'000};
  bool openMetrics = false;  // GET /metrics without the token; the other routes keep it
};

// The admin rows, in --help order.
std::span<const settings::SettingRow<Options>> settingRows();

// Runs once every source was applied: reads --admin-token-file. Returns what went wrong, worded
// for the user without the program's name.
std::optional<std::string> finishOptions(Options& options);

// An admin listener on a non-loopback address without a token would hand the drain button and
// the connection list to anyone who can reach it: refuse to start. Returns the message, if any.
//
// The rule applies to where the listener really is. `adoptedFd` is the admin socket taken from
// systemd (closewise-admin.socket) or a predecessor (SIGUSR2 handoff), or -1; when there is one,
// --admin is not bound, so the socket's own address (getsockname) is checked instead.
std::optional<std::string> checkAdminExposure(const Options& options, int adoptedFd);

}  // namespace closewise::admin
