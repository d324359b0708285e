// closewise: the only file that sees every module. It reads the command line, sets up logging,
// registers the routes and runs the server (or the `states` tool).
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "admin/routes.h"
#include "admin/states_command.h"
#include "server/config.h"
#include "server/demo_routes.h"
#include "server/server.h"

int main(int argc, char** argv) {
  using namespace closewise;
  auto outcome = server::parseCommandLine(argc, argv, std::cout, std::cerr);
  if (outcome.exitCode) return *outcome.exitCode;
  const auto& parsed = outcome.parsed;

  if (parsed.command == server::Command::States) {
    admin::StatesOptions options;
    options.ports = parsed.states.ports;
    options.json = parsed.states.json;
    options.watch = parsed.states.watch;
    options.forceProcfs = parsed.states.forceProcfs;
    return admin::runStatesCommand(options, std::cout, std::cerr);
  }

  if (auto problem = admin::checkAdminExposure(parsed.config)) {
    std::cerr << "closewise: " << *problem << "\n";
    return 2;
  }

  // A write to a socket the peer has reset must come back as EPIPE, not kill the process.
  signal(SIGPIPE, SIG_IGN);

  auto logger = spdlog::stderr_color_mt("closewise");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(parsed.config.logLevel));

  server::Server srv(parsed.config);
  server::registerDemoRoutes(srv.publicRouter());
  admin::registerAdminRoutes(srv.adminRouter(), srv);
  return srv.run();
}
