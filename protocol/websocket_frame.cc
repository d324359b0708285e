#include "protocol/websocket_frame.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace closewise::protocol {

namespace {

// Reasons are static strings: error() hands out a string_view of them.
constexpr std::string_view kReservedBits = "reserved bits set";
constexpr std::string_view kUnknownOpcode = "unknown opcode";
constexpr std::string_view kUnmasked = "unmasked frame from a client";
constexpr std::string_view kMasked = "masked frame from a server";
constexpr std::string_view kFragmentedControl = "fragmented control frame";
constexpr std::string_view kControlTooLong = "control frame over 125 bytes";
constexpr std::string_view kLoneContinuation = "continuation frame without a message";
constexpr std::string_view kInterleaved = "new message inside a fragmented message";
constexpr std::string_view kNonMinimalLength = "payload length not in its shortest form";
constexpr std::string_view kLengthTopBit = "payload length with its top bit set";
constexpr std::string_view kTooBig = "message too big";
constexpr std::string_view kBadUtf8 = "text message not utf-8";
constexpr std::string_view kOneByteClose = "close frame with a one-byte payload";
constexpr std::string_view kBadCloseCode = "invalid close code";
constexpr std::string_view kBadCloseReason = "close reason not utf-8";

// A message buffer that grew past this is freed once its message is handed out: many idle
// WebSockets must not each keep the memory of the largest message they ever received.
constexpr std::size_t kKeptMessageCapacity = 16 * 1024;

constexpr bool isControlOpcode(std::uint8_t opcode) noexcept {
  return (opcode & 0x8) != 0;
}

constexpr bool isKnownOpcode(std::uint8_t opcode) noexcept {
  switch (static_cast<WsOpcode>(opcode)) {
    case WsOpcode::Continuation:
    case WsOpcode::Text:
    case WsOpcode::Binary:
    case WsOpcode::Close:
    case WsOpcode::Ping:
    case WsOpcode::Pong:
      return true;
  }
  return false;
}

std::uint64_t readBigEndian(const std::uint8_t* p, std::size_t bytes) noexcept {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes; ++i) value = value << 8 | p[i];
  return value;
}

}  // namespace

void applyWsMask(char* data, std::size_t len, WsMaskKey key, std::uint64_t offset) noexcept {
  // The key lined up with data[0], twice over: a 64-bit word of it masks eight bytes at once.
  // memcpy makes the loads and stores safe at any alignment and compiles to plain moves.
  unsigned char k[8];
  for (std::size_t i = 0; i < 8; ++i) k[i] = key[(offset + i) % 4];
  std::uint64_t word;
  std::memcpy(&word, k, sizeof word);
  std::size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, data + i, sizeof chunk);
    chunk ^= word;
    std::memcpy(data + i, &chunk, sizeof chunk);
  }
  for (; i < len; ++i) data[i] = static_cast<char>(data[i] ^ k[i % 4]);
}

// ---- Decoding ----

WsFrameDecoder::WsFrameDecoder(WsRole role, std::size_t maxMessageBytes)
    : role_(role), maxMessageBytes_(maxMessageBytes) {}

std::string_view WsFrameDecoder::payload() const noexcept {
  return payload_;
}

bool WsFrameDecoder::broken(std::uint16_t code, std::string_view reason) noexcept {
  closeCode_ = code;
  error_ = reason;
  return false;
}

bool WsFrameDecoder::isControl() const noexcept {
  return isControlOpcode(static_cast<std::uint8_t>(frame_.opcode));
}

WsDecodeResult WsFrameDecoder::fail(std::uint16_t code, std::string_view reason,
                                    std::size_t consumed) noexcept {
  phase_ = Phase::Failed;
  closeCode_ = code;
  error_ = reason;
  payload_ = {};
  return {WsEvent::Error, consumed};
}

WsDecodeResult WsFrameDecoder::feed(const char* data, std::size_t len) noexcept {
  if (phase_ == Phase::Closed) return {WsEvent::Close, 0};
  if (phase_ == Phase::Failed) return {WsEvent::Error, 0};
  // The last event's payload is handed over: its buffer may be reused.
  if (!payload_.empty() && payload_.data() == message_.data()) {
    if (message_.capacity() > kKeptMessageCapacity) {
      std::string{}.swap(message_);
    } else {
      message_.clear();
    }
  }
  payload_ = {};

  std::size_t used = 0;
  while (true) {
    const WsDecodeResult r = phase_ == Phase::Header ? readHeader(data + used, len - used)
                                                     : readPayload(data + used, len - used);
    used += r.consumed;
    // readHeader and readPayload return NeedMore with bytes left when a frame ended without
    // an event (a fragment of a message): go on with the next frame.
    if (r.event != WsEvent::NeedMore || used == len) return {r.event, used};
  }
}

