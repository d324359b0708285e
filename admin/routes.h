// The admin listener's route table. The routes live on their own listener (--admin, loopback by
// default), never on a public port, and reach the server only through its ControlSurface.
#pragma once

#include "admin/options.h"
#include "server/control_surface.h"
#include "server/router.h"

namespace closewise::admin {

// Registers /healthz, /readyz, /drain and the views on the admin router, and starts the alert
// timer on the server's main loop (AdminView).
void registerAdminRoutes(server::Router& router, server::ControlSurface& server,
                         const Options& options);

}  // namespace closewise::admin
