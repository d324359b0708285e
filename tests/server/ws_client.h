// A WebSocket client's half, for raw-socket tests: the opening handshake, masked frames to send
// and the server's frames read back from what a RawClient received. Written from RFC 6455 by
// hand, so the tests do not check the server's codec against itself; only the masking helper is
// shared (it is a plain XOR).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/websocket_frame.h"
#include "tests/support/fixture.h"

namespace closewise::testing {

// The key and accept value of RFC 6455 section 1.3's example.
inline constexpr std::string_view kWsKey = "dGhlIHNhbXBsZSBub25jZQ==";
inline constexpr std::string_view kWsAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

inline std::string wsHandshake(std::string_view path = "/ws/echo",
                               std::string_view version = "13") {
  std::string request = "GET ";
  request += path;
  request += " HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  request += "Sec-WebSocket-Key: ";
  request += kWsKey;
  request += "\r\nSec-WebSocket-Version: ";
  request += version;
  request += "\r\nOrigin: null\r\n\r\n";
  return request;
}

// One frame as a client sends it: masked, with the given FIN bit and opcode (raw, so tests can
// send what the RFC forbids).
inline std::string clientFrame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                               bool masked = true) {
  std::string frame;
  frame += static_cast<char>((fin ? 0x80 : 0x00) | opcode);
  const std::uint8_t maskBit = masked ? 0x80 : 0x00;
  if (payload.size() < 126) {
    frame += static_cast<char>(maskBit | payload.size());
  } else if (payload.size() < 65536) {
    frame += static_cast<char>(maskBit | 126);
    frame += static_cast<char>(payload.size() >> 8);
    frame += static_cast<char>(payload.size() & 0xff);
  } else {
    frame += static_cast<char>(maskBit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xff);
    }
  }
  std::string body(payload);
  if (masked) {
    const protocol::WsMaskKey key{0x37, 0xfa, 0x21, 0x3d};
    frame.append(reinterpret_cast<const char*>(key.data()), key.size());
    protocol::applyWsMask(body.data(), body.size(), key, 0);
  }
  return frame + body;
}

inline std::string clientClose(std::uint16_t code, std::string_view reason = {}) {
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xff);
  payload += reason;
  return clientFrame(0x8, payload);
}

struct ServerFrame {
  bool fin = false;
  std::uint8_t opcode = 0;
  bool masked = false;
  std::string payload;
  // A close frame's code, or 0.
  std::uint16_t closeCode() const {
    if (opcode != 0x8 || payload.size() < 2) return 0;
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                      static_cast<std::uint8_t>(payload[1]));
  }
};

// The frames after the 101's head in `received`; an incomplete last frame is left out.
inline std::vector<ServerFrame> serverFrames(const std::string& received) {
  std::vector<ServerFrame> frames;
  std::size_t at = received.find("\r\n\r\n");
  if (at == std::string::npos) return frames;
  at += 4;
  while (received.size() - at >= 2) {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(received[at + i]); };
    ServerFrame frame;
    frame.fin = (byte(0) & 0x80) != 0;
    frame.opcode = byte(0) & 0x0f;
    frame.masked = (byte(1) & 0x80) != 0;
    std::uint64_t length = byte(1) & 0x7f;
    std::size_t header = 2;
    if (length == 126 || length == 127) {
      const std::size_t bytes = length == 126 ? 2 : 8;
      if (received.size() - at < 2 + bytes) break;
      length = 0;
      for (std::size_t i = 0; i < bytes; ++i) length = (length << 8) | byte(2 + i);
      header += bytes;
    }
    if (received.size() - at < header + length) break;
    frame.payload = received.substr(at + header, static_cast<std::size_t>(length));
    frames.push_back(std::move(frame));
    at += header + static_cast<std::size_t>(length);
  }
  return frames;
}

// The close frame among them, if one came.
inline std::optional<ServerFrame> closeFrame(const std::string& received) {
  for (ServerFrame& frame : serverFrames(received)) {
    if (frame.opcode == 0x8) return frame;
  }
  return std::nullopt;
}

inline std::int64_t wsClosedWith(const ServerFixture& fixture, std::uint16_t code) {
  return fixture.tally().websocket.closedByCode[lifecycle::wsCloseCodeSlot(code)];
}

// Connects, upgrades on `path` and waits for the 101. The client is then open.
inline RawClient& openWebSocket(ServerFixture& fixture, std::string_view path = "/ws/echo") {
  RawClient& client = fixture.connect();
  client.send(wsHandshake(path));
  fixture.runUntil([&] { return client.received().find("\r\n\r\n") != std::string::npos; });
  return client;
}

}  // namespace closewise::testing
