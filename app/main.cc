// closewise's own program: the server, the admin listener and the demo routes
// (--demo-routes=false serves only the admin listener and 404s), with /proxy beside them when an
// upstream is configured (--upstream NAME=URL).
#include "app/proxy_route.h"
#include "app/run.h"
#include "server/demo_routes.h"

int main(int argc, char** argv) {
  using namespace closewise;
  return app::run(
      argc, argv,
      [](server::Router& router, const app::Config& config, const upstream::Registry& upstreams) {
        if (!config.server.demoRoutes) return;
        server::registerDemoRoutes(router);
        // A demo too, and an open door to every upstream for whoever reaches the port: off with
        // the others in production.
        if (!upstreams.empty()) app::registerProxyRoute(router, upstreams);
      });
}
