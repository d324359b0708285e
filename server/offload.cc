#include "server/offload.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <memory>

namespace closewise::server {
namespace {

// What the client gets when the work failed: the details are in our log, not in the answer.
constexpr std::string_view kFailedBody = "internal error\n";

std::vector<Header> textPlain() {
  return {{"Content-Type", "text/plain"}};
}

}  // namespace

void OffloadJob::submit(OffloadJob* job) noexcept {
  // A client already gone wants no answer, so its work would be wasted on the pool.
  if (job->responder_.cancelled()) {
    delete job;
    return;
  }
  job->req_.data = job;
  // The job lives until its after-work callback, so the callback can name it; it clears the
  // slot there before the Responder moves on to `done`.
  job->responder_.onCancel([job] { job->onCancel(); });
  const int rc = uv_queue_work(job->responder_.loop(), &job->req_, &OffloadJob::onWorkThunk,
                               &OffloadJob::onAfterWorkThunk);
  if (rc != 0) {
    // No callback will come for a request libuv refused, so the job ends here.
    spdlog::error("offload: uv_queue_work failed: {}; answering 500", uv_err_name(rc));
    job->responder_.onCancel({});
    job->responder_.send(500, kFailedBody, textPlain());
    delete job;
  }
}

void OffloadJob::onWorkThunk(uv_work_t* req) noexcept {
  static_cast<OffloadJob*>(req->data)->onWork();
}

void OffloadJob::onAfterWorkThunk(uv_work_t* req, int status) noexcept {
  static_cast<OffloadJob*>(req->data)->onAfterWork(status);
}

void OffloadJob::onWork() noexcept {
  // On a pool thread, where nothing would catch an exception: it is carried to the loop as text
  // and answered there.
  try {
    run();
  } catch (const std::exception& e) {
    failed_ = true;
    failure_ = e.what();
  } catch (...) {
    failed_ = true;
    failure_ = "an exception that is not a std::exception";
  }
}

void OffloadJob::onAfterWork(int status) noexcept {
  // libuv is done with req_: the job, with the result it holds, is freed as this returns, on the
  // loop thread, whichever way it went.
  const std::unique_ptr<OffloadJob> self(this);
  if (status == UV_ECANCELED) {
    SPDLOG_DEBUG("offload: the client left before the job ran; it never will");
    return;
  }
  if (responder_.cancelled()) {
    SPDLOG_DEBUG("offload: the client left while the job ran; its result is dropped");
    return;
  }
  // The slot's callback names this job, which is about to go; `done` may register its own.
  responder_.onCancel({});
  if (failed_) {
    spdlog::error("offload: the work for {} threw: {}; answering 500", responder_.peerAddress(),
                  failure_);
    responder_.send(500, kFailedBody, textPlain());
    return;
  }
  // `done` is the handler's code on the loop: an exception from it must stop here, before the
  // libuv callback. The Responder it took is destroyed in the unwinding, so the connection
  // answers 500 for it (or resets, mid-answer) as for any handler that dropped its Responder.
  try {
    complete(std::move(responder_));
  } catch (const std::exception& e) {
    spdlog::error("offload: done threw: {}", e.what());
  } catch (...) {
    spdlog::error("offload: done threw an exception that is not a std::exception");
  }
}

void OffloadJob::onCancel() noexcept {
  // Queued: uv_cancel takes it off the queue and the after-work callback comes with
  // UV_ECANCELED. Running (or just finished): libuv cannot stop a thread, so UV_EBUSY, and the
  // after-work callback drops the result since the Responder is now cancelled.
  const int rc = uv_cancel(reinterpret_cast<uv_req_t*>(&req_));
  SPDLOG_DEBUG(
      "offload: the client left; {}",
      rc == 0 ? "the queued job is cancelled" : "the job is running, its result will be dropped");
}

}  // namespace closewise::server
