#include "admin/states_command.h"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

namespace closewise::admin {
namespace {

std::string portList(const std::vector<std::uint16_t>& ports) {
  std::string text;
  for (const auto port : ports) {
    if (!text.empty()) text += ',';
    text += std::to_string(port);
  }
  return text;
}

}  // namespace

void printStatesHuman(const kernel::KernelView& view, const std::vector<std::uint16_t>& ports,
                      std::ostream& out) {
  out << "ports " << portList(ports) << "  source " << view.source;
  if (!view.fallbackReason.empty())
    out << " (sock_diag unavailable: " << view.fallbackReason << ")";
  out << "  query " << view.queryMicros << " us\n";

  std::uint64_t total = 0;
  for (const auto count : view.states) total += count;
  out << "TCP sockets on our ports: " << total << '\n';
  for (const kernel::TcpState state : kernel::reportedTcpStates()) {
    out << "  " << std::left << std::setw(13) << kernel::tcpStateName(state) << std::right
        << std::setw(8) << view.count(state) << '\n';
  }

  out << "listen queues (pending/backlog)";
  if (view.source == "procfs") out << "  backlog unknown from procfs";
  out << '\n';
  if (view.listenQueues.empty()) out << "  none: nothing is listening on these ports\n";
  for (const auto& queue : view.listenQueues)
    out << "  " << std::left << std::setw(28) << queue.address << std::right << queue.pending << '/'
        << queue.backlog << '\n';

  if (!view.closeWait.empty()) {
    // CLOSE_WAIT means the peer has closed and we have not: each one is a connection the server
    // should have noticed and closed, so name them.
    out << "close_wait (local <- remote, inode)\n";
    for (const auto& socket : view.closeWait)
      out << "  " << socket.local << " <- " << socket.remote << "  " << socket.inode << '\n';
    if (view.count(kernel::TcpState::CloseWait) > view.closeWait.size())
      out << "  ... " << view.count(kernel::TcpState::CloseWait) - view.closeWait.size()
          << " more\n";
  }
}

void printStatesJson(const kernel::KernelView& view, const std::vector<std::uint16_t>& ports,
                     std::ostream& out) {
  nlohmann::json states = nlohmann::json::object();
  for (const kernel::TcpState state : kernel::reportedTcpStates())
    states[std::string(kernel::tcpStateName(state))] = view.count(state);
  nlohmann::json queues = nlohmann::json::array();
  for (const auto& queue : view.listenQueues)
    queues.push_back(
        {{"address", queue.address}, {"pending", queue.pending}, {"backlog", queue.backlog}});
  nlohmann::json closeWait = nlohmann::json::array();
  for (const auto& socket : view.closeWait)
    closeWait.push_back(
        {{"local", socket.local}, {"remote", socket.remote}, {"inode", socket.inode}});

  nlohmann::json document = {
      {"source", view.source},  {"ports", ports},          {"tcp_states", states},
      {"listen_queue", queues}, {"close_wait", closeWait}, {"query_us", view.queryMicros},
  };
  if (!view.fallbackReason.empty()) document["fallback_reason"] = view.fallbackReason;
  out << document.dump() << '\n';
}

int runStatesCommand(const StatesOptions& options, std::ostream& out, std::ostream& err) {
  if (options.ports.empty()) {
    err << "closewise states: give at least one --port\n";
    return kStatesExitUsage;
  }
  kernel::KernelStateReader reader(options.ports, kernel::Families{.fromListeners = true});
  reader.forceProcfs(options.forceProcfs);

  const bool watching = options.watch.count() > 0;
  for (int printed = 0;; ++printed) {
    if (printed > 0) {
      std::this_thread::sleep_for(options.watch);
      if (!options.json) out << '\n';
    }
    const kernel::KernelView view = reader.query();
    if (!view.error.empty()) {
      err << "closewise states: cannot read socket states: " << view.error << '\n';
      return kStatesExitQueryFailed;
    }
    if (options.json)
      printStatesJson(view, reader.localPorts(), out);
    else
      printStatesHuman(view, reader.localPorts(), out);
    out.flush();
    if (!watching) break;
    if (options.iterations > 0 && printed + 1 >= options.iterations) break;
  }
  return kStatesExitOk;
}

}  // namespace closewise::admin
