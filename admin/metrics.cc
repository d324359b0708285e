#include "admin/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace closewise::admin {

namespace {

// Writes one family: its HELP and TYPE lines, then each sample. A sample's labels are given
// already formatted ("state=\"idle\""), or empty for none.
class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    name_ = name;
    fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                   type);
  }
  template <typename Value>
  void sample(std::string_view labels, Value value) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(text_), "{} {}\n", name_, value);
    } else {
      fmt::format_to(std::back_inserter(text_), "{}{{{}}} {}\n", name_, labels, value);
    }
  }
  // A sample of a series whose name is the family's plus a suffix: a histogram's _bucket, _sum
  // and _count.
  template <typename Value>
  void suffixed(std::string_view suffix, std::string_view labels, Value value) {
    fmt::format_to(std::back_inserter(text_), "{}{}{{{}}} {}\n", name_, suffix, labels, value);
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
  std::string name_;
};

std::string label(std::string_view name, std::string_view value) {
  return fmt::format("{}=\"{}\"", name, escapeLabelValue(value));
}

}  // namespace

std::string escapeLabelValue(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

namespace {

void addServer(Exposition& out, const server::ServerSnapshot& server) {
  out.family("closewise_build_info", "gauge", "Always 1; the version is in the label.");
  out.sample(label("version", server.version), 1);
  out.family("closewise_uptime_seconds", "gauge", "Seconds since the server started.");
  out.sample("", static_cast<double>(server.uptimeMs) / 1000.0);
  out.family("closewise_draining", "gauge", "1 from the moment a graceful drain begins.");
  out.sample("", server.draining ? 1 : 0);
  out.family("closewise_workers", "gauge", "Worker loops (threads) serving the public ports.");
  out.sample("", server.workers);
}

// The books: connections by phase now, and what happened to them since start.
void addBooks(Exposition& out, const server::ServerSnapshot& server) {
  const auto& tally = server.tally;
  out.family("closewise_connections", "gauge",
             "Open connections by lifecycle phase, from the server's books.");
  for (std::size_t i = 0; i < lifecycle::kReportedPhaseCount; ++i) {
    out.sample(label("state", lifecycle::phaseName(static_cast<lifecycle::Phase>(i))),
               tally.byPhase[i]);
  }
  out.family("closewise_connections_accepted_total", "counter",
             "Connections accepted since start.");
  out.sample("", tally.accepted);
  out.family("closewise_connections_shed_total", "counter",
             "Connections accepted and closed at once, unanswered, because the process was out "
             "of file descriptors (EMFILE/ENFILE).");
  out.sample("", server.shed);
  out.family("closewise_connections_closed_total", "counter",
             "Connections whose close has begun since start, by the first reason recorded.");
  for (std::size_t i = 1; i < lifecycle::kCloseReasonCount; ++i) {
    out.sample(label("reason", lifecycle::closeReasonName(static_cast<lifecycle::CloseReason>(i))),
               tally.closedByReason[i]);
  }
  out.family("closewise_http_requests_total", "counter", "Request heads completed since start.");
  out.sample("", tally.requests);
  out.family("closewise_http_responses_total", "counter",
             "Responses begun since start, by status class.");
  for (std::size_t i = 0; i < server::kStatusClasses.size(); ++i) {
    out.sample(label("class", server::kStatusClasses[i]), server.responses.byClass[i]);
  }
}

// The WebSockets: open now, and what they carried and how they ended since start. Messages are
// whole (fragments assembled) and bytes their payloads', as the books count them.
void addWebSockets(Exposition& out, const lifecycle::TallySnapshot& tally) {
  const auto& ws = tally.websocket;
  const auto in = [&](lifecycle::Phase phase) {
    return tally.byPhase[static_cast<std::size_t>(phase)];
  };
  out.family("closewise_websocket_connections", "gauge",
             "Open WebSocket connections (phases websocket and ws_closing), from the books.");
  out.sample("", in(lifecycle::Phase::WebSocket) + in(lifecycle::Phase::WsClosing));
  out.family("closewise_websocket_upgrades_total", "counter",
             "WebSocket handshakes answered 101 since start.");
  out.sample("", ws.upgrades);
  out.family("closewise_websocket_rejected_total", "counter",
             "WebSocket handshakes refused (400, 426, or 503 while draining) since start.");
  out.sample("", ws.rejected);
  out.family("closewise_websocket_messages_total", "counter",
             "Whole WebSocket messages since start, by direction.");
  out.sample(label("direction", "in"), ws.messagesIn);
  out.sample(label("direction", "out"), ws.messagesOut);
  out.family("closewise_websocket_payload_bytes_total", "counter",
             "Payload bytes of whole WebSocket messages since start, by direction.");
  out.sample(label("direction", "in"), ws.bytesIn);
  out.sample(label("direction", "out"), ws.bytesOut);
  out.family("closewise_websocket_closes_total", "counter",
             "WebSocket connections ended since start, by the close code sent or received "
             "(1006: ended without a close frame).");
  for (std::size_t slot = 0; slot < lifecycle::kWsCloseCodeSlots; ++slot) {
    out.sample(label("code", lifecycle::wsCloseCodeLabel(slot)), ws.closedByCode[slot]);
  }
}

// One histogram series: cumulative buckets up to +Inf, then the sum and the count.
template <std::size_t Bounds>
void addHistogram(Exposition& out, const std::string& labels,
                  const std::array<double, Bounds>& bounds,
                  const server::HistogramCounts<Bounds>& counts) {
  std::int64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts.buckets[i];
    out.suffixed("_bucket", labels + "," + label("le", fmt::format("{}", bounds[i])), cumulative);
  }
  cumulative += counts.buckets[bounds.size()];
  out.suffixed("_bucket", labels + "," + label("le", "+Inf"), cumulative);
  out.suffixed("_sum", labels, counts.sum);
  out.suffixed("_count", labels, cumulative);
}

// The exchanges that ended, by method and status class; a series appears with its first
// exchange, as in the Prometheus client libraries.
void addRequests(Exposition& out, const server::RequestMetricsSnapshot& requests) {
  const auto each = [&](const auto& histograms, const auto& bounds) {
    for (std::size_t m = 0; m < server::kMethodClasses.size(); ++m) {
      for (std::size_t c = 0; c < server::kStatusClasses.size(); ++c) {
        if (histograms[m][c].count() == 0) continue;
        const std::string labels = label("method", server::kMethodClasses[m]) + "," +
                                   label("status_class", server::kStatusClasses[c]);
        addHistogram(out, labels, bounds, histograms[m][c]);
      }
    }
  };
  out.family("closewise_http_request_duration_seconds", "histogram",
             "From the complete request to the last byte of its answer handed to the kernel.");
  each(requests.duration, server::kDurationBounds);
  out.family("closewise_http_response_size_bytes", "histogram",
             "Bytes of each answer, head included.");
  each(requests.size, server::kSizeBounds);
}

void addKernel(Exposition& out, const kernel::KernelView& kernel) {
  out.family("closewise_kernel_tcp_sockets", "gauge",
             "TCP sockets whose local port is one of the public ports, by kernel state.");
  for (const kernel::TcpState state : kernel::reportedTcpStates()) {
    out.sample(label("state", kernel::tcpStateName(state)), kernel.count(state));
  }
  out.family("closewise_listen_queue_pending", "gauge",
             "Connections the kernel completed that no worker has accepted yet, per listener.");
  for (const auto& queue : kernel.listenQueues) {
    out.sample(label("address", queue.address), queue.pending);
  }
  out.family("closewise_listen_queue_backlog", "gauge",
             "The backlog listen() set, per listener (0 when the source cannot tell).");
  for (const auto& queue : kernel.listenQueues) {
    out.sample(label("address", queue.address), queue.backlog);
  }
  out.family("closewise_kernel_query_seconds", "gauge",
             "Wall time of the last kernel socket-state query.");
  out.sample("", static_cast<double>(kernel.queryMicros) / 1e6);
  out.family("closewise_kernel_query_ok", "gauge",
             "1 if the kernel's socket states could be read (sock_diag or procfs).");
  out.sample("", kernel.error.empty() ? 1 : 0);
}

// The process, under the names every Prometheus client library exports, so the dashboards and
// alerts written for them work as they are.
void addProcess(Exposition& out, const kernel::ProcessView& process) {
  out.family("process_open_fds", "gauge", "Number of open file descriptors.");
  out.sample("", process.openFds);
  out.family("process_max_fds", "gauge",
             "Maximum number of open file descriptors (the soft RLIMIT_NOFILE; 0 if unlimited).");
  out.sample("", process.fdLimit);
  out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  out.sample("", process.rssBytes);
  out.family("process_cpu_seconds_total", "counter",
             "Total user and system CPU time spent in seconds.");
  out.sample("", process.cpuSeconds);
  out.family("process_start_time_seconds", "gauge",
             "Start time of the process since unix epoch in seconds.");
  out.sample("", process.startTimeSeconds);
  out.family("closewise_loop_utilization_ratio", "gauge",
             "Share of the last second the worker loops were busy, averaged over workers.");
  out.sample("", process.loopUtilization);
}

// One family, one sample per upstream and label value: `each(books, emit)` calls
// emit(labelValue, count) for the upstream's series.
template <typename Each>
void perUpstream(Exposition& out, const std::vector<UpstreamBooks>& upstreams,
                 std::string_view labelName, const Each& each) {
  for (const auto& books : upstreams) {
    const std::string name = label("upstream", books.name);
    each(books, [&](std::string_view value, auto count) {
      out.sample(labelName.empty() ? name : name + "," + label(labelName, value), count);
    });
  }
}

void addUpstreamCounters(Exposition& out, const std::vector<UpstreamBooks>& upstreams) {
  const auto counter = [&](std::string_view name, std::string_view help, auto field) {
    out.family(name, "counter", help);
    perUpstream(out, upstreams, "",
                [&](const UpstreamBooks& b, const auto& emit) { emit("", field(b.pool)); });
  };
  using upstream::PoolSnapshot;
  counter("closewise_upstream_requests_total", "Requests started on a connection to the upstream.",
          [](const PoolSnapshot& p) { return p.connections.requests; });
  counter("closewise_upstream_connects_total", "Connections opened to the upstream.",
          [](const PoolSnapshot& p) { return p.connections.connects; });
  counter("closewise_upstream_reuses_total", "Requests sent on a pooled connection.",
          [](const PoolSnapshot& p) { return p.connections.reuses; });
  counter("closewise_upstream_retries_total",
          "Requests sent again after a pooled connection closed under them (keep-alive race).",
          [](const PoolSnapshot& p) { return p.retries; });
}

// The upstreams' books (summed over workers) and the kernel's view of the sockets toward them;
// no family at all without upstreams.
void addUpstreams(Exposition& out, const std::vector<UpstreamBooks>& upstreams) {
  if (upstreams.empty()) return;
  out.family("closewise_upstream_connections", "gauge",
             "Open connections to the upstream by outbound phase, from the pools' books.");
  perUpstream(out, upstreams, "state", [](const UpstreamBooks& b, const auto& emit) {
    for (const auto phase : {lifecycle::Phase::Connecting, lifecycle::Phase::Sending,
                             lifecycle::Phase::AwaitingResponse, lifecycle::Phase::Receiving,
                             lifecycle::Phase::Idle}) {
      emit(lifecycle::phaseName(phase), b.pool.connections.in(phase));
    }
  });
  addUpstreamCounters(out, upstreams);
  out.family("closewise_upstream_errors_total", "counter",
             "Requests to the upstream that failed, by error kind.");
  perUpstream(out, upstreams, "kind", [](const UpstreamBooks& b, const auto& emit) {
    for (std::size_t i = 0; i < upstream::kErrorKindCount; ++i) {
      emit(upstream::errorKindName(static_cast<upstream::ErrorKind>(i)), b.pool.errorsByKind[i]);
    }
  });
  out.family("closewise_upstream_closed_total", "counter",
             "Connections to the upstream whose close has begun, by the first reason recorded.");
  perUpstream(out, upstreams, "reason", [](const UpstreamBooks& b, const auto& emit) {
    for (std::size_t i = 1; i < lifecycle::kCloseReasonCount; ++i) {
      emit(lifecycle::closeReasonName(static_cast<lifecycle::CloseReason>(i)),
           b.pool.connections.closedByReason[i]);
    }
  });
  out.family("closewise_upstream_closed_first_total", "counter",
             "Connections to the upstream by who closed first, which is the side its TIME_WAIT "
             "lands on.");
  perUpstream(out, upstreams, "by", [](const UpstreamBooks& b, const auto& emit) {
    const FirstCloses split = firstCloses(b.pool.connections);
    emit("us", split.us);
    emit("upstream", split.upstream);
  });
  out.family("closewise_upstream_kernel_tcp_sockets", "gauge",
             "TCP sockets toward the upstream's addresses, by kernel state.");
  perUpstream(out, upstreams, "state", [](const UpstreamBooks& b, const auto& emit) {
    for (const kernel::TcpState state : kernel::reportedTcpStates()) {
      emit(kernel::tcpStateName(state), b.kernel[static_cast<std::size_t>(state)]);
    }
  });
}

// Every alert kind, active or not, so a graph shows 0 rather than a gap while one is quiet.
void addAlerts(Exposition& out, const std::vector<Alert>& active) {
  out.family("closewise_alert_active", "gauge", "1 while the named alert is active.");
  for (std::size_t i = 0; i < kAlertKindCount; ++i) {
    const auto kind = static_cast<AlertKind>(i);
    const bool on = std::any_of(active.begin(), active.end(),
                                [kind](const Alert& alert) { return alert.kind == kind; });
    out.sample(label("alert", alertName(kind)), on ? 1 : 0);
  }
}

}  // namespace

std::string metricsText(const AdminSnapshot& snapshot) {
  Exposition out;
  addServer(out, snapshot.server);
  addBooks(out, snapshot.server);
  addWebSockets(out, snapshot.server.tally);
  addRequests(out, snapshot.server.requests);
  addKernel(out, snapshot.kernel);
  addProcess(out, snapshot.process);
  addAlerts(out, snapshot.alerts);
  addUpstreams(out, snapshot.upstreams);
  return out.take();
}

}  // namespace closewise::admin
