// The vocabulary of a connection's life: the phase it is in, why it closed, and how.
//
// These names are the project's shared words. The same strings appear in logs, in /stats and in
// the docs, so a reader can follow one connection from a log line to a counter to a diagram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace closewise::lifecycle {

// Where a connection is in its life. A connection is in exactly one phase at a time; facts that
// can hold together (the peer's FIN was seen, a close has begun) are kept beside the phase in
// ConnectionState, not folded into it.
enum class Phase : std::uint8_t {
  Reading,     // reading a request: its head (under a total deadline) or its body
  Processing,  // the request is complete; the handler has not started answering
  Writing,     // the answer is being written
  Idle,        // between exchanges on a kept-alive connection
  HalfClosed,  // the peer sent FIN after a complete request; we still finish the answer
  Closing,     // our FIN is sent; we read and discard until the peer's FIN or the linger deadline
  WebSocket,   // upgraded (RFC 6455): messages flow both ways, guarded by heartbeats
  WsClosing,   // our close frame is sent; we wait for the peer's (RFC 6455 section 7.1.2)
  Closed,      // the handle is being (or has been) closed; never counted

  // An outbound (upstream) connection's own phases. It shares Idle (pooled, between requests)
  // and Closed with an inbound one; see lifecycle/outbound_state.h. They come after Closed so
  // that the inbound phases keep their count indices (and /stats its keys): the outbound books
  // (OutboundTally) index their counts with outboundPhaseIndex().
  Connecting,        // the TCP handshake toward the upstream is under way
  Sending,           // the request (head and body) is being written
  AwaitingResponse,  // the request is sent; no byte of the final response head has come yet
  Receiving,         // the response head came; its body is being read
};

// Closed is left out of the per-phase counts: a closed connection is gone, and counting it would
// make the numbers grow for ever. The count index of a phase is static_cast<std::size_t>(phase).
inline constexpr std::size_t kReportedPhaseCount = 8;
static_assert(static_cast<std::size_t>(Phase::Closed) == kReportedPhaseCount,
              "Closed must be the last phase so the reported ones index an array from 0");

// "reading", "processing", "writing", "idle", "half_closed", "closing", "websocket", "ws_closing",
// "closed", "connecting", "sending", "awaiting_response", "receiving".
std::string_view phaseName(Phase phase) noexcept;

// Why a connection closed. The first reason recorded is the one that is reported; see
// ConnectionState::beginClose.
enum class CloseReason : std::uint8_t {
  None,             // no close has begun; never reported
  PeerClosed,       // the peer sent FIN and there is nothing left to answer
  ClientRequested,  // the peer asked for the connection to end after this exchange
  PeerReset,        // the peer sent RST
  IdleTimeout,      // the keep-alive gap ran out
  HeaderTimeout,    // a request head did not arrive in full within its total deadline
  BodyTimeout,      // a request body stalled between reads
  SlowBody,         // a request body arrived below the minimum receive rate
  WriteTimeout,     // the peer stopped taking our bytes
  SlowReader,       // the peer took our waiting bytes below the minimum send rate
  LingerTimeout,    // the closing phase ran out before the peer's FIN
  HandlerTimeout,   // the handler did not start answering in time
  ProtocolError,    // the peer's bytes could not be understood
  ServerClose,      // our own code decided to close
  MaxRequests,      // the connection served its quota of requests
  MaxAge,           // the connection outlived its maximum age
  Overload,         // the server shed load
  Drain,            // the server is draining before it stops
  DrainDeadline,    // the drain ran out of time and reset what remained
  IoError,          // the socket reported an error other than a reset

  // WebSocket connections (RFC 6455). They also use PeerClosed (the peer's close frame, or a FIN
  // without one), ProtocolError (a frame that breaks RFC 6455 section 5), ServerClose (the handler
  // closed), Drain, WriteTimeout and SlowReader.
  WsPingTimeout,   // nothing at all came within --ws-pong-timeout of our ping
  WsCloseTimeout,  // the peer did not answer our close frame within --ws-close-timeout

  // Outbound (upstream) connections. They also use IdleTimeout (pooled too long), BodyTimeout
  // (a response body stalled), WriteTimeout (the upstream stopped taking the request),
  // ProtocolError (a response that could not be parsed), Drain and IoError.
  UpstreamClosed,     // the upstream sent FIN (on a pooled connection, or mid-response)
  UpstreamReset,      // the upstream sent RST
  UpstreamRequested,  // the upstream's response said the connection ends (Connection: close,
                      // HTTP/1.0, a close-delimited body)
  NotReusable,        // the exchange left the connection unfit for another request (bytes
                      // after the response, a response cut short by its consumer)
  ConnectRefused,     // the upstream refused the connection (RST to our SYN)
  ConnectTimeout,     // the TCP handshake did not finish within the connect timeout
  ResponseTimeout,    // the response head did not come within the response timeout
  PortsExhausted,     // connect() found no free local port (EADDRNOTAVAIL)
  Cancelled,          // the caller gave up on the request (its downstream client left)
};

// Including None at index 0, so an array indexed by reason needs no offset.
inline constexpr std::size_t kCloseReasonCount = 31;
static_assert(static_cast<std::size_t>(CloseReason::Cancelled) + 1 == kCloseReasonCount,
              "kCloseReasonCount must cover every reason");

// "none", "peer_closed", "client_requested", "peer_reset", "idle_timeout", "header_timeout",
// "body_timeout", "slow_body", "write_timeout", "slow_reader", "linger_timeout",
// "handler_timeout", "protocol_error", "server_close", "max_requests", "max_age", "overload",
// "drain", "drain_deadline", "io_error", "ws_ping_timeout", "ws_close_timeout",
// "upstream_closed", "upstream_reset", "upstream_requested", "not_reusable", "connect_refused",
// "connect_timeout", "response_timeout", "ports_exhausted", "cancelled".
std::string_view closeReasonName(CloseReason reason) noexcept;

// How a connection closes, in increasing order of force. The order matters: a later, more forceful
// request may escalate an earlier mode, never the other way round.
enum class CloseMode : std::uint8_t {
  Graceful,   // flush what is queued, send FIN, linger reading until the peer's FIN, then close
  Immediate,  // close the handle now; queued bytes may be lost
  Reset,      // close with SO_LINGER 0 so the peer sees RST (RFC 9293 section 3.10.7.1 ABORT)
};

// "graceful", "immediate", "reset".
std::string_view closeModeName(CloseMode mode) noexcept;

}  // namespace closewise::lifecycle
