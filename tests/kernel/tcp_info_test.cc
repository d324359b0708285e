// TCP_INFO gives the kernel's state for one fd we own: ESTABLISHED while the peer is there,
// CLOSE_WAIT once its FIN has arrived, which is exactly the moment the server must notice.
#include "kernel/tcp_info.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/loopback_sockets.h"

using namespace closewise::kernel;
using namespace closewise::test;

TEST_CASE("TCP_INFO follows a connection from ESTABLISHED to CLOSE_WAIT") {
  UniqueFd listener = listenOn();
  REQUIRE(listener.valid());
  UniqueFd client = connectTo(listener.get());
  UniqueFd accepted = acceptOne(listener.get());
  REQUIRE(client.valid());
  REQUIRE(accepted.valid());

  const auto established = socketTcpInfo(accepted.get());
  REQUIRE(established);
  CHECK(established->state == TcpState::Established);
  CHECK(established->unacked == 0);
  CHECK(established->retransmitsNow == 0);
  CHECK(established->retransmitsTotal == 0);
  CHECK(socketTcpInfo(listener.get())->state == TcpState::Listen);

  REQUIRE(::shutdown(client.get(), SHUT_WR) == 0);  // the peer's FIN
  REQUIRE(waitUntil([&] {
    const auto info = socketTcpInfo(accepted.get());
    return info && info->state == TcpState::CloseWait;
  }));
  // Our side of the test sent the FIN, so it moves on to FIN_WAIT2 once that FIN is acknowledged.
  CHECK(waitUntil([&] { return socketTcpInfo(client.get())->state == TcpState::FinWait2; }));
}

TEST_CASE("TCP_INFO of something that is not a TCP socket is empty") {
  int pipeFds[2];
  REQUIRE(::pipe(pipeFds) == 0);
  const UniqueFd readEnd(pipeFds[0]);
  const UniqueFd writeEnd(pipeFds[1]);
  CHECK_FALSE(socketTcpInfo(readEnd.get()));
  CHECK_FALSE(socketTcpInfo(-1));
}

TEST_CASE("a listener's TCP_INFO gives its accept queue and its backlog") {
  UniqueFd listener = listenOn("127.0.0.1", 5);
  REQUIRE(listener.valid());
  UniqueFd first = connectTo(listener.get());
  UniqueFd second = connectTo(listener.get());
  REQUIRE(first.valid());
  REQUIRE(second.valid());

  REQUIRE(waitUntil([&] { return socketTcpInfo(listener.get())->unacked == 2; }));
  const auto info = socketTcpInfo(listener.get());
  REQUIRE(info);
  CHECK(info->state == TcpState::Listen);
  CHECK(info->sacked == 5);
}
