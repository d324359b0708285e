// closewise: the only file that sees every module. It reads the command line, sets up logging,
// takes the sockets it may have been given (systemd socket activation, or a predecessor's SIGUSR2
// handoff), registers the routes and runs the server (or the `states` tool).
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "admin/routes.h"
#include "admin/states_command.h"
#include "server/config.h"
#include "server/demo_routes.h"
#include "server/server.h"
#include "server/socket_handoff.h"
#include "server/systemd.h"

int main(int argc, char** argv) {
  using namespace closewise;
  auto outcome = server::parseCommandLine(argc, argv, std::cout, std::cerr);
  if (outcome.exitCode) return *outcome.exitCode;
  auto& parsed = outcome.parsed;

  if (parsed.command == server::Command::States) {
    admin::StatesOptions options;
    options.ports = parsed.states.ports;
    options.json = parsed.states.json;
    options.watch = parsed.states.watch;
    options.forceProcfs = parsed.states.forceProcfs;
    return admin::runStatesCommand(options, std::cout, std::cerr);
  }

  // A write to a socket the peer has reset must come back as EPIPE, not kill the process.
  signal(SIGPIPE, SIG_IGN);

  auto logger = spdlog::stderr_color_mt("closewise");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(parsed.config.logLevel));

  // Both read and clear their environment variables, so they run before any thread exists.
  // A predecessor names its sockets with --inherit-fds and the admin one in the environment;
  // systemd names them all in LISTEN_FDS. An explicit --inherit-fds wins over systemd's.
  const auto handoff = server::takeHandoffEnvironment();
  const auto activated = server::systemd::takeActivatedSockets();
  for (const std::string& error : {handoff.error, activated.error}) {
    if (!error.empty()) {
      spdlog::error("cannot start: {}", error);
      return 1;
    }
  }
  int adminFd = handoff.adminFd;
  std::vector<int> activatedFds;
  if (activated.any()) {
    if (parsed.config.inheritFds.empty()) {
      activatedFds = activated.publicFds;
      if (adminFd < 0) adminFd = activated.adminFd;
      spdlog::info("socket activation: {} public sockets{} from systemd",
                   activated.publicFds.size(), activated.adminFd >= 0 ? " and the admin one" : "");
    } else {
      spdlog::warn("ignoring the {} sockets systemd passed: --inherit-fds was given",
                   activated.publicFds.size() + (activated.adminFd >= 0 ? 1 : 0));
    }
  }
  const bool successor = handoff.readyFd >= 0;
  // Checked here, once the admin socket is known: an adopted one is used wherever it is bound,
  // whatever --admin says.
  if (auto problem = admin::checkAdminExposure(parsed.config, adminFd)) {
    std::cerr << "closewise: " << *problem << "\n";
    return 2;
  }

  server::Server srv(parsed.config);
  srv.setCommandLine(std::vector<std::string>(argv, argv + argc));
  srv.setActivatedFds(std::move(activatedFds));
  srv.setInheritedAdminFd(adminFd);
  srv.setPredecessorPipe(handoff.readyFd);
  // systemd (Type=notify). A successor is not the process systemd started, so it announces
  // itself as the main process (the unit needs NotifyAccess=all); the predecessor's drain that
  // follows is a handoff, and must not tell systemd the service is stopping.
  srv.setOnReady([&srv, successor] {
    const std::string status =
        "STATUS=serving on " + std::to_string(srv.publicPorts().size()) + " addresses\n";
    server::systemd::notify(successor
                                ? "MAINPID=" + std::to_string(getpid()) + "\nREADY=1\n" + status
                                : "READY=1\n" + status);
  });
  srv.setOnDrain([&srv] {
    if (srv.handedOver()) {
      server::systemd::notify("STATUS=handed over to pid " + std::to_string(srv.successorPid()) +
                              "; draining");
    } else {
      server::systemd::notify("STOPPING=1\nSTATUS=draining");
    }
  });
  if (parsed.config.demoRoutes) server::registerDemoRoutes(srv.publicRouter());
  admin::registerAdminRoutes(srv.adminRouter(), srv);
  return srv.run();
}
