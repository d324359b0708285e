// The WebSocket examples of docs/handler-api.md, compiled and exercised, so the documentation
// cannot drift from the API. Everything between the BEGIN and END markers is quoted in the doc
// verbatim.
#include <catch2/catch.hpp>

#include "tests/server/ws_client.h"

// BEGIN websocket example
#include <cstdint>
#include <string>
#include <string_view>

#include "server/websocket.h"

namespace example {

using closewise::server::acceptWebSocket;
using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::WebSocket;
using closewise::server::WsAccept;
using closewise::server::WsMessageType;

// A WebSocket for pages of one origin, speaking "chat.v1" when the client offers it. The
// session owns its handle and is freed in onClose, which runs once however the WebSocket ends:
// a close handshake, a protocol error, the peer gone, the server stopping.
class ChatSession {
 public:
  static void accept(const Request& request, Responder responder) {
    // The Origin check and the subprotocol are the handler's to decide (RFC 6455 section 4.2.2);
    // refusing is an ordinary answer.
    const std::string* origin = request.header("Origin");
    if (origin == nullptr || *origin != "https://chat.example") {
      responder.send(403, "this origin may not open a chat\n");
      return;
    }
    WsAccept choice;
    const std::string* offered = request.header("Sec-WebSocket-Protocol");
    if (offered != nullptr && *offered == "chat.v1") choice.subprotocol = "chat.v1";
    // A bad handshake is answered 400 or 426 here, and nothing comes back.
    auto socket = acceptWebSocket(request, std::move(responder), std::move(choice));
    if (!socket) return;
    auto* session = new ChatSession(std::move(*socket));
    session->socket_.onMessage(
        [session](WsMessageType type, std::string_view data) { session->onMessage(type, data); });
    session->socket_.onClose([session](std::uint16_t, std::string_view) { delete session; });
  }

 private:
  explicit ChatSession(WebSocket socket) : socket_(std::move(socket)) {}

  void onMessage(WsMessageType type, std::string_view data) {
    if (type == WsMessageType::Text && data == "bye") {
      // Our close frame; the connection waits up to --ws-close-timeout for the peer's.
      socket_.close(4000, "see you");
      return;
    }
    // False when the peer reads too slowly and 16 KiB already wait: this chat drops the line.
    socket_.sendText("you said: " + std::string(data));
  }

  WebSocket socket_;
};

}  // namespace example
// END websocket example

// BEGIN websocket room example
#include <list>

namespace example {

// A room in one worker: what one member says, every member hears. The handles live in the room's
// list, and each member's onClose takes its own out. Everything runs on the worker's loop, so
// there is no lock; a room across workers would hand messages over with Worker::post.
class Room {
 public:
  void join(const Request& request, Responder responder) {
    auto socket = acceptWebSocket(request, std::move(responder));
    if (!socket) return;
    auto member = members_.insert(members_.end(), std::move(*socket));
    member->onMessage([this](WsMessageType type, std::string_view data) { broadcast(type, data); });
    member->onClose([this, member](std::uint16_t, std::string_view) { members_.erase(member); });
  }
  std::size_t size() const noexcept { return members_.size(); }

 private:
  void broadcast(WsMessageType type, std::string_view data) {
    for (auto it = members_.begin(); it != members_.end();) {
      // Step first: a send that fails may end that member, whose onClose erases it.
      WebSocket& member = *it++;
      member.send(type, data);
    }
  }

  std::list<WebSocket> members_;
};

}  // namespace example
// END websocket room example

using namespace closewise;
using namespace closewise::testing;

namespace {

std::string chatHandshake(std::string_view origin, std::string_view protocol) {
  std::string request = wsHandshake("/ws/chat");
  request.replace(request.find("Origin: null"), 12, "Origin: " + std::string(origin));
  if (!protocol.empty()) {
    request.insert(request.size() - 2, "Sec-WebSocket-Protocol: " + std::string(protocol) + "\r\n");
  }
  return request;
}

}  // namespace

TEST_CASE("the chat example checks the origin, picks its subprotocol and closes on bye",
          "[websocket][example]") {
  ServerFixture fixture({}, [](server::Router& router) {
    router.on("GET", "/ws/chat", &example::ChatSession::accept);
  });
  RawClient& stranger = fixture.connect();
  stranger.send(chatHandshake("https://elsewhere.example", ""));
  RawClient& client = fixture.connect();
  client.send(chatHandshake("https://chat.example", "chat.v1"));
  REQUIRE(fixture.runUntil([&] { return stranger.responseCount() == 1; }));
  CHECK(stranger.received().starts_with("HTTP/1.1 403 "));
  REQUIRE(
      fixture.runUntil([&] { return client.received().find("\r\n\r\n") != std::string::npos; }));
  CHECK(client.received().starts_with("HTTP/1.1 101 "));
  CHECK(client.received().find("\r\nSec-WebSocket-Protocol: chat.v1\r\n") != std::string::npos);

  client.send(clientFrame(0x1, "hello"));
  client.send(clientFrame(0x1, "bye"));
  REQUIRE(fixture.runUntil([&] { return closeFrame(client.received()).has_value(); }));
  const auto frames = serverFrames(client.received());
  CHECK(frames[0].payload == "you said: hello");
  CHECK(closeFrame(client.received())->closeCode() == 4000);
  CHECK(closeFrame(client.received())->payload.substr(2) == "see you");
  CHECK(fixture.inPhase(lifecycle::Phase::WsClosing) == 1);
  client.send(clientClose(4000));
  REQUIRE(fixture.runUntil([&] { return client.eof(); }));
  CHECK(fixture.closedBy(lifecycle::CloseReason::ServerClose) == 1);
  CHECK(wsClosedWith(fixture, 4000) == 1);
}

TEST_CASE("the room example broadcasts to every member and forgets those who leave",
          "[websocket][example]") {
  example::Room room;
  ServerFixture fixture({}, [&room](server::Router& router) {
    router.on("GET", "/ws/room",
              [&room](const server::Request& request, server::Responder responder) {
                room.join(request, std::move(responder));
              });
  });
  std::vector<RawClient*> members;
  for (int i = 0; i < 3; ++i) members.push_back(&openWebSocket(fixture, "/ws/room"));
  REQUIRE(fixture.runUntil([&] { return room.size() == 3; }));
  members[0]->send(clientFrame(0x1, "hi all"));
  for (RawClient* member : members) {
    REQUIRE(fixture.runUntil([&] { return serverFrames(member->received()).size() == 1; }));
    CHECK(serverFrames(member->received())[0].payload == "hi all");
  }
  members[2]->send(clientClose(1000));
  REQUIRE(fixture.runUntil([&] { return room.size() == 2; }));
  members[1]->send(clientFrame(0x1, "still here"));
  REQUIRE(fixture.runUntil([&] { return serverFrames(members[0]->received()).size() == 2; }));
  CHECK(serverFrames(members[0]->received())[1].payload == "still here");
  fixture.runFor(20ms);
  CHECK(serverFrames(members[2]->received()).size() == 2);  // its message and its close only
}
