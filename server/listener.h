// A listening TCP socket on a worker's loop.
//
// With several workers each one binds its own socket with SO_REUSEPORT and the kernel spreads
// new connections across them (libuv 1.44 has no UV_TCP_REUSEPORT). A socket inherited from a
// parent (systemd socket activation, or a binary upgrade) is adopted as it is.
//
// The socket is watched with a uv_poll_t and accepted by hand, one connection per readiness
// report, as nginx does with `multi_accept off`, rather than through uv_listen. libuv's accept
// handler calls accept4() until EAGAIN, so most wakeups end in a failed accept4(), and a failed
// accept4() is dear: the kernel allocates the new socket's file before it looks at the queue
// and frees it again, many times the cost of a trivial system call (bench/README.md, "Failed
// accept4() calls"). With the socket still readable, the next loop iteration accepts the next
// connection, between the other connections' events. The accepted socket is handed to the worker as
// an fd, which it adopts with uv_tcp_open (one ioctl(FIONBIO)).
//
// Out of descriptors (EMFILE, ENFILE) the pending connections are shed the way libuv's
// uv__emfile_trick sheds them: a descriptor kept in reserve is closed, every waiting
// connection is accepted and closed at once, and the reserve is taken again, so the listener
// does not report readiness in a busy loop while the process is at its limit. If the reserve is
// gone too (another thread took the descriptor it freed before it could be taken back), nothing
// can empty the queue and the socket stays readable: the listener then stops watching it for
// kRetryMs and tries again, as nginx disables its accept events for accept_mutex_delay.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstddef>
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
  // How long accepting pauses when the process is out of descriptors and has no reserve left.
  static constexpr std::uint64_t kRetryMs = 100;

  // Called with each accepted connection's fd (>= 0; the callee owns it from then on), or with a
  // libuv error code (< 0) when accepting failed and shedding could not help.
  using OnConnection = std::function<void(Listener&, int fdOrError)>;
  // Called after accept4() failed with `error` (UV_EMFILE or UV_ENFILE) and the waiting
  // connections were shed: `closed` of them were accepted and closed at once (0 if the queue
  // held none by the time the reserve was freed).
  using OnShed = std::function<void(Listener&, int error, std::size_t closed)>;

  Listener(uv_loop_t* loop, OnConnection onConnection,
           AcceptedSocketOptions accepted = {}) noexcept;
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Returns 0 or a libuv error code; errorText() then says what failed.
  int bind(const std::string& host, std::uint16_t port, bool reusePort, int backlog);
  int adopt(int fd, int backlog);
  const std::string& errorText() const noexcept { return error_; }
  void onShed(OnShed onShed) { onShed_ = std::move(onShed); }

  // The bound address, with the real port when bound to port 0 ("127.0.0.1:41234", "[::1]:80").
  const std::string& address() const noexcept { return address_; }
  std::uint16_t port() const noexcept { return port_; }
  int fd() const noexcept { return fd_; }

  // Stops accepting: new connects are refused by the kernel instead of waiting in a backlog
  // that nobody accepts from. Safe to call more than once.
  void close();
  // Both handles' close callbacks have run (or there were none): the listener may be destroyed.
  bool closed() const noexcept { return closed_; }

 private:
  static void onReadableThunk(uv_poll_t* poll, int status, int events) noexcept;
  static void onCloseThunk(uv_handle_t* handle) noexcept;
  static void onRetryThunk(uv_timer_t* timer) noexcept;
  int fail(const char* what, int error);  // records errorText(), returns the libuv code
  int setOption(int level, int name, int value, const char* what);
  int listenOn(int backlog);
  // Out of descriptors with no reserve: stop polling for Listener::kRetryMs, then try again.
  void pauseAccepting();
  int setAcceptedOptions();
  void readBoundAddress();
  void onReadable(int status);
  int shedPending(std::size_t& closed);
  void closeDescriptors() noexcept;

  uv_loop_t* loop_;
  uv_poll_t poll_{};
  uv_timer_t retry_{};  // resumes polling after a pause at the descriptor limit
  int fd_ = -1;
  int reserveFd_ = -1;  // given up to accept and close connections when out of descriptors
  OnConnection onConnection_;
  OnShed onShed_;
  AcceptedSocketOptions accepted_;
  std::string address_;
  std::string error_;
  std::uint16_t port_ = 0;
  // Handles initialized and not yet closed: poll_ and retry_ (2) once listening, then counted
  // down by their close callbacks. Each must be closed before this object goes.
  int handles_ = 0;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace closewise::server
