#include "server/listener.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>

#include "kernel/address.h"
#include "server/uv_error.h"

namespace closewise::server {

namespace {

int openReserve() noexcept {
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  return fd >= 0 ? fd : ::open("/", O_RDONLY | O_CLOEXEC);
}

}  // namespace

Listener::Listener(uv_loop_t* loop, OnConnection onConnection,
                   AcceptedSocketOptions accepted) noexcept
    : loop_(loop), onConnection_(std::move(onConnection)), accepted_(accepted) {
  poll_.data = this;
  retry_.data = this;
}

Listener::~Listener() {
  // The handles' memory is ours: they must be fully closed (close callbacks run) before we go.
  assert(handles_ == 0 || closed_);
  if (handles_ == 0) closeDescriptors();
}

int Listener::fail(const char* what, int error) {
  const int rc = uv_translate_sys_error(error);
  error_ = uvError(what, rc);
  return rc;
}

int Listener::setOption(int level, int name, int value, const char* what) {
  if (setsockopt(fd_, level, name, &value, sizeof value) == 0) return 0;
  return fail(what, errno);
}

int Listener::bind(const std::string& host, std::uint16_t port, bool reusePort, int backlog) {
  sockaddr_storage addr{};
  int rc = uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0) rc = uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr));
  if (rc != 0) {
    error_ = "bad address " + host;
    return rc;
  }
  fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail("socket", errno);
  // As uv_tcp_bind does: a restarted server binds its port while old connections of the
  // previous one are still in TIME_WAIT.
  rc = setOption(SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt(SO_REUSEADDR)");
  if (rc == 0 && reusePort) rc = setOption(SOL_SOCKET, SO_REUSEPORT, 1, "setsockopt(SO_REUSEPORT)");
  // An IPv6 wildcard listener must not also claim the IPv4 port, or "--listen 0.0.0.0:80
  // --listen [::]:80" could not both bind.
  if (rc == 0 && addr.ss_family == AF_INET6) {
    rc = setOption(IPPROTO_IPV6, IPV6_V6ONLY, 1, "setsockopt(IPV6_V6ONLY)");
  }
  if (rc != 0) return rc;
  const socklen_t length = addr.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), length) != 0) {
    return fail("bind", errno);
  }
  return listenOn(backlog);
}

int Listener::adopt(int fd, int backlog) {
  // The parent's socket may have been blocking; uv_poll_init makes it non-blocking (documented
  // since libuv 1.2.2), so accept4() never waits.
  fd_ = fd;
  return listenOn(backlog);
}

int Listener::listenOn(int backlog) {
  int rc = setAcceptedOptions();
  if (rc != 0) return rc;
  // listen() on an inherited socket that is already listening just updates the backlog.
  if (::listen(fd_, backlog) != 0) return fail("listen", errno);
  reserveFd_ = openReserve();
  if (reserveFd_ < 0) return fail("open reserve fd", errno);
  rc = uv_poll_init_socket(loop_, &poll_, fd_);
  if (rc != 0) {
    error_ = uvError("uv_poll_init", rc);
    return rc;
  }
  uv_timer_init(loop_, &retry_);  // cannot fail: it only links the handle into the loop
  handles_ = 2;
  rc = uv_poll_start(&poll_, UV_READABLE, &Listener::onReadableThunk);
  if (rc != 0) {
    error_ = uvError("uv_poll_start", rc);
    return rc;
  }
  readBoundAddress();
  return 0;
}

int Listener::setAcceptedOptions() {
  int rc = 0;
  if (accepted_.noDelay) rc = setOption(IPPROTO_TCP, TCP_NODELAY, 1, "setsockopt(TCP_NODELAY)");
  if (rc == 0 && accepted_.notSentLowWater > 0) {
    rc = setOption(IPPROTO_TCP, TCP_NOTSENT_LOWAT, accepted_.notSentLowWater,
                   "setsockopt(TCP_NOTSENT_LOWAT)");
  }
  if (rc == 0 && accepted_.keepalive.count() > 0) {
    // Probes after `idle` seconds of silence, every idle/4, four of them: a vanished peer is
    // noticed within about twice the idle time.
    const int idle = static_cast<int>(std::max<long long>(1, accepted_.keepalive.count() / 1000));
    rc = setOption(SOL_SOCKET, SO_KEEPALIVE, 1, "setsockopt(SO_KEEPALIVE)");
    if (rc == 0) rc = setOption(IPPROTO_TCP, TCP_KEEPIDLE, idle, "setsockopt(TCP_KEEPIDLE)");
    if (rc == 0) {
      rc =
          setOption(IPPROTO_TCP, TCP_KEEPINTVL, std::max(1, idle / 4), "setsockopt(TCP_KEEPINTVL)");
    }
    if (rc == 0) rc = setOption(IPPROTO_TCP, TCP_KEEPCNT, 4, "setsockopt(TCP_KEEPCNT)");
  }
  return rc;
}

