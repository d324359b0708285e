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

}  // namespace closewise::test