// Collects the header bytes: two first, which say how many more follow.
WsDecodeResult WsFrameDecoder::readHeader(const char* data, std::size_t len) noexcept {
  std::size_t used = 0;
  while (headerHave_ < headerNeed_) {
    if (used == len) return {WsEvent::NeedMore, used};
    header_[headerHave_++] = static_cast<std::uint8_t>(data[used++]);
    if (headerHave_ == 2 && !checkFirstBytes()) return fail(closeCode_, error_, used);
  }
  if (!checkHeader()) return fail(closeCode_, error_, used);
  phase_ = Phase::Payload;
  payloadHave_ = 0;
  if (frame_.length == 0) return endFrame(used);
  return {WsEvent::NeedMore, used};
}

// RFC 6455 5.2, on the first two bytes: FIN, RSV1-3, the opcode, MASK, the 7-bit length.
// Returns false at the first broken rule (see broken()).
bool WsFrameDecoder::checkFirstBytes() noexcept {
  const std::uint8_t b0 = header_[0];
  const std::uint8_t b1 = header_[1];
  const std::uint8_t opcode = b0 & 0x0F;
  const std::uint8_t length7 = b1 & 0x7F;
  frame_.fin = (b0 & 0x80) != 0;
  frame_.masked = (b1 & 0x80) != 0;
  // No extension is negotiated, so no reserved bit has a meaning (RFC 6455 5.2).
  if ((b0 & 0x70) != 0) return broken(kWsCloseProtocolError, kReservedBits);
  if (!isKnownOpcode(opcode)) return broken(kWsCloseProtocolError, kUnknownOpcode);
  frame_.opcode = static_cast<WsOpcode>(opcode);
  // RFC 6455 5.1: a server fails an unmasked frame, a client a masked one.
  if (role_ == WsRole::Server && !frame_.masked) return broken(kWsCloseProtocolError, kUnmasked);
  if (role_ == WsRole::Client && frame_.masked) return broken(kWsCloseProtocolError, kMasked);
  if (isControlOpcode(opcode)) {
    // RFC 6455 5.5: control frames are never fragmented and carry at most 125 bytes (so their
    // length is always in the 7-bit form).
    if (!frame_.fin) return broken(kWsCloseProtocolError, kFragmentedControl);
    if (length7 > 125) return broken(kWsCloseProtocolError, kControlTooLong);
  } else if (frame_.opcode == WsOpcode::Continuation) {
    if (!inMessage_) return broken(kWsCloseProtocolError, kLoneContinuation);  // RFC 6455 5.4
  } else if (inMessage_) {
    return broken(kWsCloseProtocolError,
                  kInterleaved);  // RFC 6455 5.4: fragments of two messages never interleave
  }
  const std::size_t extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
  headerNeed_ = 2 + extended + (frame_.masked ? 4 : 0);
  return true;
}

// The rest of the header: the extended length and the masking key.
bool WsFrameDecoder::checkHeader() noexcept {
  const std::uint8_t length7 = header_[1] & 0x7F;
  std::size_t at = 2;
  frame_.length = length7;
  if (length7 == 126) {
    frame_.length = readBigEndian(&header_[at], 2);
    at += 2;
  } else if (length7 == 127) {
    frame_.length = readBigEndian(&header_[at], 8);
    at += 8;
  }
  // RFC 6455 5.2: "the minimal number of bytes MUST be used to encode the length", and the
  // 64-bit form has its most significant bit 0.
  if (length7 == 127 && (frame_.length >> 63) != 0) {
    return broken(kWsCloseProtocolError, kLengthTopBit);
  }
  if ((length7 == 126 && frame_.length < 126) || (length7 == 127 && frame_.length <= 0xFFFF)) {
    return broken(kWsCloseProtocolError, kNonMinimalLength);
  }
  if (frame_.masked) std::copy_n(&header_[at], 4, frame_.mask.begin());

  if (isControl()) {
    controlLength_ = 0;
    return true;
  }
  // The message limit is checked on the announced length, before a byte of it is buffered.
  if (frame_.length > maxMessageBytes_ - message_.size()) {
    return broken(kWsCloseMessageTooBig, kTooBig);
  }
  if (frame_.opcode != WsOpcode::Continuation) {
    inMessage_ = true;
    messageOpcode_ = frame_.opcode;
    utf8_.reset();
  }
  return true;
}

WsDecodeResult WsFrameDecoder::readPayload(const char* data, std::size_t len) noexcept {
  const auto take =
      static_cast<std::size_t>(std::min<std::uint64_t>(frame_.length - payloadHave_, len));
  char* dst;
  if (isControl()) {
    dst = control_.data() + controlLength_;
    controlLength_ += take;
  } else {
    message_.append(data, take);
    dst = message_.data() + message_.size() - take;
  }
  if (take > 0) std::memcpy(dst, data, take);
  if (frame_.masked) applyWsMask(dst, take, frame_.mask, payloadHave_);
  payloadHave_ += take;
  // RFC 6455 8.1: a text message is failed as soon as its bytes cannot be UTF-8, not at its end.
  if (!isControl() && messageOpcode_ == WsOpcode::Text && !utf8_.feed(dst, take)) {
    return fail(kWsCloseInvalidPayload, kBadUtf8, take);
  }
  if (payloadHave_ < frame_.length) return {WsEvent::NeedMore, take};
  return endFrame(take);
}

