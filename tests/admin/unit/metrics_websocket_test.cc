// GET /metrics carries the WebSocket families: open WebSockets (both phases), handshakes, whole
// messages and payload bytes by direction, and closes by code; the text passes the strict reader.
#include <catch2/catch.hpp>

#include "admin/metrics.h"
#include "tests/admin/prometheus_text.h"
#include "tests/admin/pure_inputs.h"

using closewise::admin::metricsText;
using closewise::lifecycle::kWsCloseCodeSlots;
using closewise::lifecycle::Phase;
using closewise::lifecycle::wsCloseCodeSlot;
using closewise::test::parsePrometheusText;
using closewise::test::sampleSnapshot;

TEST_CASE("/metrics has the closewise_websocket_* families", "[metrics][websocket]") {
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

  const auto doc = parsePrometheusText(metricsText(snapshot));
  INFO(doc.error);
  REQUIRE(doc.error.empty());
  CHECK(doc.types.at("closewise_websocket_connections") == "gauge");
  CHECK(doc.value("closewise_websocket_connections") == 44);
  CHECK(doc.value("closewise_connections", {{"state", "websocket"}}) == 41);
  CHECK(doc.value("closewise_connections", {{"state", "ws_closing"}}) == 3);
  CHECK(doc.types.at("closewise_websocket_upgrades_total") == "counter");
  CHECK(doc.value("closewise_websocket_upgrades_total") == 500);
  CHECK(doc.value("closewise_websocket_rejected_total") == 7);
  CHECK(doc.types.at("closewise_websocket_messages_total") == "counter");
  CHECK(doc.value("closewise_websocket_messages_total", {{"direction", "in"}}) == 9000);
  CHECK(doc.value("closewise_websocket_messages_total", {{"direction", "out"}}) == 8999);
  CHECK(doc.value("closewise_websocket_payload_bytes_total", {{"direction", "in"}}) == 123456);
  CHECK(doc.value("closewise_websocket_payload_bytes_total", {{"direction", "out"}}) == 654321);
  CHECK(doc.types.at("closewise_websocket_closes_total") == "counter");
  CHECK(doc.value("closewise_websocket_closes_total", {{"code", "1000"}}) == 400);
  CHECK(doc.value("closewise_websocket_closes_total", {{"code", "1001"}}) == 50);
  CHECK(doc.value("closewise_websocket_closes_total", {{"code", "1006"}}) == 0);
  std::size_t codes = 0;
  for (const auto& sample : doc.samples) {
    if (sample.name == "closewise_websocket_closes_total") ++codes;
  }
  CHECK(codes == kWsCloseCodeSlots);
}
