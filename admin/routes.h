// The admin listener's route table. The routes live on their own listener (--admin, loopback by
// default), never on a public port, and reach the server only through its ControlSurface.
#pragma once

#include "admin/options.h"
#include "server/control_surface.h"
#include "server/router.h"
#include "upstream/registry.h"

namespace closewise::admin {

// Registers /healthz, /readyz, /drain and the views on the admin router, and starts the alert
// timer on the server's main loop (AdminView). `upstreams` (nullptr when none is configured)
// must outlive the server's main loop: the views read its pools' books.
void registerAdminRoutes(server::Router& router, server::ControlSurface& server,
                         const Options& options, const upstream::Registry* upstreams);

}  // namespace closewise::admin
