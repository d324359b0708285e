// The program: reads the command line, sets up logging, takes the sockets it may have been given
// (systemd socket activation, or a predecessor's SIGUSR2 handoff), wires the server, the admin
// listener and the service's routes together, and runs them (or the `states` tool).
//
// A service built on closewise owns its main() and calls run() with its routes; app/main.cc is
// closewise's own program, which serves the demo routes.
#pragma once

#include <functional>

#include "app/config.h"
#include "server/router.h"
#include "upstream/registry.h"

namespace closewise::app {

// Registers the service's handlers on the public router, once, before the server starts. The
// whole configuration is there for routes that depend on a setting, and the upstream pools for
// routes that call an upstream (app/proxy_route.h shows how; empty when none is configured).
using RegisterRoutes =
    std::function<void(server::Router&, const Config&, const upstream::Registry&)>;

// Returns the process exit code: 0 after a drain, 1 when the server cannot start, 2 after a bad
// flag, value or config file.
int run(int argc, char** argv, const RegisterRoutes& registerRoutes);

}  // namespace closewise::app
