// How much one connection holds in user space, in each direction: shared by HTTP exchanges
// (connection.cc) and WebSockets (websocket.cc), so both kinds of connection flow alike.
#pragma once

#include <cstddef>

namespace closewise::server {

// Input read while it cannot be consumed (pipelined requests or a body the handler did not
// expect during an open exchange; WebSocket frames before onMessage is set) is buffered up to
// this much; then reading pauses. The kernel's receive buffer holds the rest, and TCP flow control
// slows the client down.
inline constexpr std::size_t kMaxPendingInput = 64 * 1024;

// A streaming handler is told to pause (a WebSocket send is refused) above the high-water mark,
// and resumed (onWritable, onDrain) below the low one. The marks bound what a connection holds in
// user space, and they need not be large: the kernel's send buffer keeps the socket busy
// (TCP_NOTSENT_LOWAT lets it hold 128 KiB not yet sent beyond what is in flight, listener.h), and
// user space only has to refill it each time it wakes us. A reader that stops then costs the
// server one handler piece of queued output, however many of them there are.
inline constexpr std::size_t kHighWater = 16 * 1024;
inline constexpr std::size_t kLowWater = 4 * 1024;

// Output produced while one read's input is worked through (answers to pipelined requests; a
// WebSocket's echoes and pongs to the frames of one read) is written together, up to this much:
// one send(2) for a batch instead of one per answer or message (each send on loopback also pays
// for the receiver's TCP processing). Above it the batch goes out at once.
inline constexpr std::size_t kMaxCoalescedOutput = 64 * 1024;

}  // namespace closewise::server
