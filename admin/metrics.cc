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
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
  std::string name_;
};

std::string label(std::string_view name, std::string_view value) {
  return fmt::format("{}=\"{}\"", name, escapeLabelValue(value));
}

constexpr const char* kResponseClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

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
  out.family("closewise_accepted_total", "counter", "Connections accepted since start.");
  out.sample("", tally.accepted);
  out.family("closewise_shed_total", "counter",
             "Connections accepted and closed at once, unanswered, because the process was out "
             "of file descriptors (EMFILE/ENFILE).");
  out.sample("", server.shed);
  out.family("closewise_closed_total", "counter",
             "Connections whose close has begun since start, by the first reason recorded.");
  for (std::size_t i = 1; i < lifecycle::kCloseReasonCount; ++i) {
    out.sample(label("reason", lifecycle::closeReasonName(static_cast<lifecycle::CloseReason>(i))),
               tally.closedByReason[i]);
  }
  out.family("closewise_requests_total", "counter", "Request heads completed since start.");
  out.sample("", tally.requests);
  out.family("closewise_responses_total", "counter",
             "Responses sent since start, by status class.");
  for (std::size_t i = 0; i < std::size(kResponseClasses); ++i) {
    out.sample(label("class", kResponseClasses[i]), server.responses.byClass[i]);
  }
}

void addKernel(Exposition& out, const kernel::KernelView& kernel) {
  out.family("closewise_kernel_tcp_sockets", "gauge",
             "TCP sockets whose local port is one of the public ports, by kernel state.");
  for (const kernel::TcpState state : kernel::reportedTcpStates()) {
    out.sample(label("state", kernel::tcpStateName(state)), kernel.count(state));
  }
  out.family(
      "closewise_listen_queue", "gauge",
      "Accept queue of each public listener: connections pending accept(), and the backlog.");
  for (const auto& queue : kernel.listenQueues) {
    const std::string address = label("address", queue.address);
    out.sample(address + "," + label("kind", "pending"), queue.pending);
    out.sample(address + "," + label("kind", "backlog"), queue.backlog);
  }
  out.family("closewise_kernel_query_seconds", "gauge",
             "Wall time of the last kernel socket-state query.");
  out.sample("", static_cast<double>(kernel.queryMicros) / 1e6);
  out.family("closewise_kernel_query_ok", "gauge",
             "1 if the kernel's socket states could be read (sock_diag or procfs).");
  out.sample("", kernel.error.empty() ? 1 : 0);
}

void addProcess(Exposition& out, const kernel::ProcessView& process) {
  out.family("closewise_open_fds", "gauge", "File descriptors open in the process.");
  out.sample("", process.openFds);
  out.family("closewise_fd_limit", "gauge", "The soft RLIMIT_NOFILE (0 if unlimited).");
  out.sample("", process.fdLimit);
  out.family("closewise_resident_memory_bytes", "gauge", "Resident set size of the process.");
  out.sample("", process.rssBytes);
  out.family("closewise_loop_utilization", "gauge",
             "Share of the last second the worker loops were busy, averaged over workers.");
  out.sample("", process.loopUtilization);
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
  addKernel(out, snapshot.kernel);
  addProcess(out, snapshot.process);
  addAlerts(out, snapshot.alerts);
  return out.take();
}

}  // namespace closewise::admin
