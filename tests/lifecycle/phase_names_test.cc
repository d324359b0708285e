// The names in logs, /stats and the docs are the project's vocabulary; they must not drift.
#include <catch2/catch.hpp>

#include "lifecycle/phase.h"

using namespace closewise::lifecycle;

TEST_CASE("every phase has its documented name", "[phase]") {
  CHECK(phaseName(Phase::Reading) == "reading");
  CHECK(phaseName(Phase::Processing) == "processing");
  CHECK(phaseName(Phase::Writing) == "writing");
  CHECK(phaseName(Phase::Idle) == "idle");
  CHECK(phaseName(Phase::HalfClosed) == "half_closed");
  CHECK(phaseName(Phase::Closing) == "closing");
  CHECK(phaseName(Phase::WebSocket) == "websocket");
  CHECK(phaseName(Phase::WsClosing) == "ws_closing");
  CHECK(phaseName(Phase::Closed) == "closed");
  CHECK(static_cast<std::size_t>(Phase::Closed) == kReportedPhaseCount);
  CHECK(phaseName(Phase::Connecting) == "connecting");
  CHECK(phaseName(Phase::Sending) == "sending");
  CHECK(phaseName(Phase::AwaitingResponse) == "awaiting_response");
  CHECK(phaseName(Phase::Receiving) == "receiving");
}

TEST_CASE("every close reason has its documented name", "[phase]") {
  constexpr std::string_view kNames[] = {"none",
                                         "peer_closed",
                                         "client_requested",
                                         "peer_reset",
                                         "idle_timeout",
                                         "header_timeout",
                                         "body_timeout",
                                         "slow_body",
                                         "write_timeout",
                                         "slow_reader",
                                         "linger_timeout",
                                         "handler_timeout",
                                         "protocol_error",
                                         "server_close",
                                         "max_requests",
                                         "max_age",
                                         "overload",
                                         "drain",
                                         "drain_deadline",
                                         "io_error",
                                         "ws_ping_timeout",
                                         "ws_close_timeout",
                                         "upstream_closed",
                                         "upstream_reset",
                                         "upstream_requested",
                                         "not_reusable",
                                         "connect_refused",
                                         "connect_timeout",
                                         "response_timeout",
                                         "ports_exhausted",
                                         "cancelled"};
  static_assert(std::size(kNames) == kCloseReasonCount);
  for (std::size_t i = 0; i < kCloseReasonCount; ++i) {
    CHECK(closeReasonName(static_cast<CloseReason>(i)) == kNames[i]);
  }
  CHECK(closeReasonName(CloseReason::IoError) == "io_error");
  CHECK(closeReasonName(CloseReason::HandlerTimeout) == "handler_timeout");
}

TEST_CASE("every close mode has its documented name", "[phase]") {
  CHECK(closeModeName(CloseMode::Graceful) == "graceful");
  CHECK(closeModeName(CloseMode::Immediate) == "immediate");
  CHECK(closeModeName(CloseMode::Reset) == "reset");
}
