// The admin view's state on the main loop: one KernelStateReader for the life of the process (its
// netlink socket is reused by every query), the alert evaluator, and the 1 s timer that runs the
// evaluator. /stats and /metrics read everything they show through gather().
//
// The timer is unreferenced, so it never keeps the main loop alive on its own; but uv_loop_close()
// fails while any handle is open, so it is closed from the server's stopping hook
// (ControlSurface::onStopping), which runs on the main loop before the loop's own handles close.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "admin/alerts.h"
#include "admin/stats.h"
#include "admin/upstream_books.h"
#include "kernel/sock_diag.h"
#include "server/control_surface.h"
#include "upstream/registry.h"

namespace closewise::admin {

class AdminView {
 public:
  // `upstreams` may be nullptr (no upstream configured); otherwise it outlives the view.
  AdminView(server::ControlSurface& server, AlertThresholds thresholds,
            const upstream::Registry* upstreams = nullptr);
  AdminView(const AdminView&) = delete;
  AdminView& operator=(const AdminView&) = delete;

  // Starts the alert timer. The view must then outlive the server's main loop: the stopping hook
  // it registers refers to it.
  void start();

  // Everything /stats and /metrics show: books, kernel, process, alerts, read now (the kernel's
  // views are reused while fresh; see recentKernel).
  AdminSnapshot gather();
  // How many times the sockets toward the upstreams have been dumped: however often /stats is
  // polled, this grows at most once per reuse window.
  std::uint64_t upstreamQueries() const noexcept { return upstreamQueries_; }

 private:
  static constexpr std::uint64_t kTickMs = 1000;
  static constexpr std::uint64_t kMinReuseNs = 250'000'000;
  static constexpr std::uint32_t kAlertStates = kernel::tcpStateBit(kernel::TcpState::Established) |
                                                kernel::tcpStateBit(kernel::TcpState::CloseWait) |
                                                kernel::tcpStateBit(kernel::TcpState::Listen);

  bool ensureReader();
  kernel::KernelView queryKernel();
  kernel::KernelView queryForAlerts();
  kernel::KernelView recentKernel();
  static bool fresh(std::uint64_t at, std::uint64_t queryMicros, std::uint64_t now) noexcept;
  const kernel::RemoteView& recentUpstreamView();
  bool countUpstreamSockets(std::vector<UpstreamBooks>& books);
  std::vector<UpstreamBooks> gatherUpstreams();
  std::optional<std::vector<UpstreamSockets>> upstreamsForAlerts();

  static void onTickThunk(uv_timer_t* timer) noexcept;
  void onTick();
  bool alertTickDue();
  kernel::ProcessView processForAlerts(const kernel::KernelView& kernel) const;
  void countStaleHalfClosed(AlertInputs inputs, const std::shared_ptr<kernel::KernelView>& kernel);
  void evaluate(const AlertInputs& inputs);
  void stop();

  server::ControlSurface& server_;
  const upstream::Registry* upstreams_;
  std::optional<UpstreamEndpoints> endpoints_;  // with upstreams_ only
  AlertEvaluator alerts_;
  uv_loop_t* loop_;
  std::unique_ptr<kernel::KernelStateReader> reader_;
  kernel::KernelView last_;
  std::uint64_t lastAt_ = 0;         // uv_hrtime() of last_, 0 before the first query
  kernel::RemoteView upstreamLast_;  // by endpoints_->endpoints(), as they were then
  std::size_t upstreamLastEndpoints_ = 0;
  std::uint64_t upstreamLastAt_ = 0;  // uv_hrtime() of upstreamLast_, 0 before the first query
  std::uint64_t upstreamQueries_ = 0;
  std::uint64_t alertQueryMicros_ = 0;  // the alert tick's last own query
  std::uint64_t lastAlertTickMs_ = 0;   // uv_now() of the last evaluated tick
  double utilization_ = 0.0;
  bool walkPending_ = false;
  bool timerOpen_ = false;
  uv_timer_t tick_{};
};

}  // namespace closewise::admin
