// A scriptable upstream made of raw sockets on the test's loop: it accepts, reads requests, and
// for each complete one calls the test's script, which answers with exact bytes, FIN, RST, a
// plain close, or silence. It knows only enough HTTP to find where a request ends (the head, then
// a Content-Length body).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace closewise::testing {

class FakeUpstream;

// One accepted connection.
class FakePeer {
 public:
  FakePeer(FakeUpstream& owner, std::size_t index);
  FakePeer(const FakePeer&) = delete;
  FakePeer& operator=(const FakePeer&) = delete;

  void send(std::string bytes);
  void fin();    // shutdown(SHUT_WR): our FIN, we keep reading
  void reset();  // SO_LINGER {1, 0} then close: RST
  void close();  // plain close: FIN (or RST if unread bytes remain)

  std::size_t index() const noexcept { return index_; }
  const std::string& received() const noexcept { return received_; }
  std::size_t requests() const noexcept { return requests_; }
  bool eofSeen() const noexcept { return eof_; }  // the client's FIN (or RST) arrived
  bool closed() const noexcept { return closed_; }
  std::uint16_t remotePort() const;  // the client's (our pool's) local port

 private:
  friend class FakeUpstream;
  static void onAlloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void onWrite(uv_write_t* req, int status) noexcept;
  static void onShutdown(uv_shutdown_t* req, int status) noexcept;
  static void onClose(uv_handle_t* handle) noexcept;
  void takeRequests();

  FakeUpstream& owner_;
  std::size_t index_;
  uv_tcp_t tcp_{};
  uv_shutdown_t shutdownReq_{};
  char buffer_[16 * 1024];
  std::string received_;
  std::size_t parsed_ = 0;  // bytes of received_ that belong to complete requests
  std::size_t requests_ = 0;
  bool eof_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

class FakeUpstream {
 public:
  // Called for every complete request on any connection, with that request's bytes.
  using Script = std::function<void(FakePeer& peer, const std::string& request)>;

  FakeUpstream(uv_loop_t* loop, Script script);
  ~FakeUpstream();  // close() must have run and the loop turned
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::size_t accepted() const noexcept { return peers_.size(); }
  std::size_t requests() const noexcept;
  FakePeer& peer(std::size_t i) { return *peers_.at(i); }
  void setScript(Script script) { script_ = std::move(script); }
  // Closes the listener and every connection still open.
  void close();

 private:
  friend class FakePeer;
  static void onConnection(uv_stream_t* server, int status) noexcept;

  uv_loop_t* loop_;
  Script script_;
  uv_tcp_t listener_{};
  std::uint16_t port_ = 0;
  std::vector<std::unique_ptr<FakePeer>> peers_;
  bool closed_ = false;
};

// A port on 127.0.0.1 where nothing listens (bound, then closed), for connect-refused tests.
std::uint16_t refusingPort();

// A whole response with a Content-Length body.
std::string okResponse(const std::string& body, const std::string& extraHeaders = {});

}  // namespace closewise::testing
