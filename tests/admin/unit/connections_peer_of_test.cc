// /connections fills a peer the worker did not log from the descriptor: the peer of an accepted
// socket as every other address is printed, and "" (JSON "peer": "") for a descriptor that is not
// a connected socket.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "admin/connections_view.h"
#include "tests/support/loopback_sockets.h"

using namespace closewise;
using namespace closewise::test;

TEST_CASE("peerOf prints an accepted socket's peer in either family", "[connections]") {
  for (const char* host : {"127.0.0.1", "::1"}) {
    kernel::UniqueFd listener = listenOn(host);
    if (!listener.valid() && std::string(host) == "::1") continue;  // a host without IPv6
    REQUIRE(listener.valid());
    const kernel::UniqueFd client = connectTo(listener.get());
    const kernel::UniqueFd accepted = acceptOne(listener.get());
    REQUIRE(accepted.valid());
    const std::string port = std::to_string(localPort(client.get()));
    const std::string expected = std::string(host) == "::1" ? "[::1]:" + port : "127.0.0.1:" + port;
    CHECK(admin::peerOf(accepted.get()) == expected);
  }
}

TEST_CASE("peerOf is empty for a descriptor that is not a connected socket", "[connections]") {
  const kernel::UniqueFd listener = listenOn();
  REQUIRE(listener.valid());
  CHECK(admin::peerOf(listener.get()).empty());  // listening: no peer
  CHECK(admin::peerOf(-1).empty());
  int pipeFds[2];
  REQUIRE(::pipe(pipeFds) == 0);
  const kernel::UniqueFd readEnd(pipeFds[0]);
  const kernel::UniqueFd writeEnd(pipeFds[1]);
  CHECK(admin::peerOf(readEnd.get()).empty());
}
