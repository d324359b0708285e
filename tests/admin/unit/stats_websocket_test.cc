// GET /stats answers "how many WebSockets": the two WebSocket phases in connections.by_state,
// and totals.websocket with the upgrades, refused handshakes, messages and bytes each way, and
// every close code the books keep, each holding the number from the input it names.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/admin/pure_inputs.h"

using closewise::admin::statsJson;
using closewise::lifecycle::kWsCloseCodeSlots;
using closewise::lifecycle::Phase;
using closewise::lifecycle::wsCloseCodeLabel;
using closewise::lifecycle::wsCloseCodeSlot;
using closewise::test::sampleSnapshot;
using nlohmann::json;

TEST_CASE("/stats counts WebSockets by phase and totals.websocket", "[stats][websocket]") {
  auto snapshot = sampleSnapshot();
  auto& tally = snapshot.server.tally;
  tally.byPhase[static_cast<std::size_t>(Phase::WebSocket)] = 41;
  tally.byPhase[static_cast<std::size_t>(Phase::WsClosing)] = 3;
  auto& ws = tally.websocket;
  ws.upgrades = 500;
  ws.rejected = 7;
  ws.messagesIn = 9000;
  ws.messagesOut = 8999;
  ws.bytesIn = 123456;
  ws.bytesOut = 654321;
  ws.closedByCode[wsCloseCodeSlot(1000)] = 400;
  ws.closedByCode[wsCloseCodeSlot(1001)] = 50;
  ws.closedByCode[wsCloseCodeSlot(1006)] = 6;
  ws.closedByCode[wsCloseCodeSlot(4000)] = 1;

  const json stats = json::parse(statsJson(snapshot));
  CHECK(stats["connections"]["by_state"]["websocket"] == 41);
  CHECK(stats["connections"]["by_state"]["ws_closing"] == 3);
  const json& totals = stats["totals"]["websocket"];
  CHECK(totals["upgrades"] == 500);
  CHECK(totals["rejected"] == 7);
  CHECK(totals["messages_in"] == 9000);
  CHECK(totals["messages_out"] == 8999);
  CHECK(totals["bytes_in"] == 123456);
  CHECK(totals["bytes_out"] == 654321);
  const json& codes = totals["closed_by_code"];
  CHECK(codes["1000"] == 400);
  CHECK(codes["1001"] == 50);
  CHECK(codes["1006"] == 6);
  CHECK(codes["1002"] == 0);
  CHECK(codes["3000-4999"] == 1);
  // Every slot under its label, zeros included, so a query finds 0 rather than nothing.
  CHECK(codes.size() == kWsCloseCodeSlots);
  for (std::size_t slot = 0; slot < kWsCloseCodeSlots; ++slot) {
    INFO(slot);
    CHECK(codes.contains(std::string(wsCloseCodeLabel(slot))));
  }
}
