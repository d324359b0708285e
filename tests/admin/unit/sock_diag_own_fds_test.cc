// KernelStateReader::queryOwn reads the sockets this process holds through its own descriptors
// (what the alert tick uses, because a dump walks every socket on the host). It must count as the
// dump does for every socket we hold an fd for, and leave out what no fd of ours refers to:
// connections still in an accept queue, and sockets on our port that another process holds.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <vector>

#include "admin/alerts.h"
#include "kernel/process_view.h"
#include "kernel/sock_diag.h"
#include "tests/support/loopback_sockets.h"

using namespace closewise::admin;
using namespace closewise::kernel;
using namespace closewise::test;

TEST_CASE("own_fds counts our sockets on our port as the dump does, and nothing else") {
  LoopbackService ours("127.0.0.1", 3);
  LoopbackService unrelated("127.0.0.1", 4);  // also held by this process, on another port
  REQUIRE(ours.ready());
  REQUIRE(unrelated.ready());

  KernelStateReader reader({ours.port()});
  const KernelView own = reader.queryOwn();
  const KernelView dump = reader.query();

  REQUIRE(own.error.empty());
  CHECK(own.source == "own_fds");
  CHECK_FALSE(own.includesAcceptQueues);
  CHECK(dump.includesAcceptQueues);
  // The three accepted ends; the clients have our port as their remote port.
  CHECK(own.count(TcpState::Established) == 3);
  CHECK(own.count(TcpState::Listen) == 1);
  CHECK(totalSockets(own) == 4);
  CHECK(own.states == dump.states);
  REQUIRE(own.listenQueues.size() == 1);
  CHECK(own.listenQueues[0].address == "127.0.0.1:" + std::to_string(ours.port()));
  CHECK(own.listenQueues[0].pending == 0);
  CHECK(own.listenQueues[0].backlog == dump.listenQueues[0].backlog);
  // Every TCP socket we hold was looked at: 2 listeners, 7 clients, 7 accepted.
  CHECK(own.socketsExamined >= 16);
  // Every descriptor is listed, so the alert tick takes the fd count from here (asked again:
  // the dump above opened a netlink socket).
  CHECK(reader.queryOwn().descriptors == readProcessView().openFds);
}

TEST_CASE("own_fds reports the accept queue but not the connections waiting in it") {
  UniqueFd listener = listenOn("127.0.0.1", 7);
  REQUIRE(listener.valid());
  KernelStateReader reader({localPort(listener.get())});
  std::vector<UniqueFd> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(connectTo(listener.get()));
    REQUIRE(clients.back().valid());
  }

  KernelView own;
  REQUIRE(waitUntil([&] {
    own = reader.queryOwn();
    return own.listenQueues.size() == 1 && own.listenQueues[0].pending == 3;
  }));
  CHECK(own.listenQueues[0].backlog == 7);
  CHECK(own.count(TcpState::Established) == 0);             // no fd of ours refers to them yet
  CHECK(reader.query().count(TcpState::Established) == 3);  // the dump sees them

  // So the alerts' live count is the same from either source: the dump's minus its queue.
  CHECK(kernelLiveSockets(own) == 0);
  CHECK(kernelLiveSockets(reader.query()) == 0);

  UniqueFd accepted = acceptOne(listener.get());
  REQUIRE(accepted.valid());
  own = reader.queryOwn();
  REQUIRE(own.listenQueues.size() == 1);
  CHECK(own.listenQueues[0].pending == 2);
  CHECK(own.count(TcpState::Established) == 1);
  CHECK(kernelLiveSockets(own) == 1);
  CHECK(kernelLiveSockets(reader.query()) == 1);
}

TEST_CASE("own_fds details a CLOSE_WAIT socket as the dump does") {
  LoopbackService ours("127.0.0.1", 1);
  REQUIRE(ours.ready());
  const std::uint16_t port = ours.port();
  const std::uint16_t clientPort = localPort(ours.clients[0].get());
  KernelStateReader reader({port});

  ours.clients[0].reset();  // the peer leaves; we keep our end open
  KernelView own;
  REQUIRE(waitUntil([&] {
    own = reader.queryOwn();
    return own.count(TcpState::CloseWait) == 1;
  }));
  CHECK(own.count(TcpState::Established) == 0);
  REQUIRE(own.closeWait.size() == 1);
  CHECK(own.closeWait[0].local == "127.0.0.1:" + std::to_string(port));
  CHECK(own.closeWait[0].remote == "127.0.0.1:" + std::to_string(clientPort));
  const KernelView dump = reader.query();
  REQUIRE(dump.closeWait.size() == 1);
  CHECK(own.closeWait[0].inode == dump.closeWait[0].inode);

  // Asked for other states only, the CLOSE_WAIT socket is neither counted nor detailed.
  const KernelView listenOnly = reader.queryOwn(tcpStateBit(TcpState::Listen));
  CHECK(listenOnly.count(TcpState::CloseWait) == 0);
  CHECK(listenOnly.closeWait.empty());
  CHECK(listenOnly.count(TcpState::Listen) == 1);
}

TEST_CASE("own_fds counts a listener open under two descriptors once") {
  LoopbackService ours("127.0.0.1", 1);
  REQUIRE(ours.ready());
  UniqueFd copy(::fcntl(ours.listener.get(), F_DUPFD_CLOEXEC, 3));
  REQUIRE(copy.valid());

  KernelStateReader reader({ours.port()});
  const KernelView own = reader.queryOwn();
  CHECK(own.count(TcpState::Listen) == 1);
  CHECK(own.listenQueues.size() == 1);
  CHECK(own.count(TcpState::Established) == 1);
}

TEST_CASE("own_fds leaves out a socket on our port that another process holds") {
  LoopbackService ours("127.0.0.1", 0);
  REQUIRE(ours.ready());
  UniqueFd client = connectTo(ours.listener.get());
  REQUIRE(client.valid());
  int accepted[2];  // the child says when it holds the accepted socket...
  int release[2];   // ...and keeps it until the parent closes this pipe
  REQUIRE(::pipe(accepted) == 0);
  REQUIRE(::pipe(release) == 0);

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(accepted[0]);
    ::close(release[1]);
    const int fd = ::accept(ours.listener.get(), nullptr, nullptr);
    const char ok = fd >= 0 ? 'y' : 'n';
    if (::write(accepted[1], &ok, 1) != 1) ::_exit(2);
    char ignored = 0;
    while (::read(release[0], &ignored, 1) > 0) {
    }
    ::_exit(fd >= 0 ? 0 : 1);
  }
  ::close(accepted[1]);
  ::close(release[0]);
  char ok = 0;
  REQUIRE(::read(accepted[0], &ok, 1) == 1);
  ::close(accepted[0]);
  CHECK(ok == 'y');

  KernelStateReader reader({ours.port()});
  const KernelView own = reader.queryOwn();
  const KernelView dump = reader.query();
  CHECK(dump.count(TcpState::Established) == 1);  // the child's, on our port
  CHECK(own.count(TcpState::Established) == 0);   // not ours
  CHECK(own.count(TcpState::Listen) == 1);

  ::close(release[1]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
