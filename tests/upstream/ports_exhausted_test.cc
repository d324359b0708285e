// EADDRNOTAVAIL on connect (no free local port) is an error of its own kind (ports_exhausted,
// 502), raised at once, logged at most once a second, and never retried in a spin.
//
// The test needs a network where ports run out: a child process enters a new user and network
// namespace (as `unshare -Urn` does), narrows net.ipv4.ip_local_port_range to two ports, turns
// off TIME_WAIT reuse, and fills both ports with TIME_WAITs toward the fake upstream by letting
// the pool close two idle connections first. The test binary itself stays in the normal
// namespace; the child reports through its exit status.
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "tests/upstream/pool_harness.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr int kNoNamespace = 77;  // the kernel or the sandbox refuses user namespaces

bool writeFile(const char* path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.flush();
  return static_cast<bool>(f);
}

bool enterNamespaces() {
  const uid_t uid = getuid();
  const gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) return false;
  if (!writeFile("/proc/self/setgroups", "deny") ||
      !writeFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
      !writeFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1"))
    return false;
  // A new network namespace has only lo, and it is down.
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ifreq ifr{};
  std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) return false;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  const bool up = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
  ::close(fd);
  return up && writeFile("/proc/sys/net/ipv4/tcp_tw_reuse", "0");
}

// Two ports for outgoing connections; called once the fake upstream listens, so that its own
// port is not one of them.
bool narrowPortRange() {
  return writeFile("/proc/sys/net/ipv4/ip_local_port_range", "40000 40001");
}

// The body of the test, in the child. Returns 0 when every check held, else the failed check's
// number.
int runInNamespace() {
  if (!enterNamespaces()) return kNoNamespace;
  auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", ring));

  auto settings = fastSettings();
  settings.maxConnections = 1;
  settings.timeouts.idle = 1ms;  // we close first: each port ends in TIME_WAIT on our side
  int failed = 0;
  {
    PoolHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("x")); }, settings);
    if (!narrowPortRange()) return kNoNamespace;
    for (int i = 0; i < 2 && failed == 0; ++i) {
      Outcome& o = h.send();
      if (!h.runUntilDone(o) || !o.ended) {
        failed = 1;
        std::fprintf(stderr, "request %d: done=%d status=%d error=%s\n", i, o.done(), o.status,
                     o.error ? std::string(upstream::errorKindName(o.error->kind)).c_str() : "-");
      }
      if (!h.fx.runUntil([&] { return h.books().connections.open == 0; }, 1s)) failed = 2;
    }
    if (failed == 0) {
      const std::int64_t connectsBefore = h.books().connections.connects;
      for (int i = 0; i < 4; ++i) h.send();
      if (!h.fx.runUntil([&] { return h.outcome(5).done(); }, 1s)) failed = 3;
      for (int i = 2; i < 6 && failed == 0; ++i) {
        const auto& e = h.outcome(static_cast<std::size_t>(i)).error;
        if (!e || e->kind != upstream::ErrorKind::PortsExhausted) failed = 4;
      }
      if (failed == 0 && upstream::proxyStatus(upstream::ErrorKind::PortsExhausted) != 502)
        failed = 5;
      h.fx.runFor(30ms);
      // One connect attempt per request, no more: no spin.
      if (failed == 0 && h.books().connections.connects - connectsBefore != 4) failed = 6;
      if (failed == 0 && h.errors(upstream::ErrorKind::PortsExhausted) != 4) failed = 7;
      if (failed == 0 && h.closedBy(lifecycle::CloseReason::PortsExhausted) != 4) failed = 8;
      std::size_t warnings = 0;
      for (const auto& line : ring->last_formatted())
        if (line.find("no free local port") != std::string::npos) ++warnings;
      if (failed == 0 && warnings != 1) failed = 9;
    }
  }
  return failed;
}

}  // namespace

TEST_CASE("ports exhausted is its own error, at once, logged once a second, no spin",
          "[pool][limits]") {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int rc = 100;
    try {
      rc = runInNamespace();
    } catch (...) {
      rc = 101;
    }
    _exit(rc);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == kNoNamespace) {
    WARN("user and network namespaces are not available here; the test did not run");
    return;
  }
  INFO("the child's failed check: " << WEXITSTATUS(status));
  CHECK(WEXITSTATUS(status) == 0);
}
