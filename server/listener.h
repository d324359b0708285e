// A listening TCP socket on a worker's loop.
//
// With several workers each one binds its own socket with SO_REUSEPORT and the kernel spreads
// new connections across them. libuv 1.44 has no UV_TCP_REUSEPORT, so the option is set by hand
// between uv_tcp_init_ex (which creates the socket) and uv_tcp_bind. A socket inherited from a
// parent (systemd socket activation, or a binary upgrade) is adopted with uv_tcp_open.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace closewise::server {

// Options every accepted socket has. They are set once, on the listening socket: Linux makes each
// socket accept() returns as a copy of its listener (the child is cloned from it), options
// included, so the accept path makes no setsockopt call per connection. The test
// accepted_socket_options_test.cc reads them back from an accepted socket.
struct AcceptedSocketOptions {
  // Responses are written whole; Nagle would only delay the last segment of each.
  bool noDelay = true;
  // Bound on the bytes the kernel holds unsent per socket (TCP_NOTSENT_LOWAT). Without it a
  // write to a client that reads slowly keeps succeeding until the autotuned send buffer
  // (megabytes) is full, so a few hundred slow readers pin hundreds of MB of kernel memory and
  // each write slows the whole loop. With it, writes stop at the bound, the rest waits in our
  // queue under the write deadline, and the send buffer can still grow for fast peers (unlike a
  // fixed SO_SNDBUF).
  int notSentLowWater = 128 * 1024;
  // SO_KEEPALIVE with this idle time (0 = off). The keepalive sysctls only apply to sockets that
  // enable it, so without it a peer that vanished without a FIN is never noticed.
  std::chrono::milliseconds keepalive{0};
};

class Listener {
 public:
  // Called for each connection ready to accept, or with an error (status < 0).
  using OnConnection = std::function<void(Listener&, int status)>;

  Listener(uv_loop_t* loop, OnConnection onConnection,
           AcceptedSocketOptions accepted = {}) noexcept;
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Returns 0 or a libuv error code; errorText() then says what failed.
  int bind(const std::string& host, std::uint16_t port, bool reusePort, int backlog);
  int adopt(int fd, int backlog);
  const std::string& errorText() const noexcept { return error_; }

  // The bound address, with the real port when bound to port 0 ("127.0.0.1:41234", "[::1]:80").
  const std::string& address() const noexcept { return address_; }
  std::uint16_t port() const noexcept { return port_; }
  int fd() const noexcept;
  uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&tcp_); }

  // Stops accepting: new connects are refused by the kernel instead of waiting in a backlog
  // that nobody accepts from. Safe to call more than once.
  void close();
  bool closed() const noexcept { return closing_; }

 private:
  static void onConnectionThunk(uv_stream_t* server, int status) noexcept;
  static void onCloseThunk(uv_handle_t* handle) noexcept;
  int listenOn(int backlog);
  int setAcceptedOptions();
  void readBoundAddress();

  uv_tcp_t tcp_{};
  OnConnection onConnection_;
  AcceptedSocketOptions accepted_;
  std::string address_;
  std::string error_;
  std::uint16_t port_ = 0;
  bool initialized_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace closewise::server
