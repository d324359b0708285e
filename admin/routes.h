// The admin listener's routes. They live on their own listener (--admin, loopback by default),
// never on a public port, and read the server only through Server's thread-safe views.
#pragma once

#include <optional>
#include <string>

#include "admin/options.h"
#include "server/router.h"
#include "server/server.h"

namespace closewise::admin {

// Registers /healthz, /readyz, /drain and the views on the admin router, with the token, the
// allowed hosts and the alert thresholds `options` give.
void registerAdminRoutes(server::Router& router, server::Server& server, const Options& options);

}  // namespace closewise::admin
