#include "upload.h"

#include <uv.h>

#include <cerrno>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "server/json.h"

namespace items {

using closewise::server::Responder;

namespace {

// One upload. It owns itself and the Responder, and is deleted after its last file-system
// callback: libuv reads req_ until then, so freeing it any earlier (when the client leaves in
// the middle of a write, say) would hand libuv freed memory. At most one file-system request is
// in flight at a time (busy_), which is what makes the pace the disk's.
class Upload {
 public:
  static void start(const std::string& directory, Responder responder) {
    auto* self = new Upload(std::move(responder));
    // The client left, a deadline passed, or the body failed (onError ran first, and the
    // connection answered in our place): the partial file goes.
    self->responder_.onCancel([self] { self->onClientGone(); });
    // mkstemp's template: six X's it replaces with a name no other file has.
    const std::string pattern = directory + "/upload-" + std::string(6, 'X');
    self->begin(uv_fs_mkstemp(self->loop(), &self->req_, pattern.c_str(), &Upload::onOpened));
  }

 private:
  explicit Upload(Responder responder) : responder_(std::move(responder)) { req_.data = this; }

  uv_loop_t* loop() const { return responder_.loop(); }

  // Every file-system step starts here: in flight until its callback, or failed at once.
  void begin(int rc) {
    busy_ = rc == 0;
    if (rc < 0) diskFailed(rc);
  }

  // Ends a step: the request's result, its memory released. Returns false if the client left
  // meanwhile, in which case the upload is already being discarded.
  static Upload* finish(uv_fs_t* req, ssize_t& result) {
    auto* self = static_cast<Upload*>(req->data);
    self->busy_ = false;
    result = req->result;
    uv_fs_req_cleanup(req);
    if (self->gone_) {
      self->discard();
      return nullptr;
    }
    return self;
  }

  static void onOpened(uv_fs_t* req) {
    if (req->result >= 0) {
      // The file exists from here on, so it is on record before anything else can happen.
      auto* opening = static_cast<Upload*>(req->data);
      opening->file_ = req->path;
      opening->fd_ = static_cast<uv_file>(req->result);
    }
    ssize_t result = 0;
    Upload* self = finish(req, result);
    if (self == nullptr) return;
    if (result < 0) return self->diskFailed(static_cast<int>(result));
    // Pieces already buffered may arrive before readBody() returns.
    self->responder_.readBody({.onData = [self](std::string_view piece) { self->onData(piece); },
                               .onEnd = [self] { self->onEnd(); },
                               .onError = [](int) {}});
  }

  void onData(std::string_view piece) {
    // The view is valid only during this call, and the write outlives it.
    piece_.assign(piece);
    written_ = 0;
    responder_.pauseBody();  // no more pieces, and soon no more reading, until this one is down
    writeRest();
  }

  void writeRest() {
    uv_buf_t buffer =
        uv_buf_init(piece_.data() + written_, static_cast<unsigned>(piece_.size() - written_));
    begin(uv_fs_write(loop(), &req_, fd_, &buffer, 1, static_cast<std::int64_t>(bytes_),
                      &Upload::onWritten));
  }

  static void onWritten(uv_fs_t* req) {
    ssize_t result = 0;
    Upload* self = finish(req, result);
    if (self == nullptr) return;
    if (result < 0) return self->diskFailed(static_cast<int>(result));
    self->bytes_ += static_cast<std::uint64_t>(result);
    self->written_ += static_cast<std::size_t>(result);
    if (self->written_ < self->piece_.size()) return self->writeRest();  // a short write
    // May deliver the next piece, or the end, before it returns.
    self->responder_.resumeBody();
  }

  void onEnd() {
    // 201 promises the upload is stored: on the disk, not only in the page cache.
    begin(uv_fs_fsync(loop(), &req_, fd_, &Upload::onSynced));
  }

  static void onSynced(uv_fs_t* req) {
    ssize_t result = 0;
    Upload* self = finish(req, result);
    if (self == nullptr) return;
    if (result < 0) return self->diskFailed(static_cast<int>(result));
    // Off the books before the close starts: a descriptor number is reused at once, and a
    // discard must never close someone else's.
    const uv_file fd = std::exchange(self->fd_, -1);
    self->begin(uv_fs_close(self->loop(), &self->req_, fd, &Upload::onClosed));
  }

  static void onClosed(uv_fs_t* req) {
    ssize_t result = 0;
    Upload* self = finish(req, result);
    if (self == nullptr) return;
    if (result < 0) return self->diskFailed(static_cast<int>(result));
    const std::string name = self->file_.substr(self->file_.rfind('/') + 1);
    self->answer(201, {{"bytes", self->bytes_}, {"file", name}});
    delete self;
  }

  // The disk refused (ENOSPC, EIO...): the client hears it now, even mid-body (the answer then
  // says Connection: close), and the partial file goes.
  void diskFailed(int rc) {
    const bool full = rc == UV_ENOSPC || rc == -EDQUOT;  // libuv 1.44 has no UV_EDQUOT
    answer(full ? 507 : 500,
           {{"error", std::string("storing the upload failed: ") + uv_err_name(rc)}});
    gone_ = true;
    discard();
  }

  void answer(int status, const nlohmann::json& body) {
    responder_.onCancel(nullptr);  // answered: nothing may call back into this object any more
    closewise::server::sendJson(responder_, status, body);
  }

  void onClientGone() {
    gone_ = true;
    if (!busy_) discard();  // else the step in flight discards when it ends (finish)
  }

  // Close and remove a partial file, one step at a time, then free the upload. Called with no
  // request in flight; a step that cannot start is skipped, since there is no one left to tell.
  void discard() {
    if (fd_ >= 0) {
      const uv_file fd = std::exchange(fd_, -1);
      if (uv_fs_close(loop(), &req_, fd, &Upload::onDiscardStep) == 0) {
        busy_ = true;
        return;
      }
    }
    if (!file_.empty()) {
      const std::string file = std::exchange(file_, {});
      if (uv_fs_unlink(loop(), &req_, file.c_str(), &Upload::onDiscardStep) == 0) {
        busy_ = true;
        return;
      }
    }
    delete this;
  }

  static void onDiscardStep(uv_fs_t* req) {
    auto* self = static_cast<Upload*>(req->data);
    self->busy_ = false;
    uv_fs_req_cleanup(req);
    self->discard();
  }

  Responder responder_;
  uv_fs_t req_{};
  uv_file fd_ = -1;
  std::string file_;   // the file's path, from mkstemp, until it is removed
  std::string piece_;  // the piece being written
  std::size_t written_ = 0;
  std::uint64_t bytes_ = 0;
  bool busy_ = false;  // a request on req_ is in flight
  bool gone_ = false;  // the client left, or the upload failed: discard
};

}  // namespace

void startUpload(const std::string& directory, Responder responder) {
  Upload::start(directory, std::move(responder));
}

}  // namespace items
