// /connections?state=&limit=: a phase name filters, an integer bounds, anything else is a 400;
// the list is oldest first and every object carries the server's and the kernel's view.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "admin/connections_view.h"

using namespace closewise::admin;
using closewise::server::ConnectionInfo;

namespace {

ConnectionInfo connection(std::uint64_t id, std::string_view phase, std::uint64_t ageMs) {
  ConnectionInfo c;
  c.id = id;
  c.phase = phase;
  c.ageMs = ageMs;
  c.peer = "127.0.0.1:" + std::to_string(40000 + id);
  c.tcpState = 1;
  c.rttUs = 50;
  return c;
}

}  // namespace

TEST_CASE("bad state and limit values are refused", "[connections]") {
  for (const char* query : {"state=bogus", "state=", "state=closed", "limit=x", "limit=-1",
                            "limit=1.5", "limit=", "limit=100001", "limit=99999999999999999999"}) {
    INFO(query);
    const auto parsed = parseConnectionsQuery(query);
    CHECK_FALSE(parsed.query);
    CHECK_FALSE(parsed.error.empty());
  }
  // The 400 names every phase a connection can be asked for, the WebSocket ones included.
  const std::string refused = parseConnectionsQuery("state=bogus").error;
  for (std::size_t i = 0; i < closewise::lifecycle::kReportedPhaseCount; ++i) {
    const auto name = closewise::lifecycle::phaseName(static_cast<closewise::lifecycle::Phase>(i));
    INFO(name);
    CHECK(refused.find(std::string(name)) != std::string::npos);
    CHECK(parseConnectionsQuery("state=" + std::string(name)).query);
  }
  const auto good = parseConnectionsQuery("limit=2&state=half_closed&other=1");
  REQUIRE(good.query);
  CHECK(good.query->limit == 2);
  CHECK(good.query->phase == "half_closed");
}

TEST_CASE("state filters, limit keeps the oldest, fields are complete", "[connections]") {
  std::vector<ConnectionInfo> all = {connection(1, "idle", 10), connection(2, "processing", 50),
                                     connection(3, "idle", 30), connection(4, "idle", 20)};
  ConnectionsQuery query;
  query.phase = "idle";
  query.limit = 2;
  CHECK(selectConnections(all, query) == 3);  // three idle ones matched, two kept
  const auto list = nlohmann::json::parse(connectionsJson(all));
  REQUIRE(list.size() == 2);
  CHECK(list[0]["id"] == 3);
  CHECK(list[1]["id"] == 4);
  for (const char* key : {"id", "worker", "peer", "phase", "age_ms", "idle_ms", "requests",
                          "bytes_in", "bytes_out", "peer_fin_seen", "since_peer_fin_ms",
                          "websocket"}) {
    INFO(key);
    CHECK(list[0].contains(key));
  }
  CHECK(list[0]["peer"] == "127.0.0.1:40003");
  CHECK(list[0]["since_peer_fin_ms"].is_null());
  CHECK(list[0]["websocket"].is_null());  // an HTTP connection
  CHECK(list[0]["kernel"]["state"] == "ESTABLISHED");
  CHECK(list[0]["kernel"]["rtt_us"] == 50);
  CHECK(list[0]["kernel"].contains("unacked"));
  CHECK(list[0]["kernel"].contains("retransmits"));
}

TEST_CASE("without a cut every match is kept, oldest first, ties by id", "[connections]") {
  std::vector<ConnectionInfo> all = {connection(5, "idle", 10), connection(2, "reading", 10),
                                     connection(9, "idle", 40), connection(1, "writing", 5)};
  const ConnectionsQuery query;  // no phase, the default limit
  CHECK(selectConnections(all, query) == 4);
  REQUIRE(all.size() == 4);
  CHECK(all[0].id == 9);
  CHECK(all[1].id == 2);  // same age as 5: the lower id first
  CHECK(all[2].id == 5);
  CHECK(all[3].id == 1);
}

TEST_CASE("a WebSocket is marked, with its messages each way", "[connections][websocket]") {
  std::vector<ConnectionInfo> all = {connection(1, "websocket", 90), connection(2, "idle", 10)};
  all[0].websocket = true;
  all[0].wsMessagesIn = 120;
  all[0].wsMessagesOut = 119;
  ConnectionsQuery query;
  query.phase = "websocket";
  CHECK(selectConnections(all, query) == 1);
  const auto list = nlohmann::json::parse(connectionsJson(all));
  REQUIRE(list.size() == 1);
  CHECK(list[0]["phase"] == "websocket");
  CHECK(list[0]["websocket"]["messages_in"] == 120);
  CHECK(list[0]["websocket"]["messages_out"] == 119);
}
