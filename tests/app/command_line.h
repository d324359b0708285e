// Runs the command-line parser as main() does, on arguments given without the program's name,
// and keeps what it printed, so that config tests can assert on the outcome and on each stream.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "app/command_line.h"

namespace closewise::test {

struct CommandLineRun {
  app::ParseOutcome outcome;
  std::string out;
  std::string err;
};

// `argv` as the process gets it, the program's name first (as a reload reads it again).
inline CommandLineRun runArgv(const std::vector<std::string>& argv) {
  std::vector<const char*> raw;
  for (const std::string& arg : argv) raw.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  app::ParseOutcome outcome =
      app::parseCommandLine(static_cast<int>(raw.size()), raw.data(), out, err);
  return CommandLineRun{std::move(outcome), out.str(), err.str()};
}

inline CommandLineRun runCommandLine(std::vector<std::string> args) {
  args.insert(args.begin(), "closewise");
  return runArgv(args);
}

}  // namespace closewise::test
