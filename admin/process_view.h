// What the process itself is using: file descriptors against their limit, memory, loop load.
//
// A server that leaks connections runs out of file descriptors long before it runs out of
// anything else, and accept() failing with EMFILE is the first symptom users see; so the fd count
// and its limit sit beside the connection counts in /stats.
#pragma once

#include <cstdint>

namespace closewise::admin {

struct ProcessView {
  std::uint64_t openFds = 0;
  std::uint64_t fdLimit = 0;  // the soft RLIMIT_NOFILE, the one accept() runs into
  std::uint64_t rssBytes = 0;
  double loopUtilization = 0.0;  // Server::loopUtilization(), 0.0 to 1.0
};

// Reads /proc/self/fd, /proc/self/statm and RLIMIT_NOFILE. Fields it cannot read stay 0.
// loopUtilization is left at 0 for the caller, who owns the Server, to fill in. Listing
// /proc/self/fd costs about a microsecond per open fd, so a caller that has just listed it
// (KernelStateReader::queryOwn) passes countFds = false and fills openFds itself.
ProcessView readProcessView(bool countFds = true);

}  // namespace closewise::admin
