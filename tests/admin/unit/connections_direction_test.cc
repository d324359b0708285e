// /connections?direction= keeps inbound or outbound connections only, and ?state= accepts the
// outbound phases too; each object says which side it is on and, outbound, which upstream.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "admin/connections_view.h"

using namespace closewise::admin;
using closewise::server::ConnectionInfo;

namespace {

ConnectionInfo outbound(std::uint64_t id, std::string_view phase, std::uint64_t ageMs) {
  ConnectionInfo c;
  c.id = id;
  c.direction = ConnectionInfo::kOutbound;
  c.upstream = "backend";
  c.phase = phase;
  c.ageMs = ageMs;
  c.peer = "10.0.0.2:8080";
  c.local = "10.0.0.1:" + std::to_string(40000 + id);
  return c;
}

ConnectionInfo inbound(std::uint64_t id, std::string_view phase, std::uint64_t ageMs) {
  ConnectionInfo c;
  c.id = id;
  c.phase = phase;
  c.ageMs = ageMs;
  return c;
}

}  // namespace

TEST_CASE("direction must be inbound or outbound, and outbound phases are states",
          "[connections]") {
  for (const char* query : {"direction=", "direction=both", "direction=Outbound"}) {
    INFO(query);
    CHECK_FALSE(parseConnectionsQuery(query).query);
  }
  for (const char* phase : {"connecting", "sending", "awaiting_response", "receiving", "idle"}) {
    INFO(phase);
    const auto parsed = parseConnectionsQuery(std::string("state=") + phase);
    REQUIRE(parsed.query);
    CHECK(parsed.query->phase == phase);
  }
  const auto parsed = parseConnectionsQuery("direction=outbound");
  REQUIRE(parsed.query);
  CHECK(parsed.query->direction == "outbound");
}

TEST_CASE("direction and state select together, and each row names its side", "[connections]") {
  std::vector<ConnectionInfo> all = {inbound(1, "idle", 10), outbound(1, "idle", 20),
                                     outbound(2, "receiving", 30), inbound(2, "reading", 40)};
  ConnectionsQuery query;
  query.direction = "outbound";
  query.phase = "idle";
  CHECK(selectConnections(all, query) == 1);
  const auto list = nlohmann::json::parse(connectionsJson(all));
  REQUIRE(list.size() == 1);
  CHECK(list[0]["direction"] == "outbound");
  CHECK(list[0]["upstream"] == "backend");
  CHECK(list[0]["local"] == "10.0.0.1:40001");
  CHECK(list[0]["peer"] == "10.0.0.2:8080");

  std::vector<ConnectionInfo> rest = {inbound(1, "idle", 10), outbound(1, "idle", 20)};
  ConnectionsQuery inboundOnly;
  inboundOnly.direction = "inbound";
  CHECK(selectConnections(rest, inboundOnly) == 1);
  const auto inList = nlohmann::json::parse(connectionsJson(rest));
  CHECK(inList[0]["direction"] == "inbound");
  CHECK(inList[0]["upstream"].is_null());
}
