// A client that reads an answer at a pace of its own, on its own thread, through a small receive
// buffer: what a phone on a poor link looks like to the server, or a slow-read attacker, or (with
// stopAfter) a reader that stops. The server runs on the test's loop in the test's thread, and
// this client blocks in its own, so neither waits on the other. The test reads the results only
// through the atomics below.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace closewise::testing {

class PacedReader {
 public:
  struct Pace {
    std::size_t bytesPerRead = 4096;                                  // at most this much per read
    std::chrono::milliseconds interval{10};                           // between reads
    std::size_t stopAfter = std::numeric_limits<std::size_t>::max();  // then read no more
    int receiveBuffer = 4096;  // SO_RCVBUF, set before connecting
  };

  PacedReader(std::uint16_t port, std::string request, Pace pace)
      : port_(port), request_(std::move(request)), pace_(pace), thread_([this] { run(); }) {}
  ~PacedReader() {
    stop_ = true;
    thread_.join();
  }
  PacedReader(const PacedReader&) = delete;
  PacedReader& operator=(const PacedReader&) = delete;

  // The server ended the connection: EOF, or an error such as ECONNRESET.
  bool finished() const noexcept { return eof_ || error_ != 0; }
  bool eof() const noexcept { return eof_; }
  int error() const noexcept { return error_; }  // errno of the failed read or write, or 0
  std::size_t received() const noexcept { return received_; }
  // Reading has stopped at stopAfter.
  bool stopped() const noexcept { return stoppedReading_; }

 private:
  void run() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    // Before connect, so the window scale the handshake agrees on is as small as the buffer.
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &pace_.receiveBuffer, sizeof pace_.receiveBuffer);
    // Reads wake up now and then to look at stop_.
    timeval tick{0, 20'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      error_ = errno;
      ::close(fd);
      return;
    }
    for (std::size_t sent = 0; sent < request_.size() && !stop_;) {
      const ssize_t n = ::send(fd, request_.data() + sent, request_.size() - sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        ::close(fd);
        return;
      }
      sent += static_cast<std::size_t>(n);
    }
    std::vector<char> buffer(pace_.bytesPerRead);
    while (!stop_ && !finished()) {
      if (received_ >= pace_.stopAfter) {
        stoppedReading_ = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      const std::size_t want = std::min(buffer.size(), pace_.stopAfter - received_);
      const ssize_t n = ::recv(fd, buffer.data(), want, 0);
      if (n == 0) {
        eof_ = true;
      } else if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) error_ = errno;
      } else {
        received_ += static_cast<std::size_t>(n);
        std::this_thread::sleep_for(pace_.interval);
      }
    }
    ::close(fd);
  }

  const std::uint16_t port_;
  const std::string request_;
  const Pace pace_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> eof_{false};
  std::atomic<bool> stoppedReading_{false};
  std::atomic<int> error_{0};
  std::atomic<std::size_t> received_{0};
  std::thread thread_;  // last: it starts in the constructor, once everything above exists
};

}  // namespace closewise::testing
