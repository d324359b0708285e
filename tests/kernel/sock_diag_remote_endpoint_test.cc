// The outbound view: sockets counted by the endpoint they go to, whatever their local port. A
// client that closes first keeps its end in TIME_WAIT toward the server's endpoint (RFC 9293
// section 3.6), with no fd left to ask; the remote query still finds it, and counts nothing
// toward an endpoint no socket goes to, from either source.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include "kernel/sock_diag.h"
#include "tests/support/loopback_sockets.h"

using namespace closewise::kernel;
using namespace closewise::test;

namespace {

sockaddr_storage loopbackEndpoint(std::uint16_t port) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  v4->sin_family = AF_INET;
  v4->sin_port = htons(port);
  v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return storage;
}

std::uint64_t in(const RemoteView& view, std::size_t remote, TcpState state) {
  return view.byRemote.at(remote)[static_cast<std::size_t>(state)];
}

}  // namespace

TEST_CASE("a remote query counts our sockets toward an endpoint, TIME_WAIT included") {
  UniqueFd upstream = listenOn();
  UniqueFd elsewhere = listenOn();
  REQUIRE(upstream.valid());
  REQUIRE(elsewhere.valid());
  const std::uint16_t port = localPort(upstream.get());
  // The second endpoint has no socket going to it: its counts stay zero.
  const std::vector<sockaddr_storage> remotes = {loopbackEndpoint(port),
                                                 loopbackEndpoint(localPort(elsewhere.get()))};

  // One connection we close first (the client side: TIME_WAIT lands on us) and one left open.
  UniqueFd closedFirst = connectTo(upstream.get());
  UniqueFd closedAccepted = acceptOne(upstream.get());
  REQUIRE(closedAccepted.valid());
  closedFirst.reset();
  REQUIRE(readUntilEof(closedAccepted.get()));
  closedAccepted.reset();
  const UniqueFd open = connectTo(upstream.get());
  const UniqueFd openAccepted = acceptOne(upstream.get());
  REQUIRE(openAccepted.valid());

  for (const bool procfs : {false, true}) {
    INFO("source: " << (procfs ? "procfs" : "sock_diag"));
    // No local port: a remote query needs none.
    KernelStateReader reader({});
    reader.forceProcfs(procfs);
    RemoteView view;
    REQUIRE(waitUntil([&] {
      view = reader.queryRemote(remotes);
      return view.error.empty() && in(view, 0, TcpState::TimeWait) == 1;
    }));
    CHECK(view.source == (procfs ? "procfs" : "sock_diag"));
    REQUIRE(view.byRemote.size() == 2);
    CHECK(in(view, 0, TcpState::Established) == 1);  // ours; the accepted end goes elsewhere
    CHECK(in(view, 0, TcpState::Listen) == 0);
    CHECK(in(view, 1, TcpState::Established) == 0);
    CHECK(in(view, 1, TcpState::TimeWait) == 0);

    const RemoteView some = reader.queryRemote(remotes, tcpStateBit(TcpState::Established));
    CHECK(in(some, 0, TcpState::Established) == 1);
    CHECK(in(some, 0, TcpState::TimeWait) == 0);
  }
}
