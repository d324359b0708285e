// The upstream pools as companions of the public workers (server/worker_companion.h): each worker
// loop gets its own pools before it accepts, they stop taking requests when the worker's drain
// stops taking connections, and they close with the worker, so the process exits with no
// outbound socket open.
#pragma once

#include "server/server.h"
#include "upstream/registry.h"

namespace closewise::app {

// `upstreams` must outlive srv.run(): it holds the pools the workers use.
void attachUpstreams(server::Server& srv, upstream::Registry& upstreams);

}  // namespace closewise::app
