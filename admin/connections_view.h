// The body of GET /connections: one JSON object per open connection, the server's view (phase,
// ages, bytes) beside the kernel's (TCP_INFO state, round-trip time, unacknowledged segments).
//
// Inbound connections (the clients') and outbound ones (the upstream pools') are listed together,
// each marked with its direction. Unlike /stats this walks every connection on every worker, so it
// is for looking at a problem, not for polling: ?state= narrows it to one phase, ?direction= to
// one side and ?limit= bounds the answer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/control_surface.h"

namespace closewise::admin {

struct ConnectionsQuery {
  std::optional<std::string> phase;      // a phaseName of an open connection, in or out
  std::optional<std::string> direction;  // "inbound" or "outbound"
  std::size_t limit = kDefaultLimit;

  static constexpr std::size_t kDefaultLimit = 1000;
  static constexpr std::size_t kMaxLimit = 100'000;
};

// Parses "state=idle&direction=outbound&limit=10". Returns the query, or the message for a 400
// when a value is not a phase name, not a direction or not an integer from 0 to kMaxLimit.
// Unknown keys are ignored.
struct ParsedConnectionsQuery {
  std::optional<ConnectionsQuery> query;
  std::string error;
};
ParsedConnectionsQuery parseConnectionsQuery(std::string_view queryString);

// Keeps the connections the query selects: those in its phase and direction, oldest first (a stuck
// connection is usually an old one), at most its limit. Returns how many matched before the limit,
// which the route reports as X-Total-Count so a client can tell a whole list from a cut one.
std::size_t selectConnections(std::vector<server::ConnectionInfo>& connections,
                              const ConnectionsQuery& query);

// The JSON array of the given connections, in their order.
std::string connectionsJson(const std::vector<server::ConnectionInfo>& connections);

// "127.0.0.1:50312" / "[::1]:50312" for the socket's peer, or "" if fd is not a connected socket.
std::string peerOf(int fd);

}  // namespace closewise::admin
