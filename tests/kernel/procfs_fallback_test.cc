// Where netlink is refused the reader parses /proc/net/tcp and /proc/net/tcp6. It must report the
// same states and accept queues as sock_diag; only the listen backlog is unknown there.
#include <catch2/catch.hpp>
#include <vector>

#include "kernel/sock_diag.h"
#include "tests/support/loopback_sockets.h"

using namespace closewise::kernel;
using namespace closewise::test;

TEST_CASE("procfs fallback reports the same states as sock_diag") {
  UniqueFd listener = listenOn("127.0.0.1", 7);
  UniqueFd unrelated = listenOn("127.0.0.1", 7);
  REQUIRE(listener.valid());
  REQUIRE(unrelated.valid());
  const std::uint16_t port = localPort(listener.get());

  // One connection stays open, one is left in CLOSE_WAIT, one we close first into TIME_WAIT.
  UniqueFd openClient = connectTo(listener.get());
  UniqueFd openServer = acceptOne(listener.get());
  UniqueFd closingClient = connectTo(listener.get());
  UniqueFd closeWaitServer = acceptOne(listener.get());
  UniqueFd timeWaitClient = connectTo(listener.get());
  UniqueFd timeWaitServer = acceptOne(listener.get());
  REQUIRE((openClient.valid() && openServer.valid() && closingClient.valid() &&
           closeWaitServer.valid() && timeWaitClient.valid() && timeWaitServer.valid()));
  closingClient.reset();
  timeWaitServer.reset();
  REQUIRE(readUntilEof(timeWaitClient.get()));
  timeWaitClient.reset();
  // Two more wait in the accept queue, and the unrelated listener gets a connection too.
  std::vector<UniqueFd> queued;
  queued.push_back(connectTo(listener.get()));
  queued.push_back(connectTo(listener.get()));
  UniqueFd otherClient = connectTo(unrelated.get());
  REQUIRE(otherClient.valid());

  KernelStateReader procfs({port});
  procfs.forceProcfs(true);
  KernelView view;
  REQUIRE(waitUntil([&] {
    view = procfs.query();
    return view.count(TcpState::TimeWait) == 1 && view.count(TcpState::CloseWait) == 1 &&
           view.listenQueues.size() == 1 && view.listenQueues[0].pending == 2;
  }));

  REQUIRE(view.error.empty());
  CHECK(view.source == "procfs");
  CHECK(view.fallbackReason.empty());
  // procfs cannot filter: it hands us every TCP socket, including the unrelated listener's.
  CHECK(view.socketsExamined > 6);
  CHECK(view.count(TcpState::Established) == 3);  // openServer and the two queued
  CHECK(view.count(TcpState::Listen) == 1);
  CHECK(view.listenQueues[0].address == "127.0.0.1:" + std::to_string(port));
  CHECK(view.listenQueues[0].backlog == 0);  // not in procfs
  REQUIRE(view.closeWait.size() == 1);
  CHECK(view.closeWait[0].local == "127.0.0.1:" + std::to_string(port));
  CHECK(view.closeWait[0].inode != 0);

  KernelStateReader netlink({port});
  const KernelView reference = netlink.query();
  REQUIRE(reference.error.empty());
  CHECK(reference.source == "sock_diag");
  CHECK(reference.states == view.states);
  REQUIRE(reference.closeWait.size() == 1);
  CHECK(reference.closeWait[0].remote == view.closeWait[0].remote);
  CHECK(reference.closeWait[0].inode == view.closeWait[0].inode);
  CHECK(reference.listenQueues[0].backlog == 7);
}

TEST_CASE("procfs fallback reads IPv6 listeners from /proc/net/tcp6") {
  UniqueFd listener = listenOn("::1", 5);
  if (!listener.valid()) {
    WARN("no IPv6 loopback here; /proc/net/tcp6 parsing is not exercised");
    return;
  }
  UniqueFd client = connectTo(listener.get());
  REQUIRE(client.valid());
  const std::uint16_t port = localPort(listener.get());

  KernelStateReader reader({port});
  reader.forceProcfs(true);
  KernelView view;
  REQUIRE(waitUntil([&] {
    view = reader.query();
    return view.listenQueues.size() == 1 && view.listenQueues[0].pending == 1;
  }));
  CHECK(view.source == "procfs");
  CHECK(view.listenQueues[0].address == "[::1]:" + std::to_string(port));
  CHECK(view.count(TcpState::Established) == 1);
}
