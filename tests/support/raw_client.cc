#include "tests/support/raw_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>

namespace closewise::testing {

namespace {
struct WriteReq {
  uv_write_t req{};
  std::string bytes;
  class RawClient* owner = nullptr;
};
}  // namespace

RawClient::RawClient(uv_loop_t* loop) {
  uv_tcp_init(loop, &tcp_);
  tcp_.data = this;
}

RawClient::~RawClient() = default;

void RawClient::connect(std::uint16_t port, const char* host) {
  sockaddr_storage addr{};
  if (uv_ip4_addr(host, port, reinterpret_cast<sockaddr_in*>(&addr)) != 0) {
    uv_ip6_addr(host, port, reinterpret_cast<sockaddr_in6*>(&addr));
  }
  connectReq_.data = this;
  int rc = uv_tcp_connect(&connectReq_, &tcp_, reinterpret_cast<const sockaddr*>(&addr),
                          &RawClient::onConnect);
  if (rc != 0) connectStatus_ = rc;
}

void RawClient::onConnect(uv_connect_t* req, int status) {
  auto* self = static_cast<RawClient*>(req->data);
  self->connectStatus_ = status;
  if (status != 0) return;
  self->connected_ = true;
  self->resumeReading();
}

void RawClient::resumeReading() {
  if (reading_ || closing_ || eof_) return;
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), &RawClient::onAlloc,
                    &RawClient::onRead) == 0) {
    reading_ = true;
  }
}

void RawClient::pauseReading() {
  if (!reading_) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  reading_ = false;
}

void RawClient::onAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto* self = static_cast<RawClient*>(handle->data);
  *buf = uv_buf_init(self->buffer_, sizeof self->buffer_);
}

void RawClient::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<RawClient*>(stream->data);
  if (nread > 0) {
    self->receivedBytes_ += static_cast<std::size_t>(nread);
    if (!self->countOnly_) self->received_.append(buf->base, static_cast<std::size_t>(nread));
    return;
  }
  if (nread == UV_EOF) {
    self->eof_ = true;
    self->reading_ = false;
  } else if (nread < 0) {
    self->readError_ = static_cast<int>(nread);
    self->resetByPeer_ = nread == UV_ECONNRESET;
    uv_read_stop(stream);
    self->reading_ = false;
  }
}

void RawClient::send(std::string bytes) {
  if (closing_) return;
  auto* w = new WriteReq;
  w->bytes = std::move(bytes);
  w->owner = this;
  w->req.data = w;
  uv_buf_t buf = uv_buf_init(w->bytes.data(), static_cast<unsigned>(w->bytes.size()));
  if (uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, &RawClient::onWrite) != 0) {
    writeError_ = -1;
    delete w;
  }
}

void RawClient::onWrite(uv_write_t* req, int status) {
  auto* w = static_cast<WriteReq*>(req->data);
  if (status != 0 && status != UV_ECANCELED) w->owner->writeError_ = status;
  delete w;
}

void RawClient::shutdownWrite() {
  shutdownReq_.data = this;
  uv_shutdown(&shutdownReq_, reinterpret_cast<uv_stream_t*>(&tcp_), &RawClient::onShutdown);
}

void RawClient::onShutdown(uv_shutdown_t*, int) {}

void RawClient::reset() {
  if (closing_) return;
  closing_ = true;
  if (uv_tcp_close_reset(&tcp_, &RawClient::onClose) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &RawClient::onClose);
  }
}

void RawClient::close() {
  if (closing_) return;
  closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &RawClient::onClose);
}

void RawClient::onClose(uv_handle_t* handle) {
  static_cast<RawClient*>(handle->data)->closed_ = true;
}

std::uint16_t RawClient::localPort() const {
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

std::uint32_t RawClient::segmentsReceived() const {
  uv_os_fd_t fd = -1;
  if (uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd) != 0) return 0;
  // glibc's struct tcp_info stops at tcpi_total_retrans, and <linux/tcp.h>, which has the rest,
  // cannot be included beside it (uv.h brings in glibc's). The kernel only ever appends to the
  // struct, so its next fields are declared here in the kernel's order (include/uapi/linux/tcp.h).
  struct {
    tcp_info base;
    std::uint64_t pacingRate, maxPacingRate, bytesAcked, bytesReceived;
    std::uint32_t segsOut, segsIn;
  } info{};
  static_assert(offsetof(decltype(info), pacingRate) == 104);
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return 0;
  if (len < offsetof(decltype(info), segsIn) + sizeof info.segsIn) return 0;
  return info.segsIn;
}

std::size_t RawClient::responseCount() const {
  std::size_t count = 0;
  for (std::size_t pos = received_.find("HTTP/1.1 "); pos != std::string::npos;
       pos = received_.find("HTTP/1.1 ", pos + 1)) {
    ++count;
  }
  return count;
}

}  // namespace closewise::testing
