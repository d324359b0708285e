#include "admin/stats.h"

#include <nlohmann/json.hpp>

namespace closewise::admin {

namespace {

// ordered_json keeps the keys in the documented order, so the document reads top-down, like the
// table in docs/admin.md.
using json = nlohmann::ordered_json;

constexpr const char* kResponseClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

json connectionsJson(const lifecycle::TallySnapshot& tally) {
  json byState = json::object();
  for (std::size_t i = 0; i < lifecycle::kReportedPhaseCount; ++i) {
    byState[std::string(lifecycle::phaseName(static_cast<lifecycle::Phase>(i)))] = tally.byPhase[i];
  }
  return {{"open", tally.open}, {"by_state", byState}};
}

// Every reason but None (which no connection is ever closed for, index 0), inbound and outbound
// alike: one key set, so a reason a connection of either kind closes for is never missing.
json closedByReasonJson(const std::array<std::int64_t, lifecycle::kCloseReasonCount>& counts) {
  json byReason = json::object();
  for (std::size_t i = 1; i < lifecycle::kCloseReasonCount; ++i) {
    byReason[std::string(lifecycle::closeReasonName(static_cast<lifecycle::CloseReason>(i)))] =
        counts[i];
  }
  return byReason;
}

// Every close code the books keep apart, under its label ("1000" ... "1015", "3000-4999"), 0s
// included: a jq query or a graph finds 0 rather than a missing key, as with closed_by_reason.
json websocketJson(const lifecycle::WsTotals& ws) {
  json byCode = json::object();
  for (std::size_t slot = 0; slot < lifecycle::kWsCloseCodeSlots; ++slot) {
    byCode[std::string(lifecycle::wsCloseCodeLabel(slot))] = ws.closedByCode[slot];
  }
  return {{"upgrades", ws.upgrades},       {"rejected", ws.rejected},
          {"messages_in", ws.messagesIn},  {"messages_out", ws.messagesOut},
          {"bytes_in", ws.bytesIn},        {"bytes_out", ws.bytesOut},
          {"closed_by_code", byCode}};
}

json totalsJson(const server::ServerSnapshot& server) {
  json byClass = json::object();
  for (std::size_t i = 0; i < std::size(kResponseClasses); ++i) {
    byClass[kResponseClasses[i]] = server.responses.byClass[i];
  }
  return {{"accepted", server.tally.accepted},
          {"closed", server.tally.closed},
          {"requests", server.tally.requests},
          {"shed", server.shed},
          {"responses_by_class", byClass},
          {"closed_by_reason", closedByReasonJson(server.tally.closedByReason)},
          {"websocket", websocketJson(server.tally.websocket)}};
}

json tcpStatesJson(const std::array<std::uint64_t, kernel::kTcpStateSlots>& counts) {
  json states = json::object();
  for (const kernel::TcpState state : kernel::reportedTcpStates()) {
    states[std::string(kernel::tcpStateName(state))] = counts[static_cast<std::size_t>(state)];
  }
  return states;
}

json kernelJson(const kernel::KernelView& kernel) {
  json queues = json::array();
  for (const auto& queue : kernel.listenQueues) {
    queues.push_back(
        {{"address", queue.address}, {"pending", queue.pending}, {"backlog", queue.backlog}});
  }
  json document = {{"source", kernel.source.empty() ? "none" : std::string(kernel.source)},
                   {"tcp_states", tcpStatesJson(kernel.states)},
                   {"listen_queue", queues},
                   {"query_us", kernel.queryMicros},
                   {"age_ms", kernel.ageMicros / 1000}};
  if (!kernel.fallbackReason.empty()) document["fallback_reason"] = kernel.fallbackReason;
  if (!kernel.error.empty()) document["error"] = kernel.error;
  return document;
}

json processJson(const kernel::ProcessView& process) {
  return {{"open_fds", process.openFds},
          {"fd_limit", process.fdLimit},
          {"rss_bytes", process.rssBytes},
          {"loop_utilization", process.loopUtilization}};
}

json alertsJson(const std::vector<Alert>& alerts, std::uint64_t nowMs) {
  json list = json::array();
  for (const auto& alert : alerts) {
    const auto since = static_cast<std::uint64_t>(alert.since.count());
    list.push_back({{"name", alertName(alert.kind)},
                    {"active_ms", nowMs > since ? nowMs - since : 0},
                    {"detail", alert.detail},
                    {"explanation", alertExplanation(alert.kind)}});
  }
  return list;
}

// Every error kind under the name logs use (upstream::errorKindName), so a count in /stats is
// found in the log lines that explain it.
json upstreamErrorsJson(const upstream::PoolSnapshot& pool) {
  json errors = json::object();
  for (std::size_t i = 0; i < upstream::kErrorKindCount; ++i) {
    errors[std::string(upstream::errorKindName(static_cast<upstream::ErrorKind>(i)))] =
        pool.errorsByKind[i];
  }
  return errors;
}

// Who closed first, which says where the TIME_WAIT of each close landed (firstCloser).
json closedFirstByJson(const FirstCloses& split) {
  return {{"us", split.us}, {"upstream", split.upstream}};
}

json upstreamJson(const UpstreamBooks& books) {
  const auto& c = books.pool.connections;
  const json connections = {{"connecting", c.in(lifecycle::Phase::Connecting)},
                            {"active", c.active()},
                            {"idle", c.in(lifecycle::Phase::Idle)},
                            {"queued", books.pool.queued}};
  const json totals = {{"requests", c.requests},
                       {"connects", c.connects},
                       {"reuses", c.reuses},
                       {"retries", books.pool.retries},
                       {"cancelled", books.pool.cancelled},
                       {"errors", upstreamErrorsJson(books.pool)},
                       {"closed_by_reason", closedByReasonJson(c.closedByReason)},
                       {"closed_first_by", closedFirstByJson(firstCloses(c))}};
  return {{"url", books.url},
          {"connections", connections},
          {"totals", totals},
          {"kernel", tcpStatesJson(books.kernel)}};
}

json upstreamsJson(const std::vector<UpstreamBooks>& upstreams) {
  json byName = json::object();
  for (const auto& books : upstreams) byName[books.name] = upstreamJson(books);
  return byName;
}

}  // namespace

std::string statsJson(const AdminSnapshot& snapshot) {
  const auto& server = snapshot.server;
  const json document = {
      {"version", server.version},
      {"uptime_ms", server.uptimeMs},
      {"draining", server.draining},
      {"workers", server.workers},
      {"connections", connectionsJson(server.tally)},
      {"totals", totalsJson(server)},
      {"kernel", kernelJson(snapshot.kernel)},
      {"process", processJson(snapshot.process)},
      {"alerts", alertsJson(snapshot.alerts, snapshot.nowMs)},
      {"upstreams", upstreamsJson(snapshot.upstreams)},
  };
  return document.dump() + "\n";
}

}  // namespace closewise::admin
