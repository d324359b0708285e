#include "tests/upstream/tcp_table.h"

#include <fstream>
#include <sstream>

namespace closewise::testing {

namespace {

// The state numbers of include/net/tcp_states.h, as /proc/net/tcp prints them (hex).
int stateNumber(const std::string& name) {
  static const char* const kNames[] = {"",           "ESTABLISHED", "SYN_SENT",  "SYN_RECV",
                                       "FIN_WAIT1",  "FIN_WAIT2",   "TIME_WAIT", "CLOSE",
                                       "CLOSE_WAIT", "LAST_ACK",    "LISTEN",    "CLOSING"};
  for (int i = 1; i < 12; ++i)
    if (name == kNames[i]) return i;
  return -1;
}

}  // namespace

int tcpSockets(std::uint16_t localPort, std::uint16_t remotePort, const std::string& state) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the header
  int count = 0;
  const int wanted = stateNumber(state);
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, st;
    fields >> slot >> local >> remote >> st;
    const auto port = [](const std::string& a) {
      return static_cast<std::uint16_t>(std::stoul(a.substr(a.find(':') + 1), nullptr, 16));
    };
    if (port(local) == localPort && port(remote) == remotePort &&
        std::stoi(st, nullptr, 16) == wanted)
      ++count;
  }
  return count;
}

}  // namespace closewise::testing
