// One request's record inside a pool, from request() to its end: waiting in the queue, or on a
// connection. Internal to upstream/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "lifecycle/timeout_policy.h"
#include "upstream/client.h"

namespace closewise::upstream {

class Connection;

// A streamed request body's queue: RequestHandle::write() asks for no more above the high-water
// mark, and onWritable runs once a write has taken it below the low one. What a streamed request
// holds in user space is then the queue and the one write in flight: enough to keep the socket
// busy, since the kernel's send buffer holds the rest.
inline constexpr std::size_t kBodyHighWater = 64 * 1024;
inline constexpr std::size_t kBodyLowWater = 16 * 1024;

struct Exchange {
  std::uint64_t id = 0;
  Request request;
  ResponseCallbacks callbacks;
  lifecycle::TimePoint queueDeadline = lifecycle::TimePoint::max();  // while queued
  Connection* connection = nullptr;  // the connection carrying it, or nullptr while queued
  std::size_t addressIndex = 0;      // which resolved address the next connect tries
  bool retried = false;              // this is the keep-alive race's one retry
  bool bodySent = false;             // some of the body was handed to a socket
  bool paused = false;

  // A streamed body (Request::streamed): what the caller wrote and no socket has taken yet, how
  // much it wrote in all, and how far the sending got.
  std::string bodyQueue;
  std::uint64_t bodyWritten = 0;
  std::function<void()> onWritable;
  bool bodyEnded = false;  // the caller called end()
  bool bodyDone = false;   // the write carrying the body's end completed: the request is sent
};

}  // namespace closewise::upstream
