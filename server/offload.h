// Blocking work off the loop: run a function on libuv's thread pool and finish the answer back on
// the connection's loop.
//
//   offload(std::move(responder),
//           [input = std::string(request.body)] { return slowComputation(input); },   // pool
//           [](Responder responder, Result result) { responder.send(200, result.text); });  // loop
//
// A handler must never block its loop (every other connection of the worker waits meanwhile), so
// work that blocks (a CPU-heavy computation, a blocking library call) goes to the pool through
// uv_queue_work. `work` runs on a pool thread and must touch nothing of the connection's: not the
// Responder, not the Request (copy what it needs into the lambda: the Request may be reused for
// another client once the exchange ends), not the loop. `done` runs on the loop, in the
// after-work callback, with the Responder handed back and the result of `work`.
//
// If the exchange is cancelled first (the client reset, a deadline, the server stopping), a job
// still queued is taken off the queue (uv_cancel) and never runs; one already running finishes,
// and its result is destroyed on the loop without `done`: nobody is left to answer. An exception
// thrown by `work` is caught on the pool thread and answered 500 on the loop, logged at error.
//
// The job holds the Responder's onCancel() slot while it runs: a callback the handler registered
// before calling offload() is replaced and will not run. Register it again in `done` if the
// answer continues past it (a stream, a timer).
//
// The pool is libuv's one pool for the whole process: UV_THREADPOOL_SIZE threads (4 by default,
// set in the environment before the first use) shared by every worker and by libuv's own users of
// it, among them the upstream resolver's uv_getaddrinfo. Jobs that block for long should be few,
// or the pool should be larger. A server that stops waits for jobs already running: a worker's
// loop keeps running while a work request is active, so it ends, and the process exits, once the
// last running job has returned (its result dropped). Work that can run for long should itself be
// bounded.
#pragma once

#include <uv.h>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "server/handler.h"

namespace closewise::server {

// The part of an offloaded job that does not depend on its types: the libuv request, the
// Responder, and what the pool thread reported. It owns itself from submit() until the after-work
// callback, where it is deleted, never earlier: libuv uses the uv_work_t until that callback
// returns, cancelled or not.
class OffloadJob {
 public:
  OffloadJob(const OffloadJob&) = delete;
  OffloadJob& operator=(const OffloadJob&) = delete;
  virtual ~OffloadJob() = default;

  // Queues the job (takes ownership of it). On a Responder already cancelled nothing is queued
  // and the job is deleted at once.
  static void submit(OffloadJob* job) noexcept;

 protected:
  explicit OffloadJob(Responder responder) noexcept : responder_(std::move(responder)) {}

 private:
  // On a pool thread: the work, its result kept in the derived job.
  virtual void run() = 0;
  // On the loop, only when run() returned and the exchange is still open.
  virtual void complete(Responder responder) = 0;

  static void onWorkThunk(uv_work_t* req) noexcept;
  static void onAfterWorkThunk(uv_work_t* req, int status) noexcept;
  void onWork() noexcept;
  void onAfterWork(int status) noexcept;
  void onCancel() noexcept;

  uv_work_t req_{};
  Responder responder_;
  // Written on the pool thread before the after-work callback; libuv's hand-over of the request
  // from the pool to the loop orders the write before the read.
  std::string failure_;
  bool failed_ = false;
};

namespace detail {

template <typename Work, typename Done>
class TypedOffloadJob final : public OffloadJob {
 public:
  using Result = std::invoke_result_t<Work&>;

  TypedOffloadJob(Responder responder, Work work, Done done)
      : OffloadJob(std::move(responder)), work_(std::move(work)), done_(std::move(done)) {}

 private:
  void run() override {
    if constexpr (std::is_void_v<Result>) {
      work_();
    } else {
      result_.emplace(work_());
    }
  }

  void complete(Responder responder) override {
    if constexpr (std::is_void_v<Result>) {
      done_(std::move(responder));
    } else {
      done_(std::move(responder), std::move(*result_));
    }
  }

  struct Nothing {};
  Work work_;
  Done done_;
  std::optional<std::conditional_t<std::is_void_v<Result>, Nothing, Result>> result_;
};

}  // namespace detail

// Runs work() on libuv's thread pool, then done(std::move(responder), result) on the responder's
// loop; for a work() that returns nothing, done(std::move(responder)). Call on the loop that called
// the handler. See the top of this file for cancellation, exceptions and the pool's size.
template <typename Work, typename Done>
void offload(Responder responder, Work work, Done done) {
  using Result = std::invoke_result_t<Work&>;
  if constexpr (std::is_void_v<Result>) {
    static_assert(std::is_invocable_v<Done&, Responder>, "done must take (Responder)");
  } else {
    static_assert(std::is_invocable_v<Done&, Responder, Result>,
                  "done must take (Responder, the result of work)");
  }
  OffloadJob::submit(new detail::TypedOffloadJob<Work, Done>(std::move(responder), std::move(work),
                                                             std::move(done)));
}

}  // namespace closewise::server
