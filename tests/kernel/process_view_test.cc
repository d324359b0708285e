// The process figures come from /proc/self files that stay open and are read again from the
// start, so that they can be read with no descriptor free (kernel/process_view.h). What must hold:
// each listing is fresh, it still works at the limit, and a forked child lists its own
// descriptors, not the parent's through a file the parent opened.
#include "kernel/process_view.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <catch2/catch.hpp>
#include <vector>

using closewise::kernel::listOwnDescriptors;
using closewise::kernel::readProcessView;

namespace {

bool listed(const std::vector<int>& fds, int fd) {
  return std::find(fds.begin(), fds.end(), fd) != fds.end();
}

}  // namespace

TEST_CASE("each listing of our descriptors is fresh") {
  std::vector<int> fds;
  REQUIRE(listOwnDescriptors(fds));
  const std::size_t before = fds.size();
  const int extra = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(extra >= 0);
  REQUIRE(listOwnDescriptors(fds));
  CHECK(fds.size() == before + 1);
  CHECK(listed(fds, extra));
  ::close(extra);
  REQUIRE(listOwnDescriptors(fds));
  CHECK(fds.size() == before);
  CHECK_FALSE(listed(fds, extra));
  CHECK(readProcessView().openFds == before);
  CHECK(readProcessView().rssBytes > 0);
}

TEST_CASE("the descriptors and the resident set can be read with no descriptor free") {
  std::vector<int> fds;
  REQUIRE(listOwnDescriptors(fds));  // opens the kept files while descriptors are free
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit lowered = saved;
  lowered.rlim_cur = static_cast<rlim_t>(*std::max_element(fds.begin(), fds.end()) + 8);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  std::vector<int> fillers;
  for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fillers.push_back(fd);
  const bool exhausted = errno == EMFILE;
  std::vector<int> atLimit;
  const bool listedAtLimit = listOwnDescriptors(atLimit);
  const auto view = readProcessView();
  for (const int fd : fillers) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &saved);

  REQUIRE(exhausted);
  CHECK(listedAtLimit);
  CHECK(atLimit.size() == fds.size() + fillers.size());
  CHECK(view.openFds == fds.size() + fillers.size());
  CHECK(view.fdLimit == lowered.rlim_cur);
  CHECK(view.rssBytes > 0);
}

TEST_CASE("a forked child lists its own descriptors, not its parent's") {
  std::vector<int> fds;
  REQUIRE(listOwnDescriptors(fds));  // the parent's kept listing exists before the fork
  const int parentOnly = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(parentOnly >= 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(parentOnly);
    std::vector<int> mine;
    const bool ok = listOwnDescriptors(mine) && !listed(mine, parentOnly);
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  ::close(parentOnly);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("the CPU time counts what the process spent, and the start time is when it began") {
  const auto before = readProcessView();
  // Spin until this process's own CPU clock says it spent 300 ms, however long that takes on a
  // loaded machine: the wall clock would measure the machine's load, not the reader.
  const auto cpuNow = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  const double cpuStart = cpuNow();
  while (cpuNow() - cpuStart < 0.3) {
  }
  const auto after = readProcessView();
  const double spent = cpuNow() - cpuStart;
  // /proc counts in clock ticks (10 ms), so the figure may lag the clock by a tick or two.
  CHECK(after.cpuSeconds - before.cpuSeconds >= 0.25);
  CHECK(after.cpuSeconds - before.cpuSeconds <= spent + 0.1);
  // The process started before now, and not long before: test processes live seconds.
  const double now = std::chrono::duration<double>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  CHECK(after.startTimeSeconds <= now + 1.0);
  CHECK(after.startTimeSeconds >= now - 600.0);
}
