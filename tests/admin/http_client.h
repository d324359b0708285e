// A blocking HTTP/1.1 client for the admin route tests: just enough to send one request and read
// one response, or to hold a connection open in a known phase. Every wait is bounded by poll().
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kernel/unique_fd.h"

namespace closewise::test {

struct HttpResponse {
  int status = 0;
  std::string head;  // status line and fields
  std::string body;

  // The value of the first field named `name` (case-sensitive here: the server's own spelling).
  std::string header(std::string_view name) const {
    const std::string key = "\r\n" + std::string(name) + ": ";
    const std::size_t at = head.find(key);
    if (at == std::string::npos) return {};
    const std::size_t start = at + key.size();
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

inline kernel::UniqueFd connectLoopback(std::uint16_t port) {
  kernel::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!fd.valid() ||
      ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return kernel::UniqueFd{};
  }
  return fd;
}

inline bool sendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads one response with a Content-Length body (every admin and demo answer used here has one).
inline std::optional<HttpResponse> readResponse(
    int fd, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string data;
  HttpResponse response;
  std::size_t bodyStart = std::string::npos;
  std::size_t length = 0;
  for (;;) {
    if (bodyStart == std::string::npos) {
      const std::size_t end = data.find("\r\n\r\n");
      if (end != std::string::npos) {
        bodyStart = end + 4;
        response.head = data.substr(0, end);
        if (response.head.size() < 12) return std::nullopt;
        response.status = std::stoi(response.head.substr(9, 3));
        const std::string field = response.header("Content-Length");
        length = field.empty() ? 0 : std::stoul(field);
      }
    }
    if (bodyStart != std::string::npos && data.size() >= bodyStart + length) {
      response.body = data.substr(bodyStart, length);
      return response;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) != 1) return std::nullopt;
    char buffer[16384];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return std::nullopt;
    data.append(buffer, static_cast<std::size_t>(n));
  }
}

// The Host curl sends for http://127.0.0.1:PORT/, which the admin listener answers to.
inline std::string loopbackHost(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

// One request on a new connection ("Connection: close" is added). `host` is the Host field's
// value; by default the one curl would send (loopbackHost).
inline std::optional<HttpResponse> request(std::uint16_t port, std::string_view method,
                                           std::string_view target,
                                           std::string_view extraHeaders = {},
                                           std::string_view host = {}) {
  kernel::UniqueFd fd = connectLoopback(port);
  if (!fd.valid()) return std::nullopt;
  const std::string hostValue = host.empty() ? loopbackHost(port) : std::string(host);
  std::string text = std::string(method) + " " + std::string(target) +
                     " HTTP/1.1\r\nHost: " + hostValue + "\r\nConnection: close\r\n";
  text += extraHeaders;
  if (method == "POST") text += "Content-Length: 0\r\n";
  text += "\r\n";
  if (!sendAll(fd.get(), text)) return std::nullopt;
  return readResponse(fd.get());
}

inline std::optional<HttpResponse> get(std::uint16_t port, std::string_view target,
                                       std::string_view extraHeaders = {},
                                       std::string_view host = {}) {
  return request(port, "GET", target, extraHeaders, host);
}

// A keep-alive GET whose response is read, leaving the connection idle.
inline kernel::UniqueFd idleConnection(std::uint16_t port) {
  kernel::UniqueFd fd = connectLoopback(port);
  if (!fd.valid() || !sendAll(fd.get(), "GET / HTTP/1.1\r\nHost: test\r\n\r\n") ||
      !readResponse(fd.get())) {
    return kernel::UniqueFd{};
  }
  return fd;
}

// A request whose handler is still running (GET /delay?ms=N): the connection is processing.
inline kernel::UniqueFd processingConnection(std::uint16_t port, int ms) {
  kernel::UniqueFd fd = connectLoopback(port);
  const std::string text =
      "GET /delay?ms=" + std::to_string(ms) + " HTTP/1.1\r\nHost: test\r\n\r\n";
  if (!fd.valid() || !sendAll(fd.get(), text)) return kernel::UniqueFd{};
  return fd;
}

// Polls `fn` every 50 ms until it returns true or `limit` passes.
template <typename Fn>
bool eventually(Fn&& fn, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (fn()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    ::usleep(50'000);
  }
}

}  // namespace closewise::test
