// The admin listener's routes. They live on their own listener (--admin, loopback by default),
// never on a public port, and read the server only through Server's thread-safe views.
#pragma once

#include <optional>
#include <string>

#include "server/config.h"
#include "server/router.h"
#include "server/server.h"

namespace closewise::admin {

// Registers /healthz, /readyz, /drain and the views on the admin router.
void registerAdminRoutes(server::Router& router, server::Server& server);

// An admin listener on a non-loopback address without a token would hand the drain button and
// the connection list to anyone who can reach it: refuse to start. Returns the message, if any.
//
// The rule applies to where the listener really is. `adoptedFd` is the admin socket taken from
// systemd (closewise-admin.socket) or a predecessor (SIGUSR2 handoff), or -1; when there is one,
// --admin is not bound, so the socket's own address (getsockname) is checked instead.
std::optional<std::string> checkAdminExposure(const server::Config& config, int adoptedFd);

}  // namespace closewise::admin
