#include "app/run.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "admin/routes.h"
#include "admin/states_command.h"
#include "app/command_line.h"
#include "app/logging.h"
#include "app/worker_upstreams.h"
#include "server/server.h"
#include "server/socket_handoff.h"
#include "server/systemd.h"

namespace closewise::app {

namespace {

int runStates(const StatesArgs& args) {
  admin::StatesOptions options;
  options.ports = args.ports;
  options.json = args.json;
  options.watch = args.watch;
  options.forceProcfs = args.forceProcfs;
  return admin::runStatesCommand(options, std::cout, std::cerr);
}

// The listening sockets this process was given instead of binding its own.
struct GivenSockets {
  std::vector<int> activatedFds;  // systemd's public sockets, when --inherit-fds names none
  int adminFd = -1;               // the admin listener's, from a predecessor or systemd
  int predecessorPipe = -1;       // where to tell a predecessor we are ready; -1: none
};

// Both sources read and clear their environment variables, so this runs before any thread
// exists. A predecessor names its sockets with --inherit-fds and the admin one in the
// environment; systemd names them all in LISTEN_FDS. An explicit --inherit-fds wins over
// systemd's. Returns nullopt after logging why the sockets cannot be used.
std::optional<GivenSockets> takeGivenSockets(const server::Config& config) {
  const auto handoff = server::takeHandoffEnvironment();
  const auto activated = server::systemd::takeActivatedSockets();
  for (const std::string& error : {handoff.error, activated.error}) {
    if (!error.empty()) {
      spdlog::error("cannot start: {}", error);
      return std::nullopt;
    }
  }
  GivenSockets given{{}, handoff.adminFd, handoff.readyFd};
  if (!activated.any()) return given;
  if (!config.inheritFds.empty()) {
    spdlog::warn("ignoring the {} sockets systemd passed: --inherit-fds was given",
                 activated.publicFds.size() + (activated.adminFd >= 0 ? 1 : 0));
    return given;
  }
  given.activatedFds = activated.publicFds;
  if (given.adminFd < 0) given.adminFd = activated.adminFd;
  spdlog::info("socket activation: {} public sockets{} from systemd", activated.publicFds.size(),
               activated.adminFd >= 0 ? " and the admin one" : "");
  return given;
}

// systemd (Type=notify). A successor is not the process systemd started, so it announces itself
// as the main process (the unit needs NotifyAccess=all). With NotifyAccess=all systemd takes a
// STATUS= from any process of the unit, so a predecessor that handed over says nothing more: the
// successor's status stands, and the predecessor's drain is not the service stopping.
void notifySystemd(server::Server& srv, bool successor) {
  srv.setOnReady([&srv, successor] {
    const std::string status =
        "STATUS=serving on " + std::to_string(srv.publicPorts().size()) + " addresses\n";
    server::systemd::notify(successor
                                ? "MAINPID=" + std::to_string(getpid()) + "\nREADY=1\n" + status
                                : "READY=1\n" + status);
  });
  srv.setOnDrain([&srv] {
    if (!srv.handedOver()) server::systemd::notify("STOPPING=1\nSTATUS=draining");
  });
}

int serve(int argc, char** argv, const Config& config, const RegisterRoutes& registerRoutes) {
  // A write to a socket the peer has reset must come back as EPIPE, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  setUpLogging(config.server.logLevel, config.server.logFormat);
  const auto given = takeGivenSockets(config.server);
  if (!given) return 1;
  // Checked here, once the admin socket is known: an adopted one is used wherever it is bound,
  // whatever --admin says.
  if (auto problem = admin::checkAdminExposure(config.admin, given->adminFd)) {
    std::cerr << "closewise: " << *problem << "\n";
    return 2;
  }

  // Before the server, which must be gone (its loops closed) before the pools it used go.
  upstream::Registry upstreams(config.upstream.upstreams);
  server::Server srv(config.server);
  if (!upstreams.empty()) attachUpstreams(srv, upstreams);
  std::vector<std::string> commandLine(argv, argv + argc);
  srv.setCommandLine(commandLine);
  srv.setReloader([commandLine, started = config](const server::Config& running) {
    Config whole = started;
    whole.server = running;
    return reloadConfig(commandLine, whole);
  });
  srv.setActivatedFds(given->activatedFds);
  srv.setInheritedAdminFd(given->adminFd);
  srv.setAdminAddress(config.admin.listen);
  srv.setPredecessorPipe(given->predecessorPipe);
  notifySystemd(srv, given->predecessorPipe >= 0);
  registerRoutes(srv.publicRouter(), config, upstreams);
  admin::registerAdminRoutes(srv.adminRouter(), srv.control(), config.admin, &upstreams);
  return srv.run();
}

}  // namespace

int run(int argc, char** argv, const RegisterRoutes& registerRoutes) {
  const auto outcome = parseCommandLine(argc, argv, std::cout, std::cerr);
  if (outcome.exitCode) return *outcome.exitCode;
  if (outcome.parsed.command == Command::States) return runStates(outcome.parsed.states);
  const int code = serve(argc, argv, outcome.parsed.config, registerRoutes);
  finishLogging();
  return code;
}

}  // namespace closewise::app
