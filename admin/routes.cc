#include "admin/routes.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "admin/alerts.h"
#include "admin/connections_view.h"
#include "admin/dashboard.h"
#include "admin/metrics.h"
#include "admin/request_policy.h"
#include "admin/stats.h"
#include "kernel/address.h"
#include "kernel/process_view.h"

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
  return [allowedHosts = std::move(allowedHosts), handler = std::move(handler)](const server::Request& request,
                                                       server::Responder responder) {
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

const std::vector<server::Header>& jsonHeaders() {
  // no-store: every answer is a live reading; a cached one would show a state that is gone.
  static const std::vector<server::Header> headers = {{"Content-Type", "application/json"},
                                                      {"Cache-Control", "no-store"}};
  return headers;
}

// The admin view's state on the main loop: one KernelStateReader for the life of the process
// (its netlink socket is reused by every query), the alert evaluator, and the 1 s timer that
// runs the evaluator.
//
// The timer and its companion check handle are unreferenced, so they never keep the main loop
// alive on their own; but libuv's uv_loop_close() fails while any handle is open, so they must
// still be closed when the loop winds down. Server owns that loop and gives the admin routes no
// hook for its end, so the check handle watches for it: after every loop iteration it looks for
// any other active, referenced handle (the signal watchers and the admin listener are there for
// as long as the server runs) and, once none is left, closes the admin view's own handles.
class AdminView {
 public:
  AdminView(server::Server& server, const Options& options)
      : server_(server), alerts_(thresholdsFor(options)), loop_(server.mainLoop()) {}
  AdminView(const AdminView&) = delete;
  AdminView& operator=(const AdminView&) = delete;

  void start() {
    // Opens the /proc files the process figures come from while descriptors are still free; they
    // stay open, so the alerts can still count descriptors once none is left.
    (void)kernel::readProcessView();
    uv_timer_init(loop_, &tick_);
    tick_.data = this;
    uv_check_init(loop_, &endWatch_);
    endWatch_.data = this;
    const int rcTimer = uv_timer_start(&tick_, &AdminView::onTickThunk, kTickMs, kTickMs);
    const int rcCheck = uv_check_start(&endWatch_, &AdminView::onCheckThunk);
    if (rcTimer != 0 || rcCheck != 0) {
      spdlog::error("admin: cannot start the alert timer: {}",
                    uv_err_name(rcTimer != 0 ? rcTimer : rcCheck));
    }
    uv_unref(reinterpret_cast<uv_handle_t*>(&tick_));
    uv_unref(reinterpret_cast<uv_handle_t*>(&endWatch_));
  }

  // Everything /stats and /metrics show: books, kernel, process, alerts, read now.
  AdminSnapshot gather() {
    AdminSnapshot snapshot;
    snapshot.server = server_.snapshot();
    snapshot.kernel = recentKernel();
    snapshot.process = kernel::readProcessView();
    snapshot.process.loopUtilization = utilization_;
    snapshot.alerts = alerts_.active();
    snapshot.nowMs = uv_now(loop_);
    return snapshot;
  }

 private:
  static constexpr std::uint64_t kTickMs = 1000;
  static constexpr std::uint64_t kMinReuseNs = 250'000'000;
  static constexpr std::uint32_t kAlertStates = kernel::tcpStateBit(kernel::TcpState::Established) |
                                                kernel::tcpStateBit(kernel::TcpState::CloseWait) |
                                                kernel::tcpStateBit(kernel::TcpState::Listen);

  static AlertThresholds thresholdsFor(const Options& options) {
    AlertThresholds thresholds;
    thresholds.closeWaitAfter = options.closeWaitAlert;
    thresholds.fallbackBacklog = static_cast<std::uint32_t>(server::Server::kBacklog);
    return thresholds;
  }

  // The public ports are known only once Server::run() has bound them, so the reader is made on
  // first use. Without ports (binding failed, or not yet) the view is empty with an error. Only
  // the families that have a listener on our ports are walked (see Families in sock_diag.h).
  bool ensureReader() {
    if (reader_) return true;
    auto ports = server_.publicPorts();
    if (ports.empty()) return false;
    reader_ = std::make_unique<kernel::KernelStateReader>(std::move(ports),
                                                          kernel::Families{.fromListeners = true});
    return true;
  }

  static kernel::KernelView noListener() {
    kernel::KernelView none;
    none.error = "no public listener bound";
    return none;
  }

  kernel::KernelView queryKernel() {
    if (!ensureReader()) return noListener();
    kernel::KernelView view = reader_->query();
    last_ = view;
    lastAt_ = uv_hrtime();
    return view;
  }

  // What the alert tick reads: ESTABLISHED and CLOSE_WAIT counts and the accept queues, all of
  // which belong to sockets we hold an fd for. So they are read through our own descriptors
  // (KernelStateReader::queryOwn), at a cost that follows our sockets, rather than by a dump,
  // which walks every socket on the host: on a host with tens of thousands of TIME_WAIT sockets
  // (any busy server that closes first) a dump takes tens of milliseconds of the core a worker
  // needs, every tick. Reading our own also keeps a second process on the same ports (the old
  // instance draining after a handoff) out of the books' comparison.
  kernel::KernelView queryForAlerts() {
    if (!ensureReader()) return noListener();
    kernel::KernelView view = reader_->queryOwn(kAlertStates);
    alertQueryMicros_ = view.queryMicros;
    return view;
  }

  // The view /stats, /metrics and the dashboard show. The kernel walks every TCP socket on the
  // host for each query (tens of ms with tens of thousands of sockets), so however often they
  // are polled, a view is reused while it is younger than max(250 ms, 100 x its own query time):
  // the queries then cost at most about 1% of a core on top of the 1 s alert tick. The view's
  // age is reported beside it (kernel.age_ms).
  kernel::KernelView recentKernel() {
    const std::uint64_t now = uv_hrtime();
    const std::uint64_t window =
        std::max<std::uint64_t>(kMinReuseNs, 100 * 1000 * last_.queryMicros);
    if (lastAt_ == 0 || now - lastAt_ >= window || !last_.error.empty()) return queryKernel();
    kernel::KernelView view = last_;
    view.ageMicros = (now - lastAt_) / 1000;
    return view;
  }

  static void onTickThunk(uv_timer_t* timer) noexcept {
    static_cast<AdminView*>(timer->data)->onTick();
  }
  static void onCheckThunk(uv_check_t* check) noexcept {
    static_cast<AdminView*>(check->data)->onCheck();
  }

  void onTick() {
    // Sampled once a second, here only, so the figure always covers the last second.
    utilization_ = server_.loopUtilization();
    // A walk of the connections from the previous tick has not come back yet: the workers are
    // busy, and asking again would only queue more work for them.
    if (walkPending_) return;
    // The read costs two system calls per descriptor we hold (about 10 ms with 10,000 idle
    // connections), on a core a worker may need: the alerts are evaluated at most as often as
    // keeps that under 1% of a core.
    const std::uint64_t nowMs = uv_now(loop_);
    // (Half a tick of slack, so a timer that fires a little early does not skip a whole tick.)
    const std::uint64_t intervalMs = std::max<std::uint64_t>(kTickMs, alertQueryMicros_ / 10);
    if (lastAlertTickMs_ != 0 && nowMs - lastAlertTickMs_ + kTickMs / 2 < intervalMs) return;
    lastAlertTickMs_ = nowMs;

    AlertInputs inputs;
    inputs.now = AlertClock(nowMs);
    inputs.booksBefore = server_.snapshot().tally;
    auto kernel = std::make_shared<kernel::KernelView>(queryForAlerts());
    inputs.booksAfter = server_.snapshot().tally;
    // The own-descriptor read has just listed /proc/self/fd (descriptors is 0 only if it fell
    // back to a dump); listing it again would double the tick's largest cost.
    const bool listed = kernel->descriptors != 0;
    inputs.process = kernel::readProcessView(!listed);
    if (listed) inputs.process.openFds = kernel->descriptors;
    inputs.process.loopUtilization = utilization_;

    // The books' half-closed ages need a walk of every connection; CLOSE_WAIT is rare in a
    // healthy server, so walk only when the kernel reports one on our ports.
    if (!kernel->error.empty() || kernel->count(kernel::TcpState::CloseWait) == 0) {
      inputs.kernel = kernel.get();
      evaluate(inputs);
      return;
    }
    walkPending_ = true;
    const auto threshold = static_cast<std::uint64_t>(alerts_.thresholds().closeWaitAfter.count());
    server_.listConnections(
        [this, inputs, kernel, threshold](std::vector<server::ConnectionInfo> connections) mutable {
          walkPending_ = false;
          if (stopped_) return;
          for (const auto& c : connections) {
            if (c.peerFinSeen && c.sincePeerFinMs > threshold) {
              ++inputs.staleHalfClosed;
              inputs.oldestPeerFinMs = std::max(inputs.oldestPeerFinMs, c.sincePeerFinMs);
            }
          }
          inputs.kernel = kernel.get();
          evaluate(inputs);
        });
  }

  void evaluate(const AlertInputs& inputs) {
    for (const auto& change : alerts_.evaluate(inputs)) {
      if (change.started) {
        spdlog::warn("{}. {}", change.message, alertExplanation(change.kind));
      } else {
        spdlog::info("{}", change.message);
      }
    }
  }

  void onCheck() {
    bool othersActive = false;
    struct Walk {
      const AdminView* self;
      bool* othersActive;
    } walk{this, &othersActive};
    uv_walk(
        loop_,
        [](uv_handle_t* handle, void* arg) noexcept {
          auto* w = static_cast<Walk*>(arg);
          if (handle == reinterpret_cast<const uv_handle_t*>(&w->self->tick_) ||
              handle == reinterpret_cast<const uv_handle_t*>(&w->self->endWatch_)) {
            return;
          }
          if (uv_is_active(handle) && uv_has_ref(handle) && !uv_is_closing(handle)) {
            *w->othersActive = true;
          }
        },
        &walk);
    if (!othersActive) stop();
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&endWatch_), nullptr);
  }

  server::Server& server_;
  AlertEvaluator alerts_;
  uv_loop_t* loop_;
  std::unique_ptr<kernel::KernelStateReader> reader_;
  kernel::KernelView last_;
  std::uint64_t lastAt_ = 0;            // uv_hrtime() of last_, 0 before the first query
  std::uint64_t alertQueryMicros_ = 0;  // the alert tick's last own query
  std::uint64_t lastAlertTickMs_ = 0;   // uv_now() of the last evaluated tick
  double utilization_ = 0.0;
  bool walkPending_ = false;
  bool stopped_ = false;
  uv_timer_t tick_{};
  uv_check_t endWatch_{};
};

}  // namespace

