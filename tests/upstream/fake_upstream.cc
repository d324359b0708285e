#include "tests/upstream/fake_upstream.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>

namespace closewise::testing {

namespace {

// Where the request at the start of bytes ends, or npos while it is incomplete.
std::size_t requestEnd(const std::string& bytes, std::size_t from) {
  const std::size_t head = bytes.find("\r\n\r\n", from);
  if (head == std::string::npos) return std::string::npos;
  std::size_t length = 0;
  const std::string headText = bytes.substr(from, head - from);
  for (const char* name : {"\r\nContent-Length:", "\r\ncontent-length:"}) {
    const std::size_t at = headText.find(name);
    if (at != std::string::npos) length = std::strtoul(headText.c_str() + at + 17, nullptr, 10);
  }
  const std::size_t end = head + 4 + length;
  return end <= bytes.size() ? end : std::string::npos;
}

struct Write {
  uv_write_t req{};
  std::string bytes;
};

}  // namespace

FakePeer::FakePeer(FakeUpstream& owner, std::size_t index) : owner_(owner), index_(index) {
  uv_tcp_init(owner.loop_, &tcp_);
  tcp_.data = this;
}

void FakePeer::send(std::string bytes) {
  if (closing_) return;
  auto* w = new Write{{}, std::move(bytes)};
  w->req.data = w;
  uv_buf_t buf = uv_buf_init(w->bytes.data(), static_cast<unsigned>(w->bytes.size()));
  if (uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, &FakePeer::onWrite) != 0)
    delete w;
}

void FakePeer::fin() {
  if (closing_) return;
  uv_shutdown(&shutdownReq_, reinterpret_cast<uv_stream_t*>(&tcp_), &FakePeer::onShutdown);
}

void FakePeer::reset() {
  if (closing_) return;
  closing_ = true;
  uv_tcp_close_reset(&tcp_, &FakePeer::onClose);
}

void FakePeer::close() {
  if (closing_) return;
  closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &FakePeer::onClose);
}

std::uint16_t FakePeer::remotePort() const {
  sockaddr_storage address{};
  int len = sizeof address;
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&address), &len) != 0) return 0;
  return ntohs(reinterpret_cast<sockaddr_in&>(address).sin_port);
}

void FakePeer::onAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept {
  auto* self = static_cast<FakePeer*>(handle->data);
  *buf = uv_buf_init(self->buffer_, sizeof self->buffer_);
}

void FakePeer::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* self = static_cast<FakePeer*>(stream->data);
  if (nread > 0) {
    self->received_.append(buf->base, static_cast<std::size_t>(nread));
    self->takeRequests();
  } else if (nread < 0) {
    self->eof_ = true;
    uv_read_stop(stream);
  }
}

void FakePeer::takeRequests() {
  for (;;) {
    const std::size_t end = requestEnd(received_, parsed_);
    if (end == std::string::npos) return;
    const std::string request = received_.substr(parsed_, end - parsed_);
    parsed_ = end;
    ++requests_;
    if (owner_.script_) owner_.script_(*this, request);
    if (closing_) return;
  }
}

void FakePeer::onWrite(uv_write_t* req, int) noexcept {
  delete static_cast<Write*>(req->data);
}

void FakePeer::onShutdown(uv_shutdown_t*, int) noexcept {}

void FakePeer::onClose(uv_handle_t* handle) noexcept {
  static_cast<FakePeer*>(handle->data)->closed_ = true;
}

FakeUpstream::FakeUpstream(uv_loop_t* loop, Script script)
    : loop_(loop), script_(std::move(script)) {
  REQUIRE(uv_tcp_init(loop_, &listener_) == 0);
  listener_.data = this;
  sockaddr_in address{};
  REQUIRE(uv_ip4_addr("127.0.0.1", 0, &address) == 0);
  REQUIRE(uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&address), 0) == 0);
  REQUIRE(uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 128, &FakeUpstream::onConnection) ==
          0);
  sockaddr_storage bound{};
  int len = sizeof bound;
  REQUIRE(uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &len) == 0);
  port_ = ntohs(reinterpret_cast<sockaddr_in&>(bound).sin_port);
}

FakeUpstream::~FakeUpstream() {
  close();
  uv_run(loop_, UV_RUN_NOWAIT);
}

std::size_t FakeUpstream::requests() const noexcept {
  std::size_t n = 0;
  for (const auto& peer : peers_) n += peer->requests();
  return n;
}

void FakeUpstream::close() {
  if (closed_) return;
  closed_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
  for (auto& peer : peers_) peer->close();
}

void FakeUpstream::onConnection(uv_stream_t* server, int status) noexcept {
  auto* self = static_cast<FakeUpstream*>(server->data);
  if (status < 0 || self->closed_) return;
  self->peers_.push_back(std::make_unique<FakePeer>(*self, self->peers_.size()));
  FakePeer& peer = *self->peers_.back();
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&peer.tcp_)) != 0) {
    peer.close();
    return;
  }
  uv_read_start(reinterpret_cast<uv_stream_t*>(&peer.tcp_), &FakePeer::onAlloc, &FakePeer::onRead);
}

std::uint16_t refusingPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t len = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string okResponse(const std::string& body, const std::string& extraHeaders) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extraHeaders + "\r\n" + body;
}

}  // namespace closewise::testing
