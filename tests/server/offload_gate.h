// For the offload tests: a gate that work on libuv's pool waits at, so a test decides when a job
// finishes, and a set of blockers that hold every pool thread at such a gate, so the next job
// queued stays queued. The test's loop runs on the test's thread; only these atomics and the
// gate's mutex cross to the pool.
#pragma once

#include <uv.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

namespace closewise::testing {

class Gate {
 public:
  // On a pool thread: counts itself in, then waits until open() or `limit`, which keeps a broken
  // test from hanging for ever (it then fails on what it checks, not on ctest's timeout).
  void pass(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    ++arrived_;
    changed_.notify_all();
    changed_.wait_for(lock, limit, [this] { return open_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  int arrived() {
    std::lock_guard lock(mutex_);
    return arrived_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int arrived_ = 0;
  bool open_ = false;
};

// libuv's pool size, read as libuv reads it when the pool starts (src/threadpool.c): 4, or
// UV_THREADPOOL_SIZE, at least 1, at most 1024.
inline int poolSize() {
  const char* value = std::getenv("UV_THREADPOOL_SIZE");
  int size = value != nullptr ? std::atoi(value) : 4;
  if (size <= 0) size = 1;
  return size > 1024 ? 1024 : size;
}

// Occupies every thread of libuv's pool until destroyed. Declare it after the fixture: it is then
// destroyed first, opens its gate and runs the loop until each of its after-work callbacks has
// run, before the fixture's teardown runs the loop to its end.
class PoolBlockers {
 public:
  explicit PoolBlockers(uv_loop_t* loop) : loop_(loop), works_(poolSize()) {
    for (auto& work : works_) {
      work.data = this;
      uv_queue_work(
          loop_, &work, [](uv_work_t* req) { static_cast<PoolBlockers*>(req->data)->gate_.pass(); },
          [](uv_work_t* req, int) { --static_cast<PoolBlockers*>(req->data)->outstanding_; });
      ++outstanding_;
    }
  }
  ~PoolBlockers() {
    gate_.open();
    while (outstanding_ > 0) uv_run(loop_, UV_RUN_ONCE);
  }
  PoolBlockers(const PoolBlockers&) = delete;
  PoolBlockers& operator=(const PoolBlockers&) = delete;

  // True once every pool thread is waiting at the gate.
  bool allRunning() { return gate_.arrived() == static_cast<int>(works_.size()); }

 private:
  uv_loop_t* loop_;
  std::vector<uv_work_t> works_;
  Gate gate_;
  int outstanding_ = 0;  // after-work callbacks still to come; on the loop thread only
};

}  // namespace closewise::testing
