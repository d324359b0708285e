// A peer that breaks RFC 6455 is failed (section 7.1.7): a close frame with the code the rule
// names, then our FIN at once, without waiting for its close frame. 1002 for a frame that breaks
// the framing (here an unmasked one, section 5.1), 1007 for text that is not UTF-8 (section 8.1),
// 1009 for a message over --ws-max-message-bytes.
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

namespace {

void expectFailedWith(ServerFixture& fixture, RawClient& client, std::uint16_t code) {
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  CHECK(client.eof());
  const auto close = closeFrame(client.received());
  REQUIRE(close);
  CHECK(close->closeCode() == code);
  CHECK(fixture.closedBy(CloseReason::ProtocolError) == 1);
  CHECK(wsClosedWith(fixture, code) == 1);
  CHECK(fixture.tally().websocket.messagesIn == 0);
}

}  // namespace

TEST_CASE("an unmasked frame is failed with 1002, then TCP closes", "[websocket][error]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  client.send(clientFrame(0x1, "bare", true, false));
  expectFailedWith(fixture, client, 1002);
}

TEST_CASE("invalid UTF-8 in a text message is failed with 1007", "[websocket][error]") {
  ServerFixture fixture;
  RawClient& client = openWebSocket(fixture);
  client.send(clientFrame(0x1, "bad \xc3\x28 text"));
  expectFailedWith(fixture, client, 1007);
}

TEST_CASE("a message over the limit is failed with 1009", "[websocket][error]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.wsMaxMessageBytes = 1024; });
  RawClient& client = openWebSocket(fixture);
  client.send(clientFrame(0x2, std::string(600, 'a'), false));
  client.send(clientFrame(0x0, std::string(600, 'b'), true));
  expectFailedWith(fixture, client, 1009);
}
