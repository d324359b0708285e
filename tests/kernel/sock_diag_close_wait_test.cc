// CLOSE_WAIT is the state a server must never let pile up: the peer has sent its FIN and we have
// not closed. The reader counts it and names the socket (local, remote, inode) so an operator can
// find the fd that leaked.
#include <catch2/catch.hpp>

#include "kernel/sock_diag.h"
#include "tests/support/loopback_sockets.h"

using namespace closewise::kernel;
using namespace closewise::test;

TEST_CASE("a peer FIN on an fd we keep open is counted and detailed as CLOSE_WAIT") {
  UniqueFd listener = listenOn();
  REQUIRE(listener.valid());
  const std::uint16_t port = localPort(listener.get());
  UniqueFd client = connectTo(listener.get());
  UniqueFd accepted = acceptOne(listener.get());
  REQUIRE(client.valid());
  REQUIRE(accepted.valid());
  const std::uint16_t clientPort = localPort(client.get());

  KernelStateReader reader({port});
  CHECK(reader.query().count(TcpState::CloseWait) == 0);

  client.reset();  // the peer closes; `accepted` stays open, as a server that stopped reading would

  KernelView view;
  REQUIRE(waitUntil([&] {
    view = reader.query();
    return view.count(TcpState::CloseWait) == 1;
  }));
  REQUIRE(view.error.empty());
  CHECK(view.count(TcpState::Established) == 0);
  REQUIRE(view.closeWait.size() == 1);
  CHECK(view.closeWait[0].local == "127.0.0.1:" + std::to_string(port));
  CHECK(view.closeWait[0].remote == "127.0.0.1:" + std::to_string(clientPort));
  CHECK(view.closeWait[0].inode != 0);

  accepted.reset();  // closing our end ends CLOSE_WAIT (LAST_ACK, then gone)
  REQUIRE(waitUntil([&] { return reader.query().count(TcpState::CloseWait) == 0; }));
}
