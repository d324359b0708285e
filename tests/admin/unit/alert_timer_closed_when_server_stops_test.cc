// The admin view's alert timer lives on the server's main loop and is closed from the server's
// stopping hook, so a server with the admin routes ends with every main-loop handle closed: run()
// returns 0, not the 1 of a loop that could not be closed.
#include <catch2/catch.hpp>

#include "admin/routes.h"
#include "server/server.h"

using closewise::server::Config;
using closewise::server::ListenAddress;
using closewise::server::Server;

TEST_CASE("a server with the admin routes closes the alert timer when it stops", "[admin]") {
  Config config;
  config.listen = {ListenAddress{"127.0.0.1", 0}};
  config.drainDelay = std::chrono::milliseconds(0);
  Server server(config);
  server.setAdminAddress(ListenAddress{"127.0.0.1", 0});
  closewise::admin::registerAdminRoutes(server.adminRouter(), server.control(), {}, nullptr);
  server.setOnReady([&server] { server.control().requestDrain("test"); });

  CHECK(server.run() == 0);
}
