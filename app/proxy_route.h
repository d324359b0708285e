// A worked example of the upstream client (upstream/client.h) in a handler: `/proxy/NAME/PATH`,
// any method, forwards the request to the upstream NAME as /PATH (with the query) and streams its
// answer back. It shows the three ties between a downstream answer and an upstream request:
// back-pressure (a slow client pauses the upstream's socket), cancellation (a client that leaves
// cancels the upstream request, whose connection then closes instead of going back to the pool),
// and errors (each kind answered with the status a proxy owes its client, 502, 503 or 504).
//
// The path is passed on as it came (no percent-decoding); hop-by-hop fields are dropped, Via and
// X-Forwarded-For added. An unknown NAME answers 404. Registered by app/main.cc beside the demo
// routes when any upstream is configured.
#pragma once

#include "server/router.h"
#include "upstream/registry.h"

namespace closewise::app {

void registerProxyRoute(server::Router& router, const upstream::Registry& upstreams);

}  // namespace closewise::app
