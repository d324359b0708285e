// Whoever can reach the admin port can open connections and hold them: some idle after a request,
// some sending a request head that never ends. With all 64 admin slots held that way, /healthz
// must still answer 200, or the kubelet restarts a healthy process. The admin listener makes room
// by closing the connection that has waited longest on its client (docs/admin.md); the public
// listener would answer the newcomer 503 instead.
#include <poll.h>

#include <catch2/catch.hpp>
#include <vector>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"

using namespace closewise::test;
using closewise::kernel::UniqueFd;

namespace {

// The admin listener's connection slots, as docs/admin.md documents them.
constexpr int kAdminSlots = 64;

// True once the server has ended the connection (FIN or RST) within `limit`.
bool endedByServer(const UniqueFd& fd, int limitMs) {
  pollfd ready{fd.get(), POLLIN, 0};
  if (::poll(&ready, 1, limitMs) != 1) return false;
  char byte = 0;
  return ::recv(fd.get(), &byte, 1, MSG_DONTWAIT) <= 0;
}

// A connection that completed one request and stays open, idle: its answer also proves the
// server accepted it (and, one accept queue being first in first out, every connection before).
UniqueFd idleAdminConnection(std::uint16_t port) {
  UniqueFd fd = connectLoopback(port);
  const std::string text = "GET /healthz HTTP/1.1\r\nHost: " + loopbackHost(port) + "\r\n\r\n";
  if (!fd.valid() || !sendAll(fd.get(), text)) return UniqueFd{};
  auto answer = readResponse(fd.get());
  if (!answer || answer->status != 200) return UniqueFd{};
  return fd;
}

}  // namespace

TEST_CASE("with every admin slot held, /healthz still answers 200", "[probes][binary]") {
  ClosewiseProcess server(basicArgs());
  REQUIRE(server.adminPort() != 0);
  const std::uint16_t port = server.adminPort();

  // The slow heads first, so the idle connections' answers prove all of them were accepted.
  std::vector<UniqueFd> slowHeads;
  for (int i = 0; i < kAdminSlots / 2; ++i) {
    slowHeads.push_back(connectLoopback(port));
    REQUIRE(slowHeads.back().valid());
    REQUIRE(sendAll(slowHeads.back().get(), "GET /healthz HTTP/1.1\r\nX-Slow: a"));
  }
  std::vector<UniqueFd> idle;
  for (int i = 0; i < kAdminSlots / 2; ++i) {
    idle.push_back(idleAdminConnection(port));
    REQUIRE(idle.back().valid());
  }

  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    auto health = get(port, "/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    CHECK(health->body == "ok\n");
    // The slot came from the connection that had waited longest, the oldest slow head; the
    // newest holder was left alone.
    CHECK(endedByServer(slowHeads[static_cast<std::size_t>(round)], 2000));
    CHECK_FALSE(endedByServer(idle.back(), 0));
    // Take the freed slot again (the probe's own connection has closed), for the next round.
    idle.push_back(idleAdminConnection(port));
    REQUIRE(idle.back().valid());
  }
}
