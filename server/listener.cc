#include "server/listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>

#include "server/address.h"

namespace closewise::server {

namespace {

std::string uvError(const char* what, int rc) {
  return std::string(what) + ": " + uv_err_name(rc) + " (" + uv_strerror(rc) + ")";
}

}  // namespace

Listener::Listener(uv_loop_t* loop, OnConnection onConnection,
                   AcceptedSocketOptions accepted) noexcept
    : onConnection_(std::move(onConnection)), accepted_(accepted) {
  tcp_.data = this;
  tcp_.loop = loop;
}

Listener::~Listener() {
  // The handle's memory is ours: it must be fully closed (close callback run) before we go.
  assert(!initialized_ || closed_);
}

int Listener::bind(const std::string& host, std::uint16_t port, bool reusePort, int backlog) {
  sockaddr_storage addr{};
  int rc = uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0) rc = uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr));
  if (rc != 0) {
    error_ = "bad address " + host;
    return rc;
  }
  // uv_tcp_init_ex with a family creates the socket now, so options can be set before bind.
  rc = uv_tcp_init_ex(tcp_.loop, &tcp_, addr.ss_family);
  if (rc != 0) {
    error_ = uvError("uv_tcp_init_ex", rc);
    return rc;
  }
  initialized_ = true;
  if (reusePort) {
    int one = 1;
    if (setsockopt(fd(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      rc = uv_translate_sys_error(errno);
      error_ = uvError("setsockopt(SO_REUSEPORT)", rc);
      return rc;
    }
  }
  // An IPv6 wildcard listener must not also claim the IPv4 port, or "--listen 0.0.0.0:80
  // --listen [::]:80" could not both bind.
  unsigned flags = addr.ss_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0;
  rc = uv_tcp_bind(&tcp_, reinterpret_cast<const sockaddr*>(&addr), flags);
  if (rc != 0) {
    error_ = uvError("bind", rc);
    return rc;
  }
  return listenOn(backlog);
}

int Listener::adopt(int fd, int backlog) {
  int rc = uv_tcp_init(tcp_.loop, &tcp_);
  if (rc != 0) {
    error_ = uvError("uv_tcp_init", rc);
    return rc;
  }
  initialized_ = true;
  rc = uv_tcp_open(&tcp_, fd);
  if (rc != 0) {
    error_ = uvError("uv_tcp_open", rc);
    return rc;
  }
  return listenOn(backlog);
}

int Listener::listenOn(int backlog) {
  int rc = setAcceptedOptions();
  if (rc != 0) return rc;
  // uv_listen on an inherited socket that is already listening just updates the backlog.
  rc = uv_listen(stream(), backlog, &Listener::onConnectionThunk);
  if (rc != 0) {
    error_ = uvError("listen", rc);
    return rc;
  }
  readBoundAddress();
  return 0;
}

int Listener::setAcceptedOptions() {
  const int sock = fd();
  auto set = [&](int level, int name, int value, const char* what) {
    if (setsockopt(sock, level, name, &value, sizeof value) == 0) return 0;
    const int rc = uv_translate_sys_error(errno);
    error_ = uvError(what, rc);
    return rc;
  };
  int rc = 0;
  if (accepted_.noDelay) rc = set(IPPROTO_TCP, TCP_NODELAY, 1, "setsockopt(TCP_NODELAY)");
  if (rc == 0 && accepted_.notSentLowWater > 0) {
    rc = set(IPPROTO_TCP, TCP_NOTSENT_LOWAT, accepted_.notSentLowWater,
             "setsockopt(TCP_NOTSENT_LOWAT)");
  }
  if (rc == 0 && accepted_.keepalive.count() > 0) {
    // Probes after `idle` seconds of silence, every idle/4, four of them: a vanished peer is
    // noticed within about twice the idle time.
    const int idle = static_cast<int>(std::max<long long>(1, accepted_.keepalive.count() / 1000));
    rc = set(SOL_SOCKET, SO_KEEPALIVE, 1, "setsockopt(SO_KEEPALIVE)");
    if (rc == 0) rc = set(IPPROTO_TCP, TCP_KEEPIDLE, idle, "setsockopt(TCP_KEEPIDLE)");
    if (rc == 0) {
      rc = set(IPPROTO_TCP, TCP_KEEPINTVL, std::max(1, idle / 4), "setsockopt(TCP_KEEPINTVL)");
    }
    if (rc == 0) rc = set(IPPROTO_TCP, TCP_KEEPCNT, 4, "setsockopt(TCP_KEEPCNT)");
  }
  return rc;
}

void Listener::readBoundAddress() {
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    address_ = formatSocketAddress(ss, &port_);
  }
}

int Listener::fd() const noexcept {
  uv_os_fd_t fd = -1;
  if (!initialized_ || uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd) != 0) return -1;
  return fd;
}

void Listener::close() {
  if (!initialized_ || closing_) return;
  closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &Listener::onCloseThunk);
}

void Listener::onConnectionThunk(uv_stream_t* server, int status) noexcept {
  auto* self = static_cast<Listener*>(server->data);
  self->onConnection_(*self, status);
}

void Listener::onCloseThunk(uv_handle_t* handle) noexcept {
  static_cast<Listener*>(handle->data)->closed_ = true;
}

}  // namespace closewise::server
