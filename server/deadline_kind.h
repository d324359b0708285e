// The kinds of deadline a connection can wait on, one list of each per worker (Worker::schedule).
#pragma once

#include <cstddef>
#include <cstdint>

namespace closewise::server {

// A connection is filed under the kind of the deadline that guards its phase, or under none once
// it is closed.
enum class DeadlineKind : std::uint8_t {
  Header,
  Body,
  Handler,
  Write,
  Idle,
  Linger,
  WsPing,   // a WebSocket's ping is due (--ws-ping-interval)
  WsPong,   // a WebSocket's ping went unanswered (--ws-pong-timeout)
  WsClose,  // our close frame waits for the peer's (--ws-close-timeout)
  None
};
inline constexpr std::size_t kDeadlineKinds = static_cast<std::size_t>(DeadlineKind::None);

}  // namespace closewise::server