// The frame's last byte was read. `consumed`: bytes of this step, passed through.
WsDecodeResult WsFrameDecoder::endFrame(std::size_t consumed) noexcept {
  phase_ = Phase::Header;
  headerHave_ = 0;
  headerNeed_ = 2;
  const std::string_view control{control_.data(), controlLength_};
  switch (frame_.opcode) {
    case WsOpcode::Ping:
      payload_ = control;
      return {WsEvent::Ping, consumed};
    case WsOpcode::Pong:
      payload_ = control;
      return {WsEvent::Pong, consumed};
    case WsOpcode::Close:
      return closeFrame(consumed);
    case WsOpcode::Text:
    case WsOpcode::Binary:
    case WsOpcode::Continuation:
      break;
  }
  if (!frame_.fin) return {WsEvent::NeedMore, consumed};  // more fragments follow
  inMessage_ = false;
  if (messageOpcode_ == WsOpcode::Text && !utf8_.complete()) {
    return fail(kWsCloseInvalidPayload, kBadUtf8, consumed);  // ends inside a character
  }
  payload_ = message_;
  return {messageOpcode_ == WsOpcode::Text ? WsEvent::Text : WsEvent::Binary, consumed};
}

// RFC 6455 5.5.1 and 7.4: an empty close frame, or a code a close frame may carry followed by a
// UTF-8 reason.
WsDecodeResult WsFrameDecoder::closeFrame(std::size_t consumed) noexcept {
  if (controlLength_ == 1) return fail(kWsCloseProtocolError, kOneByteClose, consumed);
  std::uint16_t code = kWsCloseNoStatus;
  std::string_view reason;
  if (controlLength_ >= 2) {
    code = static_cast<std::uint16_t>(
        readBigEndian(reinterpret_cast<const std::uint8_t*>(control_.data()), 2));
    if (!wsCloseCodeAllowed(code)) return fail(kWsCloseProtocolError, kBadCloseCode, consumed);
    reason = {control_.data() + 2, controlLength_ - 2};
    if (!isValidUtf8(reason)) return fail(kWsCloseInvalidPayload, kBadCloseReason, consumed);
  }
  phase_ = Phase::Closed;
  closeCode_ = code;
  payload_ = reason;
  return {WsEvent::Close, consumed};
}

// ---- Encoding ----

std::size_t writeWsFrameHeader(std::span<char, kWsMaxFrameHeader> out, WsOpcode opcode, bool fin,
                               std::uint64_t payloadLength, const WsMaskKey* mask) noexcept {
  const auto op = static_cast<std::uint8_t>(opcode);
  assert(!isControlOpcode(op) || (fin && payloadLength <= kWsMaxControlPayload));
  assert(payloadLength >> 63 == 0);
  out[0] = static_cast<char>((fin ? 0x80 : 0) | op);
  const std::uint8_t maskBit = mask != nullptr ? 0x80 : 0;
  std::size_t n = 2;
  // RFC 6455 5.2: the shortest of the three length forms.
  if (payloadLength < 126) {
    out[1] = static_cast<char>(maskBit | payloadLength);
  } else {
    const std::size_t bytes = payloadLength <= 0xFFFF ? 2 : 8;
    out[1] = static_cast<char>(maskBit | (bytes == 2 ? 126 : 127));
    for (std::size_t i = 0; i < bytes; ++i) {
      out[n++] = static_cast<char>(payloadLength >> (8 * (bytes - 1 - i)));
    }
  }
  if (mask != nullptr) {
    for (const std::uint8_t b : *mask) out[n++] = static_cast<char>(b);
  }
  return n;
}

std::size_t writeWsClosePayload(std::span<char, kWsMaxControlPayload> out, std::uint16_t code,
                                std::string_view reason) noexcept {
  assert(wsCloseCodeAllowed(code));
  assert(isValidUtf8(reason));
  out[0] = static_cast<char>(code >> 8);
  out[1] = static_cast<char>(code & 0xFF);
  std::size_t keep = std::min(reason.size(), kWsMaxControlPayload - 2);
  // Cut before a character, never inside one: back up over continuation bytes (10xxxxxx).
  while (keep < reason.size() && keep > 0 &&
         (static_cast<unsigned char>(reason[keep]) & 0xC0) == 0x80) {
    --keep;
  }
  // An empty reason may have no storage at all, and memcpy from a null pointer is undefined even
  // for no bytes.
  if (keep > 0) std::memcpy(out.data() + 2, reason.data(), keep);
  return 2 + keep;
}

void appendWsFrame(std::string& out, WsOpcode opcode, bool fin, std::string_view payload,
                   const WsMaskKey* mask) {
  std::array<char, kWsMaxFrameHeader> header;
  const std::size_t headerLength = writeWsFrameHeader(header, opcode, fin, payload.size(), mask);
  out.append(header.data(), headerLength);
  const std::size_t start = out.size();
  out.append(payload);
  if (mask != nullptr) applyWsMask(out.data() + start, payload.size(), *mask, 0);
}

}  // namespace closewise::protocol
