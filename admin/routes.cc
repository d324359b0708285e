#include "admin/routes.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "admin/admin_view.h"
#include "admin/connections_view.h"
#include "admin/dashboard.h"
#include "admin/metrics.h"
#include "admin/request_policy.h"
#include "admin/stats.h"

namespace closewise::admin {

namespace {

// Constant-time comparison, so the token cannot be guessed a byte at a time from timings.
bool sameToken(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// Wraps a handler with the bearer-token check when a token is configured.
server::Handler guarded(const std::string& token, server::Handler handler) {
  if (token.empty()) return handler;
  return [token, handler = std::move(handler)](const server::Request& request,
                                               server::Responder responder) {
    const std::string* auth = request.header("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth == nullptr || auth->size() < kBearer.size() ||
        !sameToken(std::string_view(*auth).substr(kBearer.size()), token) ||
        auth->compare(0, kBearer.size(), kBearer) != 0) {
      responder.send(401, "admin token required\n", {{"WWW-Authenticate", "Bearer"}});
      return;
    }
    handler(request, std::move(responder));
  };
}

// Wraps a handler with the request policy (request_policy.h): a Host that is not this listener,
// or a state-changing request a page of another origin could have sent, is answered here and
// never reaches the route or the token check.
server::Handler admitted(std::vector<std::string> allowedHosts, server::Handler handler) {
  return [allowedHosts = std::move(allowedHosts), handler = std::move(handler)](
             const server::Request& request, server::Responder responder) {
    const Verdict verdict = admitAdminRequest(request, allowedHosts);
    if (verdict != Verdict::Allowed) {
      const Refusal refusal = refusalFor(verdict);
      responder.send(refusal.status, refusal.body, {{"Content-Type", "text/plain"}});
      return;
    }
    handler(request, std::move(responder));
  };
}

// Whether a route needs the bearer token (when one is configured) beyond the request policy.
enum class Access : std::uint8_t { Open, Token };

const std::vector<server::Header>& textHeaders() {
  static const std::vector<server::Header> headers = {{"Content-Type", "text/plain"}};
  return headers;
}

const std::vector<server::Header>& jsonHeaders() {
  // no-store: every answer is a live reading; a cached one would show a state that is gone.
  static const std::vector<server::Header> headers = {{"Content-Type", "application/json"},
                                                      {"Cache-Control", "no-store"}};
  return headers;
}

}  // namespace

namespace {

// Every route is registered through here, so none can miss the request policy; the token check,
// where the route has one, comes after it.
struct RouteTable {
  server::Router& router;
  const Options& options;

  void on(std::string_view method, std::string_view path, Access access,
          server::Handler handler) const {
    if (access == Access::Token) handler = guarded(options.token, std::move(handler));
    router.on(method, path, admitted(options.allowedHosts, std::move(handler)));
  }
};

// The two probes answer without the token. Kubernetes' kubelet and a balancer's health check can
// only send a fixed header, which would put the token in every manifest and config; and they
// reveal nothing ("ok", "ready", "draining") and change nothing. Envoy's /ready is open for the
// same reason. Everything that shows data or acts (/stats, /connections, POST /drain...) stays
// behind the token.
void addProbes(const RouteTable& routes, server::ControlSurface& server) {
  // Liveness: the admin loop answering at all is the proof the process serves its loops.
  routes.on("GET", "/healthz", Access::Open,
            [](const server::Request&, server::Responder responder) {
              responder.send(200, "ok\n", textHeaders());
            });
  // Readiness for load balancers: 503 from the moment a drain begins.
  routes.on("GET", "/readyz", Access::Open,
            [&server](const server::Request&, server::Responder responder) {
              if (server.ready()) {
                responder.send(200, "ready\n", textHeaders());
              } else {
                responder.send(503, server.draining() ? "draining\n" : "starting\n", textHeaders());
              }
            });
}

void addDrain(const RouteTable& routes, server::ControlSurface& server) {
  routes.on("POST", "/drain", Access::Token,
            [&server](const server::Request&, server::Responder responder) {
              const bool already = server.draining();
              if (!already) server.requestDrain("POST /drain");
              responder.send(202, already ? "already draining\n" : "drain started\n",
                             textHeaders());
            });
}

void addViews(const RouteTable& routes, const std::shared_ptr<AdminView>& view) {
  routes.on("GET", "/stats", Access::Token,
            [view](const server::Request&, server::Responder responder) {
              responder.send(200, statsJson(view->gather()), jsonHeaders());
            });
  // Prometheus' annotation-based scraping sends no header of its own, so --admin-open-metrics
  // serves the numbers without the token; /stats keeps it (it names the listeners' addresses).
  routes.on("GET", "/metrics", routes.options.openMetrics ? Access::Open : Access::Token,
            [view](const server::Request&, server::Responder responder) {
              responder.send(200, metricsText(view->gather()),
                             {{"Content-Type", std::string(kMetricsContentType)}});
            });
}

void answerConnections(server::ControlSurface& server, const server::Request& request,
                       server::Responder responder) {
  auto parsed = parseConnectionsQuery(request.query);
  if (!parsed.query) {
    responder.send(400, parsed.error, textHeaders());
    return;
  }
  // The workers answer on the main loop later; std::function needs a copyable callable, and a
  // Responder is move-only, hence the shared_ptr.
  auto pending = std::make_shared<server::Responder>(std::move(responder));
  server.listConnections(
      [pending, query = *parsed.query](std::vector<server::ConnectionInfo> connections) {
        const std::size_t matched = selectConnections(connections, query);
        for (auto& c : connections) {
          // The worker fills the peer only when it logs it (it costs a getpeername per accept).
          // Asking here, on the main loop, races with the worker closing the fd and a new socket
          // taking its number, so at worst a peer is wrong for a connection that is gone by the
          // time the answer is read.
          if (c.peer.empty()) c.peer = peerOf(c.fd);
        }
        auto headers = jsonHeaders();
        headers.push_back({"X-Total-Count", std::to_string(matched)});
        pending->send(200, connectionsJson(connections), headers);
      });
}

void addConnections(const RouteTable& routes, server::ControlSurface& server) {
  routes.on("GET", "/connections", Access::Token,
            [&server](const server::Request& request, server::Responder responder) {
              answerConnections(server, request, std::move(responder));
            });
}

// The dashboard page is static: it holds no data and fetches /stats with the token it is given
// (see docs/admin.md), so it is served without one. A browser cannot attach a bearer token to a
// page load, and every number the page shows still comes through a guarded route.
void addDashboard(const RouteTable& routes) {
  routes.on("GET", "/", Access::Open, [](const server::Request&, server::Responder responder) {
    responder.send(200, kDashboardHtml,
                   {{"Content-Type", "text/html; charset=utf-8"}, {"Cache-Control", "no-cache"}});
  });
}

}  // namespace

void registerAdminRoutes(server::Router& router, server::ControlSurface& server,
                         const Options& options, const upstream::Registry* upstreams) {
  AlertThresholds thresholds;
  thresholds.closeWaitAfter = options.closeWaitAlert;
  thresholds.fallbackBacklog = static_cast<std::uint32_t>(server.listenBacklog());
  // Lives as long as the routes that hold it, which live as long as the Server; it closes its
  // timer from the server's stopping hook, before the main loop ends.
  auto view = std::make_shared<AdminView>(server, thresholds, upstreams);
  view->start();
  const RouteTable routes{router, options};
  addProbes(routes, server);
  addDrain(routes, server);
  addViews(routes, view);
  addConnections(routes, server);
  addDashboard(routes);
}

}  // namespace closewise::admin
