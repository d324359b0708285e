// The body of GET /stats: the server's books, the kernel's view of the same sockets, the process's
// resources and the active alerts, in one JSON document.
//
// The builder is a pure function of its inputs, so the exact key set is tested without a server,
// and the route only gathers the inputs. Every connection count comes from the books (the
// per-phase tally, O(1) to read, summed over workers by ControlSurface::snapshot()); nothing here
// walks the connection list, so /stats costs the same with ten connections or ten thousand.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "admin/alerts.h"
#include "admin/upstream_books.h"
#include "kernel/process_view.h"
#include "kernel/sock_diag.h"
#include "server/control_surface.h"

namespace closewise::admin {

// Everything /stats and /metrics show, gathered at one moment.
struct AdminSnapshot {
  server::ServerSnapshot server;
  kernel::KernelView kernel;
  kernel::ProcessView process;
  std::vector<Alert> alerts;             // the active ones
  std::vector<UpstreamBooks> upstreams;  // one per configured upstream, none without a registry
  std::uint64_t nowMs = 0;  // the alert clock (AlertClock) now, to report how long each lasted
};

// The /stats document, serialised. Keys: version, uptime_ms, draining, workers, connections,
// totals, kernel, process, alerts, upstreams (docs/admin.md describes each).
std::string statsJson(const AdminSnapshot& snapshot);

}  // namespace closewise::admin