void Listener::readBoundAddress() {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    address_ = kernel::formatSocketAddress(ss, &port_);
  }
}

void Listener::onReadableThunk(uv_poll_t* poll, int status, int) noexcept {
  static_cast<Listener*>(poll->data)->onReadable(status);
}

void Listener::onReadable(int status) {
  if (closing_) return;
  if (status < 0) {
    onConnection_(*this, status);
    return;
  }
  // One connection per readiness report (see the header). The socket stays readable while
  // connections wait, so the loop comes back for the next one on its next iteration.
  for (;;) {
    const int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      onConnection_(*this, fd);
      return;
    }
    const int error = errno;
    if (error == EINTR || error == ECONNABORTED) continue;  // a connection reset while queued
    if (error == EAGAIN || error == EWOULDBLOCK) return;    // another worker took it
    if (error == EMFILE || error == ENFILE) {
      std::size_t closed = 0;
      const int shed = shedPending(closed);
      if (onShed_) onShed_(*this, uv_translate_sys_error(error), closed);
      if (shed != 0) {
        // No reserve, so the queue stays full and the socket readable: pause rather than spin.
        pauseAccepting();
        onConnection_(*this, shed);
      }
      return;
    }
    onConnection_(*this, uv_translate_sys_error(error));
    return;
  }
}

int Listener::shedPending(std::size_t& closed) {
  // As libuv's uv__emfile_trick: the reserve descriptor makes room for one accept4() at a time;
  // each waiting connection is accepted and closed (the client sees its connection closed, not
  // a SYN that is never answered), then the reserve is taken back. 0 when that worked.
  if (reserveFd_ < 0) reserveFd_ = openReserve();  // lost at the last shed; maybe free now
  if (reserveFd_ < 0) return UV_EMFILE;
  ::close(reserveFd_);
  reserveFd_ = -1;
  int error = 0;
  for (;;) {
    const int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      ::close(fd);
      ++closed;
      continue;
    }
    error = errno;
    if (error == EINTR || error == ECONNABORTED) continue;
    break;
  }
  reserveFd_ = openReserve();
  return error == EAGAIN || error == EWOULDBLOCK ? 0 : uv_translate_sys_error(error);
}

void Listener::closeDescriptors() noexcept {
  if (fd_ >= 0) ::close(fd_);
  if (reserveFd_ >= 0) ::close(reserveFd_);
  fd_ = reserveFd_ = -1;
}

void Listener::close() {
  if (closing_) return;
  closing_ = true;
  if (handles_ == 0) {
    closeDescriptors();
    closed_ = true;
    return;
  }
  // uv_close stops the poll and takes the fd out of epoll before it returns, so the socket can
  // be closed now rather than on the next loop iteration: the kernel refuses new connects from
  // this moment (those still queued are reset), as a drain needs.
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), &Listener::onCloseThunk);
  uv_close(reinterpret_cast<uv_handle_t*>(&retry_), &Listener::onCloseThunk);
  closeDescriptors();
}

void Listener::onCloseThunk(uv_handle_t* handle) noexcept {
  auto* self = static_cast<Listener*>(handle->data);
  if (--self->handles_ == 0) self->closed_ = true;
}

void Listener::pauseAccepting() {
  // Both fail only on a closing handle, and close() is the only thing that closes them; an error
  // is still reported (the worker logs it, named by uv_err_name), since a listener that neither
  // polls nor retries would never accept again.
  int rc = uv_poll_stop(&poll_);
  if (rc == 0) rc = uv_timer_start(&retry_, &Listener::onRetryThunk, kRetryMs, 0);
  if (rc != 0) onConnection_(*this, rc);
}

void Listener::onRetryThunk(uv_timer_t* timer) noexcept {
  auto* self = static_cast<Listener*>(timer->data);
  if (self->closing_) return;
  if (self->reserveFd_ < 0) self->reserveFd_ = openReserve();
  const int rc = uv_poll_start(&self->poll_, UV_READABLE, &Listener::onReadableThunk);
  if (rc != 0) {
    // Accepting stays paused: say so, and try again after the same pause.
    self->onConnection_(*self, rc);
    self->pauseAccepting();
  }
}

}  // namespace closewise::server
