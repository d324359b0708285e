// The body of `closewise states`: the kernel's socket states for one service's ports, like
// `ss -s` narrowed to that service. Flag parsing lives with the CLI; this takes parsed options.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <vector>

#include "kernel/sock_diag.h"

namespace closewise::admin {

struct StatesOptions {
  std::vector<std::uint16_t> ports;
  bool json = false;
  std::chrono::milliseconds watch{0};  // 0 = print once
  bool forceProcfs = false;
  int iterations = 0;  // snapshots to print when watching; 0 = until the process is stopped
};

// Exit codes: 0 printed; 1 the kernel could not be read; 2 no ports given.
inline constexpr int kStatesExitOk = 0;
inline constexpr int kStatesExitQueryFailed = 1;
inline constexpr int kStatesExitUsage = 2;

// Prints one snapshot, or one per `watch` interval. Human output is a table; JSON is one object
// per snapshot, one per line, so `--watch --json` can be piped into jq.
int runStatesCommand(const StatesOptions& options, std::ostream& out, std::ostream& err);

// One snapshot in either form; exposed so the admin HTTP route can serve the same JSON.
void printStatesHuman(const kernel::KernelView& view, const std::vector<std::uint16_t>& ports,
                      std::ostream& out);
void printStatesJson(const kernel::KernelView& view, const std::vector<std::uint16_t>& ports,
                     std::ostream& out);

}  // namespace closewise::admin
