#include "lifecycle/phase.h"

namespace closewise::lifecycle {

// Each switch names every enumerator and has no default, so the compiler (-Wswitch, part of
// -Wall) points at this file when an enumerator is added. The return after the switch is only
// reached by a value cast from outside the enum's range.

std::string_view phaseName(Phase phase) noexcept {
  switch (phase) {
    case Phase::Reading:
      return "reading";
    case Phase::Processing:
      return "processing";
    case Phase::Writing:
      return "writing";
    case Phase::Idle:
      return "idle";
    case Phase::HalfClosed:
      return "half_closed";
    case Phase::Closing:
      return "closing";
    case Phase::WebSocket:
      return "websocket";
    case Phase::WsClosing:
      return "ws_closing";
    case Phase::Closed:
      return "closed";
    case Phase::Connecting:
      return "connecting";
    case Phase::Sending:
      return "sending";
    case Phase::AwaitingResponse:
      return "awaiting_response";
    case Phase::Receiving:
      return "receiving";
  }
  return "unknown";
}

std::string_view closeReasonName(CloseReason reason) noexcept {
  switch (reason) {
    case CloseReason::None:
      return "none";
    case CloseReason::PeerClosed:
      return "peer_closed";
    case CloseReason::ClientRequested:
      return "client_requested";
    case CloseReason::PeerReset:
      return "peer_reset";
    case CloseReason::IdleTimeout:
      return "idle_timeout";
    case CloseReason::HeaderTimeout:
      return "header_timeout";
    case CloseReason::BodyTimeout:
      return "body_timeout";
    case CloseReason::SlowBody:
      return "slow_body";
    case CloseReason::WriteTimeout:
      return "write_timeout";
    case CloseReason::SlowReader:
      return "slow_reader";
    case CloseReason::LingerTimeout:
      return "linger_timeout";
    case CloseReason::HandlerTimeout:
      return "handler_timeout";
    case CloseReason::ProtocolError:
      return "protocol_error";
    case CloseReason::ServerClose:
      return "server_close";
    case CloseReason::MaxRequests:
      return "max_requests";
    case CloseReason::MaxAge:
      return "max_age";
    case CloseReason::Overload:
      return "overload";
    case CloseReason::Drain:
      return "drain";
    case CloseReason::DrainDeadline:
      return "drain_deadline";
    case CloseReason::IoError:
      return "io_error";
    case CloseReason::WsPingTimeout:
      return "ws_ping_timeout";
    case CloseReason::WsCloseTimeout:
      return "ws_close_timeout";
    case CloseReason::UpstreamClosed:
      return "upstream_closed";
    case CloseReason::UpstreamReset:
      return "upstream_reset";
    case CloseReason::UpstreamRequested:
      return "upstream_requested";
    case CloseReason::NotReusable:
      return "not_reusable";
    case CloseReason::ConnectRefused:
      return "connect_refused";
    case CloseReason::ConnectTimeout:
      return "connect_timeout";
    case CloseReason::ResponseTimeout:
      return "response_timeout";
    case CloseReason::PortsExhausted:
      return "ports_exhausted";
    case CloseReason::Cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string_view closeModeName(CloseMode mode) noexcept {
  switch (mode) {
    case CloseMode::Graceful:
      return "graceful";
    case CloseMode::Immediate:
      return "immediate";
    case CloseMode::Reset:
      return "reset";
  }
  return "unknown";
}

}  // namespace closewise::lifecycle
