// What the process itself is using: file descriptors against their limit, memory, loop load.
//
// A server that leaks connections runs out of file descriptors long before it runs out of
// anything else, and accept() failing with EMFILE is the first symptom users see; so the fd count
// and its limit sit beside the connection counts in /stats.
//
// The files these figures come from (/proc/self/fd, /proc/self/statm, /proc/self/stat) are opened
// once and read again from the start each time, so the figures can still be read when every other
// descriptor is taken: that is exactly when fd_pressure has to fire, and a fresh open() would fail
// with EMFILE. Held for the life of the process, they count among its open descriptors.
#pragma once

#include <cstdint>
#include <vector>

namespace closewise::kernel {

struct ProcessView {
  std::uint64_t openFds = 0;
  std::uint64_t fdLimit = 0;  // the soft RLIMIT_NOFILE, the one accept() runs into
  std::uint64_t rssBytes = 0;
  double cpuSeconds = 0.0;        // user + system CPU time of every thread, since start
  double startTimeSeconds = 0.0;  // when the process started, in seconds since the Unix epoch
  double loopUtilization = 0.0;   // Server::loopUtilization(), 0.0 to 1.0
};

// Reads /proc/self/fd, /proc/self/statm, /proc/self/stat and RLIMIT_NOFILE. Fields it cannot read
// stay 0. loopUtilization is left at 0 for the caller, who owns the Server, to fill in. Listing
// /proc/self/fd costs about a microsecond per open fd, so a caller that has just listed it
// (KernelStateReader::queryOwn) passes countFds = false and fills openFds itself.
ProcessView readProcessView(bool countFds = true);

// Every descriptor the process has open, the listing's own included, in the order the kernel
// lists them. False, with `fds` left empty, if /proc/self/fd cannot be read (no procfs). Safe to
// call from any thread.
bool listOwnDescriptors(std::vector<int>& fds);

}  // namespace closewise::kernel
