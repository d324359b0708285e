// One request's record inside a pool, from request() to its end: waiting in the queue, or on a
// connection. Internal to upstream/.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lifecycle/timeout_policy.h"
#include "upstream/client.h"

namespace closewise::upstream {

class Connection;

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
};

}  // namespace closewise::upstream
