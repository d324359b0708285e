// Plain blocking loopback sockets for the admin tests: these tests are about what the kernel
// reports, so they drive TCP directly instead of going through libuv. Every call that could wait
// is bounded so a broken kernel expectation fails a test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kernel/sock_diag.h"
#include "kernel/unique_fd.h"

namespace closewise::test {

inline constexpr auto kWaitLimit = std::chrono::seconds(2);

// Binds `address` on port 0 and listens; invalid on failure (e.g. no IPv6 on this host).
inline kernel::UniqueFd listenOn(const char* address = "127.0.0.1", int backlog = 16) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    family = AF_INET6;
    length = sizeof *v6;
  } else {
    return kernel::UniqueFd{};
  }
  kernel::UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
      ::listen(fd.get(), backlog) != 0)
    return kernel::UniqueFd{};
  return fd;
}

inline std::uint16_t localPort(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return 0;
  if (storage.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
}

// Connects to the listener `listener` is bound to (same family, loopback).
inline kernel::UniqueFd connectTo(int listener) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(listener, reinterpret_cast<sockaddr*>(&storage), &length) != 0)
    return kernel::UniqueFd{};
  kernel::UniqueFd fd(::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0)
    return kernel::UniqueFd{};
  return fd;
}

inline kernel::UniqueFd acceptOne(int listener) {
  pollfd ready{listener, POLLIN, 0};
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(kWaitLimit);
  if (::poll(&ready, 1, static_cast<int>(limit.count())) != 1) return kernel::UniqueFd{};
  return kernel::UniqueFd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
}

// A listener on `address` with `connections` connected pairs, both ends held by this process: the
// accepted ends have the listener's port as their local port, the clients have it as their
// remote port.
// Every socket a view counted, all states together.
inline std::uint64_t totalSockets(const kernel::KernelView& view) {
  std::uint64_t sum = 0;
  for (const std::uint64_t count : view.states) sum += count;
  return sum;
}

struct LoopbackService {
  kernel::UniqueFd listener;
  std::vector<kernel::UniqueFd> clients;
  std::vector<kernel::UniqueFd> accepted;

  LoopbackService(const char* address, int connections, int backlog = 16)
      : listener(listenOn(address, backlog)) {
    if (!listener.valid()) return;
    for (int i = 0; i < connections; ++i) {
      clients.push_back(connectTo(listener.get()));
      accepted.push_back(acceptOne(listener.get()));
    }
  }
  std::uint16_t port() const { return localPort(listener.get()); }
  bool ready() const {
    if (!listener.valid()) return false;
    for (const auto& fd : clients)
      if (!fd.valid()) return false;
    for (const auto& fd : accepted)
      if (!fd.valid()) return false;
    return true;
  }
};

// Reads until the peer's FIN (true) or the limit (false); discards data.
inline bool readUntilEof(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  char scratch[256];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 10) != 1) continue;
    const ssize_t got = ::read(fd, scratch, sizeof scratch);
    if (got == 0) return true;
    if (got < 0) return false;
  }
  return false;
}

// Kernel state changes after a FIN are asynchronous even on loopback; poll instead of sleeping
// a fixed time so tests are both fast and not flaky.
template <typename Predicate>
bool waitUntil(Predicate predicate) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// The number of lines `command` prints, or nothing if it could not run (e.g. no ss installed).
inline std::optional<long> commandLineCount(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  long lines = 0;
  for (int c = std::fgetc(pipe); c != EOF; c = std::fgetc(pipe))
    if (c == '\n') ++lines;
  const int status = ::pclose(pipe);
  if (status != 0) return std::nullopt;
  return lines;
}

}  // namespace closewise::test
