#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocol/utf8.h"

namespace closewise::protocol {

// RFC 6455 5.2 opcodes.
enum class WsOpcode : std::uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA
};

// Status codes of a close frame (RFC 6455 7.4.1, and the IANA registry of 11.7 for 1012-1014).
inline constexpr std::uint16_t kWsCloseNormal = 1000;
inline constexpr std::uint16_t kWsCloseGoingAway = 1001;
inline constexpr std::uint16_t kWsCloseProtocolError = 1002;
inline constexpr std::uint16_t kWsCloseUnsupportedData = 1003;
// Never on the wire: what a close frame without a code, and a connection that ended without a
// close frame, are recorded as (RFC 6455 7.1.5, 7.1.6).
inline constexpr std::uint16_t kWsCloseNoStatus = 1005;
inline constexpr std::uint16_t kWsCloseAbnormal = 1006;
inline constexpr std::uint16_t kWsCloseInvalidPayload = 1007;
inline constexpr std::uint16_t kWsClosePolicyViolation = 1008;
inline constexpr std::uint16_t kWsCloseMessageTooBig = 1009;
inline constexpr std::uint16_t kWsCloseInternalError = 1011;

// Whether a close frame may carry this code (RFC 6455 7.4): 1000-1003 and 1007-1014 (registered),
// 3000-4999 (for libraries and applications). 1004 is reserved, and 1005, 1006 and 1015 must
// never be sent: a peer that sends them breaks the protocol.
constexpr bool wsCloseCodeAllowed(std::uint16_t code) noexcept {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

// Which end of the connection we are: a server reads masked frames and sends unmasked ones, a
// client the other way round (RFC 6455 5.1).
enum class WsRole : std::uint8_t { Server, Client };

using WsMaskKey = std::array<std::uint8_t, 4>;

// XORs `data` with the masking key in place (RFC 6455 5.3), which masks and unmasks alike.
// `offset` is the position of data[0] in the frame's payload: a payload fed in pieces is
// unmasked piece by piece. Works a 64-bit word at a time, at any alignment.
void applyWsMask(char* data, std::size_t len, WsMaskKey key, std::uint64_t offset) noexcept;

enum class WsEvent : std::uint8_t {
  NeedMore,  // every byte given was consumed; no message or control frame is complete yet
  Text,      // a complete text message, valid UTF-8, in payload()
  Binary,    // a complete binary message, in payload()
  Ping,      // payload(): the pong must carry it back (RFC 6455 5.5.2)
  Pong,      // payload()
  Close,     // the peer's close frame: closeCode() (1005 if it carried none), payload() is the
             // reason. The decoder takes nothing after it (RFC 6455 5.5.1).
  Error      // the peer broke the protocol: fail the connection with closeCode() (1002, 1007 or
             // 1009, RFC 6455 7.1.7); error() says why
};

struct WsDecodeResult {
  WsEvent event;
  std::size_t consumed;
};

// An incremental decoder of the frames one peer sends, fed bytes as they are read, split
// anywhere. It assembles fragmented messages (bounded by maxMessageBytes) and hands out
// complete ones, because a handler wants messages, not frames; control frames may come between
// the fragments and are handed out at once (RFC 6455 5.4).
//
// Like the HTTP parsers it stops after each event: the caller acts on it (answers a ping, say)
// and feeds the rest, even if nothing is left. After Close or Error, feed() returns {Close, 0}
// or {Error, 0} for good.
//
// Every rule of RFC 6455 5 is checked as soon as the bytes that break it arrive: a frame
// header as soon as it is complete (so a message too large is refused before any of it is
// buffered), a text message's UTF-8 byte by byte across fragments (RFC 6455 8.1).
class WsFrameDecoder {
 public:
  WsFrameDecoder(WsRole role, std::size_t maxMessageBytes);

  WsDecodeResult feed(const char* data, std::size_t len) noexcept;

  // Text, Binary: the message; Ping, Pong: the payload; Close: the reason. Valid until the next
  // feed().
  std::string_view payload() const noexcept;
  // Close: the code received. Error: the code to close with.
  std::uint16_t closeCode() const noexcept { return closeCode_; }
  // Error: why, as short, lowercase, static text.
  std::string_view error() const noexcept { return error_; }

 private:
  enum class Phase : std::uint8_t { Header, Payload, Closed, Failed };

  // The header of the frame being read. Its bytes are collected in header_ until complete.
  struct FrameHeader {
    bool fin = false;
    WsOpcode opcode = WsOpcode::Continuation;
    bool masked = false;
    WsMaskKey mask{};
    std::uint64_t length = 0;
  };

  WsDecodeResult readHeader(const char* data, std::size_t len) noexcept;
  bool checkFirstBytes() noexcept;
  bool checkHeader() noexcept;
  WsDecodeResult readPayload(const char* data, std::size_t len) noexcept;
  WsDecodeResult endFrame(std::size_t consumed) noexcept;
  WsDecodeResult closeFrame(std::size_t consumed) noexcept;
  WsDecodeResult fail(std::uint16_t code, std::string_view reason, std::size_t consumed) noexcept;
  // Records the code and reason of a header check that failed, for readHeader to fail with.
  bool broken(std::uint16_t code, std::string_view reason) noexcept;
  bool isControl() const noexcept;

  WsRole role_;
  std::size_t maxMessageBytes_;
  Phase phase_ = Phase::Header;

  std::array<std::uint8_t, 14> header_{};  // 2 + 8 (64-bit length) + 4 (mask) bytes at most
  std::size_t headerHave_ = 0;
  std::size_t headerNeed_ = 2;
  FrameHeader frame_;
  std::uint64_t payloadHave_ = 0;  // bytes of this frame's payload read so far

  // The message being assembled from its frames.
  bool inMessage_ = false;  // a Text or Binary frame without FIN was read
  WsOpcode messageOpcode_ = WsOpcode::Text;
  std::string message_;
  Utf8Validator utf8_;

  // A control frame's payload (at most 125 bytes), kept apart: one may arrive in the middle of
  // a fragmented message.
  std::array<char, 125> control_{};
  std::size_t controlLength_ = 0;

  // What the last event hands out.
  std::string_view payload_;
  std::uint16_t closeCode_ = 0;
  std::string_view error_;
};

// ---- Encoding ----

// The largest frame header: 2 bytes, an 8-byte length, a 4-byte masking key.
inline constexpr std::size_t kWsMaxFrameHeader = 14;
// A control frame carries at most 125 bytes (RFC 6455 5.5); a close frame's reason at most 123.
inline constexpr std::size_t kWsMaxControlPayload = 125;

// Writes the header of one frame into `out` and returns its length (2 to 14 bytes): the caller
// sends it and then the payload (writev, no copy). `mask` null: a server frame, unmasked; set: a
// client frame, whose payload the caller masks with applyWsMask(..., *mask, 0) (RFC 6455 5.3
// wants the key unpredictable: the caller draws it from a strong source). A control frame must
// be final and carry at most 125 bytes (asserted: our own frames).
std::size_t writeWsFrameHeader(std::span<char, kWsMaxFrameHeader> out, WsOpcode opcode, bool fin,
                               std::uint64_t payloadLength, const WsMaskKey* mask) noexcept;

// Writes a close frame's payload into `out` and returns its length: the code (which must be
// one a close frame may carry: asserted) and as much of the reason as fits in 123 bytes, cut at
// a UTF-8 character boundary so the peer does not fail it with 1007.
std::size_t writeWsClosePayload(std::span<char, kWsMaxControlPayload> out, std::uint16_t code,
                                std::string_view reason) noexcept;

// A whole frame appended to `out`, for small frames (control frames, tests) where a copy costs
// nothing: the header, then the payload, masked if `mask` is set.
void appendWsFrame(std::string& out, WsOpcode opcode, bool fin, std::string_view payload,
                   const WsMaskKey* mask = nullptr);

}  // namespace closewise::protocol
