// Made-up inputs for the pure builders and the alert rules: a server snapshot and a kernel view
// with distinct numbers in every field, so a value reported under the wrong key is caught.
#pragma once

#include "admin/stats.h"

namespace closewise::test {

inline lifecycle::TallySnapshot books(std::int64_t reading, std::int64_t processing,
                                      std::int64_t writing, std::int64_t idle,
                                      std::int64_t halfClosed, std::int64_t closing) {
  lifecycle::TallySnapshot tally;
  tally.byPhase = {reading, processing, writing, idle, halfClosed, closing};
  for (const auto n : tally.byPhase) tally.open += n;
  return tally;
}

inline admin::AdminSnapshot sampleSnapshot() {
  admin::AdminSnapshot s;
  s.server.version = "9.8.7";
  s.server.uptimeMs = 123456;
  s.server.draining = false;
  s.server.workers = 2;
  s.server.tally = books(1, 2, 3, 4, 5, 6);
  s.server.tally.accepted = 1000;
  s.server.tally.closed = 979;
  s.server.tally.requests = 5000;
  s.server.shed = 17;
  for (std::size_t i = 1; i < lifecycle::kCloseReasonCount; ++i) {
    s.server.tally.closedByReason[i] = static_cast<std::int64_t>(100 + i);
  }
  s.server.responses.byClass = {11, 4000, 30, 400, 5};
  s.kernel.source = "sock_diag";
  for (std::size_t i = 1; i < kernel::kTcpStateSlots; ++i) s.kernel.states[i] = 10 * i;
  s.kernel.listenQueues = {{"127.0.0.1:8080", 7, 511}};
  s.kernel.queryMicros = 42;
  s.process = {.openFds = 77, .fdLimit = 1024, .rssBytes = 4096000, .loopUtilization = 0.25};
  return s;
}

// One upstream's books with distinct numbers: connections 1-5 by outbound phase, error kind i
// counted 20 + i, and a few close reasons and kernel states.
inline admin::UpstreamBooks named(const std::string& name, const std::string& url) {
  admin::UpstreamBooks b;
  b.name = name;
  b.url = url;
  return b;
}

inline admin::UpstreamBooks sampleUpstream() {
  admin::UpstreamBooks b = named("backend", "http://10.0.0.7:8080");
  auto& c = b.pool.connections;
  c.byPhase[lifecycle::outboundPhaseIndex(lifecycle::Phase::Connecting)] = 1;
  c.byPhase[lifecycle::outboundPhaseIndex(lifecycle::Phase::Sending)] = 2;
  c.byPhase[lifecycle::outboundPhaseIndex(lifecycle::Phase::AwaitingResponse)] = 3;
  c.byPhase[lifecycle::outboundPhaseIndex(lifecycle::Phase::Receiving)] = 4;
  c.byPhase[lifecycle::outboundPhaseIndex(lifecycle::Phase::Idle)] = 5;
  c.requests = 700;
  c.connects = 60;
  c.reuses = 640;
  c.closedByReason[static_cast<std::size_t>(lifecycle::CloseReason::IdleTimeout)] = 41;
  c.closedByReason[static_cast<std::size_t>(lifecycle::CloseReason::UpstreamClosed)] = 13;
  b.pool.queued = 6;
  b.pool.retries = 7;
  b.pool.cancelled = 8;
  for (std::size_t i = 0; i < b.pool.errorsByKind.size(); ++i) {
    b.pool.errorsByKind[i] = static_cast<std::int64_t>(20 + i);
  }
  b.kernel[static_cast<std::size_t>(kernel::TcpState::Established)] = 9;
  b.kernel[static_cast<std::size_t>(kernel::TcpState::TimeWait)] = 54;
  b.kernel[static_cast<std::size_t>(kernel::TcpState::CloseWait)] = 2;
  return b;
}

}  // namespace closewise::test