void registerAdminRoutes(server::Router& router, server::Server& server, const Options& options) {
  const auto text = std::vector<server::Header>{{"Content-Type", "text/plain"}};
  // Lives as long as the routes that hold it, which live as long as the Server; its handles are
  // closed before the main loop ends (see AdminView).
  auto view = std::make_shared<AdminView>(server, options);
  view->start();

  // Every route is registered through here, so none can miss the request policy; the token
  // check, where the route has one, comes after it.
  const auto on = [&router, &options](std::string_view method, std::string_view path,
                                      Access access, server::Handler handler) {
    if (access == Access::Token) handler = guarded(options.token, std::move(handler));
    router.on(method, path, admitted(options.allowedHosts, std::move(handler)));
  };

  // The two probes answer without the token. Kubernetes' kubelet and a balancer's health check
  // can only send a fixed header, which would put the token in every manifest and config; and
  // they reveal nothing ("ok", "ready", "draining") and change nothing. Envoy's /ready is open for
  // the same reason. Everything that shows data or acts (/stats, /connections, POST /drain...)
  // stays behind the token.
  //
  // Liveness: the admin loop answering at all is the proof the process serves its loops.
  on("GET", "/healthz", Access::Open, [text](const server::Request&, server::Responder responder) {
    responder.send(200, "ok\n", text);
  });
  // Readiness for load balancers: 503 from the moment a drain begins.
  on("GET", "/readyz", Access::Open,
     [&server, text](const server::Request&, server::Responder responder) {
       if (server.ready()) {
         responder.send(200, "ready\n", text);
       } else {
         responder.send(503, server.draining() ? "draining\n" : "starting\n", text);
       }
     });
  on("POST", "/drain", Access::Token,
     [&server, text](const server::Request&, server::Responder responder) {
       const bool already = server.draining();
       if (!already) server.requestDrain("POST /drain");
       responder.send(202, already ? "already draining\n" : "drain started\n", text);
     });

  on("GET", "/stats", Access::Token, [view](const server::Request&, server::Responder responder) {
    responder.send(200, statsJson(view->gather()), jsonHeaders());
  });
  on("GET", "/metrics", Access::Token, [view](const server::Request&, server::Responder responder) {
    responder.send(200, metricsText(view->gather()),
                   {{"Content-Type", std::string(kMetricsContentType)}});
  });
  on("GET", "/connections", Access::Token,
     [&server](const server::Request& request, server::Responder responder) {
       auto parsed = parseConnectionsQuery(request.query);
       if (!parsed.query) {
         responder.send(400, parsed.error, {{"Content-Type", "text/plain"}});
         return;
       }
       // The workers answer on the main loop later; std::function needs a copyable callable,
       // and a Responder is move-only, hence the shared_ptr.
       auto pending = std::make_shared<server::Responder>(std::move(responder));
       server.listConnections(
           [pending, query = *parsed.query](std::vector<server::ConnectionInfo> connections) {
             const std::size_t matched = selectConnections(connections, query);
             for (auto& c : connections) {
               // The worker fills the peer only when it logs it (it costs a getpeername per
               // accept). Asking here, on the main loop, races with the worker closing the fd
               // and a new socket taking its number, so at worst a peer is wrong for a
               // connection that is gone by the time the answer is read.
               if (c.peer.empty()) c.peer = peerOf(c.fd);
             }
             auto headers = jsonHeaders();
             headers.push_back({"X-Total-Count", std::to_string(matched)});
             pending->send(200, connectionsJson(connections), headers);
           });
     });

  // The dashboard page is static: it holds no data and fetches /stats with the token it is given
  // (see docs/admin.md), so it is served without one. A browser cannot attach a bearer token to a
  // page load, and every number the page shows still comes through a guarded route.
  on("GET", "/", Access::Open, [](const server::Request&, server::Responder responder) {
    responder.send(200, kDashboardHtml,
                   {{"Content-Type", "text/html; charset=utf-8"}, {"Cache-Control", "no-cache"}});
  });
}

}  // namespace closewise::admin
