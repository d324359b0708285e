// The kinds of deadline a connection can wait on, one list of each per worker (Worker::schedule).
#pragma once

#include <cstddef>
#include <cstdint>

namespace closewise::server {

// A connection is filed under the kind of the deadline that guards its phase, or under none once
// it is closed.
enum class DeadlineKind : std::uint8_t { Header, Body, Handler, Write, Idle, Linger, None };
inline constexpr std::size_t kDeadlineKinds = static_cast<std::size_t>(DeadlineKind::None);

}  // namespace closewise::server
