#include "admin/connections_view.h"

#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "kernel/address.h"
#include "kernel/sock_diag.h"

namespace closewise::admin {

namespace {

// A phase an open connection can be in, inbound (reading ... closing) or outbound (connecting ...
// receiving); idle is both. Closed is not: a closed connection is not listed.
bool isListedPhase(std::string_view name) {
  constexpr auto kLast = static_cast<std::size_t>(lifecycle::Phase::Receiving);
  for (std::size_t i = 0; i <= kLast; ++i) {
    const auto phase = static_cast<lifecycle::Phase>(i);
    if (phase != lifecycle::Phase::Closed && lifecycle::phaseName(phase) == name) return true;
  }
  return false;
}

// "state must be one of reading, processing, ...", from the phases themselves (the same walk as
// isListedPhase), so a phase added to lifecycle/ is named here without an edit.
std::string listedPhasesMessage() {
  std::string message = "state must be one of ";
  constexpr auto kLast = static_cast<std::size_t>(lifecycle::Phase::Receiving);
  for (std::size_t i = 0; i <= kLast; ++i) {
    const auto phase = static_cast<lifecycle::Phase>(i);
    if (phase == lifecycle::Phase::Closed) continue;
    if (message.back() != ' ') message += ", ";
    message += lifecycle::phaseName(phase);
  }
  return message + "\n";
}

// The raw value of `key` in an "a=1&b=2" query (no percent-decoding: the values accepted here are
// plain names and numbers), or nullopt.
std::optional<std::string_view> queryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace

ParsedConnectionsQuery parseConnectionsQuery(std::string_view queryString) {
  ConnectionsQuery query;
  if (auto state = queryValue(queryString, "state")) {
    if (!isListedPhase(*state)) return {std::nullopt, listedPhasesMessage()};
    query.phase = std::string(*state);
  }
  if (auto direction = queryValue(queryString, "direction")) {
    if (*direction != server::ConnectionInfo::kInbound &&
        *direction != server::ConnectionInfo::kOutbound) {
      return {std::nullopt, "direction must be inbound or outbound\n"};
    }
    query.direction = std::string(*direction);
  }
  if (auto limit = queryValue(queryString, "limit")) {
    std::size_t value = 0;
    const char* end = limit->data() + limit->size();
    auto [ptr, ec] = std::from_chars(limit->data(), end, value);
    if (limit->empty() || ec != std::errc() || ptr != end || value > ConnectionsQuery::kMaxLimit) {
      return {std::nullopt, "limit must be an integer from 0 to 100000\n"};
    }
    query.limit = value;
  }
  return {query, {}};
}

std::size_t selectConnections(std::vector<server::ConnectionInfo>& connections,
                              const ConnectionsQuery& query) {
  std::erase_if(connections, [&](const server::ConnectionInfo& c) {
    return (query.phase && c.phase != *query.phase) ||
           (query.direction && c.direction != *query.direction);
  });
  const std::size_t matched = connections.size();
  const auto oldestFirst = [](const server::ConnectionInfo& a, const server::ConnectionInfo& b) {
    return a.ageMs != b.ageMs ? a.ageMs > b.ageMs : a.id < b.id;
  };
  // Only the kept ones need ordering: ?limit=10 of 10,000 connections sorts ten.
  const std::size_t kept = std::min(matched, query.limit);
  std::partial_sort(connections.begin(), connections.begin() + static_cast<std::ptrdiff_t>(kept),
                    connections.end(), oldestFirst);
  connections.resize(kept);
  return matched;
}

std::string connectionsJson(const std::vector<server::ConnectionInfo>& connections) {
  // ordered_json keeps each object's keys in the documented order.
  using json = nlohmann::ordered_json;
  json list = json::array();
  for (const auto& c : connections) {
    const json kernel = {
        {"state", c.tcpState == 0
                      ? std::string_view("UNKNOWN")
                      : kernel::tcpStateName(static_cast<kernel::TcpState>(c.tcpState))},
        {"rtt_us", c.rttUs},
        {"unacked", c.unacked},
        {"retransmits", c.retransmitsTotal}};
    const json websocket =
        c.websocket ? json{{"messages_in", c.wsMessagesIn}, {"messages_out", c.wsMessagesOut}}
                    : json(nullptr);
    list.push_back({{"id", c.id},
                    {"worker", c.worker},
                    {"direction", c.direction},
                    {"upstream", c.upstream.empty() ? json(nullptr) : json(c.upstream)},
                    {"peer", c.peer},
                    {"local", c.local},
                    {"phase", c.phase},
                    {"age_ms", c.ageMs},
                    {"idle_ms", c.idleMs},
                    {"requests", c.requests},
                    {"bytes_in", c.bytesIn},
                    {"bytes_out", c.bytesOut},
                    {"peer_fin_seen", c.peerFinSeen},
                    {"since_peer_fin_ms", c.peerFinSeen ? json(c.sincePeerFinMs) : json(nullptr)},
                    {"websocket", websocket},
                    {"kernel", kernel}});
  }
  return list.dump() + "\n";
}

std::string peerOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (fd < 0 || getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return {};
  return kernel::formatSocketAddress(address);
}

}  // namespace closewise::admin
