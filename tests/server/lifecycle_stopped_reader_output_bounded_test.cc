// What a connection holds in user space for a client that stops reading is what keeps its socket
// busy, no more: a streaming handler is paused at the high-water mark (16 KiB), so once the
// kernel's buffers are full the server holds at most that plus the one piece the handler wrote
// last. The rest of the answer is not produced until the client reads again, and the kernel's
// send buffer, not ours, holds what is in transit. Measured here from outside: what the handler
// produced, less what the kernel holds on both ends (the server socket's send queue, SIOCOUTQ,
// and the client socket's receive queue, FIONREAD), is what the server keeps in user space.
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using server::Request;
using server::Responder;

namespace {

constexpr std::size_t kPiece = 16 * 1024;

// /bytes's producer, counting what it wrote: 16 KiB pieces while wantsMore(), then onWritable.
struct Producer {
  std::size_t produced = 0;
  bool waiting = false;  // paused by the high-water mark, not yet resumed
  Responder responder;

  void run() {
    waiting = false;
    const std::string piece(kPiece, 'p');
    while (responder.wantsMore() && responder.write(piece)) produced += piece.size();
    if (responder.cancelled()) return;
    waiting = true;
    responder.onWritable([this] { run(); });
  }
};

int clientSocket(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int buffer = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The kernel completes the handshake; the server accepts once the test runs its loop.
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

}  // namespace

TEST_CASE("a client that reads nothing costs the server one piece beyond the high-water mark",
          "[lifecycle][memory]") {
  Producer producer;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/produce", [&](const Request&, Responder responder) {
      producer.responder = std::move(responder);
      producer.responder.start(200, {}, std::uint64_t{1} << 30);
      producer.run();
    });
  });
  const int client = clientSocket(fixture.port());
  const std::string request = get("/produce");
  REQUIRE(::send(client, request.data(), request.size(), 0) ==
          static_cast<ssize_t>(request.size()));

  // The client reads nothing: the kernel's buffers fill, then the producer is paused for good.
  REQUIRE(fixture.runUntil([&] { return producer.waiting && producer.produced > 0; }));
  fixture.runFor(50ms);
  REQUIRE(producer.waiting);
  int server = -1;
  fixture.worker().forEachConnection([&](server::Connection& c) { server = c.fd(); });
  REQUIRE(server >= 0);
  int sendQueue = 0;
  int receiveQueue = 0;
  REQUIRE(::ioctl(server, SIOCOUTQ, &sendQueue) == 0);
  REQUIRE(::ioctl(client, FIONREAD, &receiveQueue) == 0);
  const auto inKernel = static_cast<std::size_t>(sendQueue + receiveQueue);
  INFO("produced " << producer.produced << ", in the kernel " << inKernel);
  REQUIRE(producer.produced > inKernel);
  // The head (about a hundred bytes) is counted in the kernel's queues but not in `produced`.
  const std::size_t inUserSpace = producer.produced - inKernel;
  CHECK(inUserSpace <= 16 * 1024 + kPiece);
  ::close(client);
}
