// Back-pressure through the proxy: while the client does not read, the proxy stops reading the
// upstream's socket (its receive queue in the kernel fills and stays full) instead of taking the
// whole answer into memory; once the client reads again, the answer arrives whole.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/app/proxy_harness.h"

using namespace closewise::testing;

namespace {

// The bytes waiting in the receive queue of the socket from localPort to remotePort on
// 127.0.0.1 (/proc/net/tcp's rx_queue); -1 when there is no such socket.
long receiveQueue(std::uint16_t localPort, std::uint16_t remotePort) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the header
  const auto port = [](const std::string& address) {
    return static_cast<std::uint16_t>(
        std::stoul(address.substr(address.find(':') + 1), nullptr, 16));
  };
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues;
    fields >> slot >> local >> remote >> state >> queues;
    if (port(local) == localPort && port(remote) == remotePort) {
      return std::stol(queues.substr(queues.find(':') + 1), nullptr, 16);
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("a client that stops reading pauses the upstream's socket", "[app][proxy][pressure]") {
  // Far more than the kernel buffers between the proxy and the client can hold.
  constexpr std::size_t kBody = 32 * 1024 * 1024;
  ProxyHarness h([](FakePeer& peer, const std::string&) {
    peer.send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kBody) + "\r\n\r\n" +
              std::string(kBody, 'x'));
  });
  RawClient& client = h.connect();
  client.keepOnlyCount(true);
  REQUIRE(h.runUntil([&] { return client.connected(); }));
  client.pauseReading();
  client.send(ProxyHarness::proxyGet("backend", "/big"));
  REQUIRE(h.runUntil([&] { return h.upstream.requests() == 1; }));
  const std::uint16_t poolPort = h.upstream.peer(0).remotePort();
  h.fx.runFor(std::chrono::milliseconds(500));
  CHECK(receiveQueue(poolPort, h.upstream.port()) > 0);

  client.resumeReading();
  REQUIRE(h.runUntil([&] { return client.receivedBytes() >= kBody; }, std::chrono::seconds(20)));
  CHECK(h.runUntil([&] { return receiveQueue(poolPort, h.upstream.port()) == 0; }));
  CHECK(h.stop() == 0);
}
