#pragma once

// Feeds frames to a WsFrameDecoder the way a WebSocket connection does, whole or one byte at a
// time, and records the events. decodeFrames() does both and requires the same events, so every
// test of the decoder checks each rule at every split as well.
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/websocket_frame.h"
#include "tests/protocol/feeding.h"

namespace closewise::testing {

struct WsTranscript {
  // In order: "text <payload>", "binary <payload>", "ping <payload>", "pong <payload>",
  // "close <code> <reason>", "error <code> <reason>".
  std::vector<std::string> events;
  std::size_t consumed = 0;
};

struct WsOptions {
  protocol::WsRole role = protocol::WsRole::Server;
  std::size_t maxMessageBytes = 1 << 20;
};

// Each read in a heap block of exactly its size, freed as soon as the decoder is done with it:
// ASan reports a payload view kept into an old read buffer.
inline WsTranscript feedFrames(std::string_view input, Feeding feeding,
                               const WsOptions& options = {}) {
  protocol::WsFrameDecoder decoder{options.role, options.maxMessageBytes};
  WsTranscript t;
  bool done = false;
  const std::size_t step = feeding == Feeding::Whole ? input.size() : 1;
  for (std::size_t offset = 0; offset < input.size() && !done; offset += step) {
    const std::size_t size = std::min(step, input.size() - offset);
    const auto read = std::make_unique<char[]>(size);
    std::memcpy(read.get(), input.data() + offset, size);
    const char* data = read.get();
    std::size_t len = size;
    while (!done) {
      const protocol::WsDecodeResult r = decoder.feed(data, len);
      REQUIRE(r.consumed <= len);
      data += r.consumed;
      len -= r.consumed;
      t.consumed += r.consumed;
      const std::string payload(decoder.payload());
      switch (r.event) {
        case protocol::WsEvent::NeedMore:
          REQUIRE(len == 0);
          break;
        case protocol::WsEvent::Text:
          t.events.push_back("text " + payload);
          break;
        case protocol::WsEvent::Binary:
          t.events.push_back("binary " + payload);
          break;
        case protocol::WsEvent::Ping:
          t.events.push_back("ping " + payload);
          break;
        case protocol::WsEvent::Pong:
          t.events.push_back("pong " + payload);
          break;
        case protocol::WsEvent::Close:
          t.events.push_back("close " + std::to_string(decoder.closeCode()) + " " + payload);
          done = true;
          break;
        case protocol::WsEvent::Error:
          t.events.push_back("error " + std::to_string(decoder.closeCode()) + " " +
                             std::string(decoder.error()));
          done = true;
          break;
      }
      if (r.event == protocol::WsEvent::NeedMore) break;
    }
  }
  return t;
}

// Both ways, which must give the same events; returns them.
inline std::vector<std::string> decodeFrames(std::string_view input,
                                             const WsOptions& options = {}) {
  const WsTranscript whole = feedFrames(input, Feeding::Whole, options);
  const WsTranscript bytes = feedFrames(input, Feeding::ByteByByte, options);
  REQUIRE(bytes.events == whole.events);
  return whole.events;
}

// The masking key of the examples in RFC 6455 5.7.
inline constexpr protocol::WsMaskKey kExampleMask = {0x37, 0xfa, 0x21, 0x3d};

// A frame as a client sends it: masked.
inline std::string clientFrame(protocol::WsOpcode opcode, bool fin, std::string_view payload) {
  std::string out;
  protocol::appendWsFrame(out, opcode, fin, payload, &kExampleMask);
  return out;
}

inline std::string clientText(std::string_view payload) {
  return clientFrame(protocol::WsOpcode::Text, true, payload);
}

}  // namespace closewise::testing
