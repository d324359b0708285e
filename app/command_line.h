// The command line: `closewise [serve] [OPTIONS]` with every setting of app/settings_table.h,
// optionally on top of a TOML file (--config), and `closewise states`, the kernel's TCP states of
// a running server's ports. `closewise --help` prints the same list docs/configuration.md
// describes.
//
// Precedence, lowest to highest: the defaults written in each module's options, the file named by
// --config, the command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "app/config.h"

namespace closewise::app {

enum class Command : std::uint8_t { Serve, States };

// `closewise states --port P [--port P] [--json] [--watch 1s] [--source sock_diag|procfs]`
struct StatesArgs {
  std::vector<std::uint16_t> ports;
  bool json = false;
  std::chrono::milliseconds watch{0};  // 0 prints once and exits.
  bool forceProcfs = false;            // --source procfs; sock_diag is the default.
};

struct ParsedCommandLine {
  Command command = Command::Serve;
  Config config;
  StatesArgs states;
};

// exitCode is std::nullopt when the program should go on and run `parsed`. Otherwise the program
// should exit with it: 0 after --help or --version (printed to `out`), 2 after a bad flag, value or
// config file (one message printed to `err`, naming the flag or the file and key, and saying what
// is accepted).
struct ParseOutcome {
  std::optional<int> exitCode;
  ParsedCommandLine parsed;
};

// Never throws: every failure, including one from CLI11 or toml++, becomes exit code 2.
ParseOutcome parseCommandLine(int argc, const char* const* argv, std::ostream& out,
                              std::ostream& err);

// Reads `commandLine` (argv as the process got it, argv[0] first) and the --config file it names
// again, exactly as at start-up, and compares the result with the running settings: the live
// changes are applied to the server's part, the others reported as needing a restart.
server::ReloadOutcome reloadConfig(const std::vector<std::string>& commandLine,
                                   const Config& running);

}  // namespace closewise::app
