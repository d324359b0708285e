// closewise's own program: the server, the admin listener and the demo routes
// (--demo-routes=false serves only the admin listener and 404s).
#include "app/run.h"
#include "server/demo_routes.h"

int main(int argc, char** argv) {
  using namespace closewise;
  return app::run(argc, argv, [](server::Router& router, const app::Config& config) {
    if (config.server.demoRoutes) server::registerDemoRoutes(router);
  });
}
