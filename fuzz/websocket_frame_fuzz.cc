// libFuzzer target for the WebSocket codec: protocol::WsFrameDecoder and the frame encoder, and
// protocol::Utf8Validator, each checked against something written apart from it.
//
// The input is a 3-byte set-up, then the stream:
//   bytes 0-1  where the stream is cut into two reads (little-endian, modulo the stream size + 1)
//   byte 2     bit 0: the decoder's role (0 server, reading masked client frames; 1 client);
//              bits 1-7: maxMessageBytes: 0 keeps 1 MiB, n sets n * 8 (small limits reach 1009)
//   bytes 3..  the stream
//
// Four checks on each input:
//  1. The stream as text: the validator, fed whole, in two reads and byte by byte, agrees with
//     the table-free reference decoder of tests/protocol/utf8_reference.h on whether it is
//     valid, and fails at exactly the first byte the reference says no continuation can save.
//  2. The stream as the payload of a text message, sent as two masked fragments cut at the
//     chosen byte: the decoder hands it out if and only if the reference calls it valid, and
//     fails it with 1007 otherwise.
//  3. The stream as frames, decoded whole, in two reads and byte by byte: the same events, each
//     within the rules of RFC 6455 5 (payload sizes, UTF-8, close codes, error codes).
//  4. Those events encoded again by the encoder (messages in two fragments, with the masking
//     the role calls for) and decoded: the same events, but for a trailing error.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/check.h"
#include "protocol/utf8.h"
#include "protocol/websocket_frame.h"
#include "tests/protocol/utf8_reference.h"

namespace closewise::fuzz {
namespace {

using protocol::Utf8Validator;
using protocol::WsDecodeResult;
using protocol::WsEvent;
using protocol::WsFrameDecoder;
using protocol::WsMaskKey;
using protocol::WsOpcode;
using protocol::WsRole;
using testing::referenceUtf8;
using testing::Utf8Verdict;

struct Setup {
  std::string_view stream;
  std::size_t split = 0;
  WsRole role = WsRole::Server;
  std::size_t maxMessageBytes = 1 << 20;
};

constexpr std::size_t kSetupBytes = 3;
constexpr std::size_t kLimitStep = 8;
constexpr WsMaskKey kKey = {0x37, 0xfa, 0x21, 0x3d};

std::optional<Setup> readSetup(const std::uint8_t* data, std::size_t size) {
  if (size < kSetupBytes) return std::nullopt;
  Setup setup;
  setup.stream = {reinterpret_cast<const char*>(data + kSetupBytes), size - kSetupBytes};
  const std::size_t split = data[0] | static_cast<std::size_t>(data[1]) << 8;
  setup.split = split % (setup.stream.size() + 1);
  setup.role = (data[2] & 1) != 0 ? WsRole::Client : WsRole::Server;
  if ((data[2] >> 1) != 0) setup.maxMessageBytes = (data[2] >> 1) * kLimitStep;
  return setup;
}

// ---- 1. The validator against the reference ----

// The index of the first byte after which the reference says the text can no longer become
// valid, or npos. Being invalid lasts (no continuation can save a prefix that cannot be saved),
// so a binary search over prefix lengths finds it.
std::size_t referenceFailure(std::string_view text) {
  if (referenceUtf8(text) != Utf8Verdict::Invalid) return std::string_view::npos;
  std::size_t good = 0;           // a prefix length the reference accepts
  std::size_t bad = text.size();  // a prefix length it refuses
  while (bad - good > 1) {
    const std::size_t mid = good + (bad - good) / 2;
    (referenceUtf8(text.substr(0, mid)) == Utf8Verdict::Invalid ? bad : good) = mid;
  }
  return bad - 1;
}

void checkUtf8(const Setup& setup) {
  const std::string_view text = setup.stream;
  const Utf8Verdict verdict = referenceUtf8(text);
  FUZZ_CHECK(protocol::isValidUtf8(text) == (verdict == Utf8Verdict::Valid));

  Utf8Validator split;
  split.feed(text.substr(0, setup.split));
  split.feed(text.substr(setup.split));
  FUZZ_CHECK(split.complete() == (verdict == Utf8Verdict::Valid));
  FUZZ_CHECK(split.failed() == (verdict == Utf8Verdict::Invalid));

  Utf8Validator bytes;
  std::size_t failedAt = std::string_view::npos;
  for (std::size_t i = 0; i < text.size() && failedAt == std::string_view::npos; ++i) {
    if (!bytes.feed(text.substr(i, 1))) failedAt = i;
  }
  FUZZ_CHECK(failedAt == referenceFailure(text));
}

// ---- 3. Decoding frames the way a connection does ----

struct Event {
  WsEvent event;
  std::string payload;
  std::uint16_t code = 0;
  std::string_view error;

  bool operator==(const Event&) const = default;
};

enum class Reads : std::uint8_t { Whole, Split, ByteByByte };

class FrameFeeder {
 public:
  explicit FrameFeeder(const Setup& setup) : setup_(setup), decoder_(setup.role, limit()) {}

  std::size_t limit() const { return setup_.maxMessageBytes; }

  void feedRead(std::string_view read) {
    if (done_ || read.empty()) return;
    // A heap block of exactly the read's size, freed on return: ASan reports a payload view
    // kept into an old read buffer.
    const auto buffer = std::make_unique_for_overwrite<char[]>(read.size());
    std::memcpy(buffer.get(), read.data(), read.size());
    const char* data = buffer.get();
    std::size_t len = read.size();
    while (!done_) {
      const WsDecodeResult r = decoder_.feed(data, len);
      FUZZ_CHECK(r.consumed <= len);
      data += r.consumed;
      len -= r.consumed;
      if (r.event == WsEvent::NeedMore) {
        FUZZ_CHECK(len == 0);
        return;
      }
      record(r.event);
      if (done_) {
        const WsDecodeResult again = decoder_.feed(data, len);
        FUZZ_CHECK(again.event == r.event && again.consumed == 0);
      }
    }
  }

  std::vector<Event> events() && { return std::move(events_); }

 private:
  // Each event within the rules of RFC 6455 5, as written here.
  void record(WsEvent event) {
    const std::string_view payload = decoder_.payload();
    const std::uint16_t code = decoder_.closeCode();
    switch (event) {
      case WsEvent::NeedMore:
        return;
      case WsEvent::Text:
        FUZZ_CHECK(referenceUtf8(payload) == Utf8Verdict::Valid);
        FUZZ_CHECK(payload.size() <= limit());
        break;
      case WsEvent::Binary:
        FUZZ_CHECK(payload.size() <= limit());
        break;
      case WsEvent::Ping:
      case WsEvent::Pong:
        FUZZ_CHECK(payload.size() <= protocol::kWsMaxControlPayload);
        break;
      case WsEvent::Close:
        FUZZ_CHECK(payload.size() <= protocol::kWsMaxControlPayload - 2);
        FUZZ_CHECK((code == protocol::kWsCloseNoStatus && payload.empty()) ||
                   protocol::wsCloseCodeAllowed(code));
        FUZZ_CHECK(referenceUtf8(payload) == Utf8Verdict::Valid);
        done_ = true;
        break;
      case WsEvent::Error:
        FUZZ_CHECK(code == protocol::kWsCloseProtocolError ||
                   code == protocol::kWsCloseInvalidPayload ||
                   code == protocol::kWsCloseMessageTooBig);
        FUZZ_CHECK(!decoder_.error().empty());
        FUZZ_CHECK(payload.empty());
        done_ = true;
        break;
    }
    events_.push_back({event, std::string(payload),
                       event == WsEvent::Close || event == WsEvent::Error ? code : std::uint16_t{0},
                       event == WsEvent::Error ? decoder_.error() : std::string_view{}});
  }

  const Setup& setup_;
  WsFrameDecoder decoder_;
  std::vector<Event> events_;
  bool done_ = false;
};

std::vector<Event> decode(const Setup& setup, std::string_view stream, Reads reads,
                          std::size_t split) {
  FrameFeeder feeder{setup};
  switch (reads) {
    case Reads::Whole:
      feeder.feedRead(stream);
      break;
    case Reads::Split:
      feeder.feedRead(stream.substr(0, split));
      feeder.feedRead(stream.substr(split));
      break;
    case Reads::ByteByByte:
      for (std::size_t i = 0; i < stream.size(); ++i) feeder.feedRead(stream.substr(i, 1));
      break;
  }
  return std::move(feeder).events();
}

// ---- 2. The stream as a text message ----

void checkTextMessage(const Setup& setup) {
  const std::string_view text = setup.stream;
  std::string frames;
  protocol::appendWsFrame(frames, WsOpcode::Text, false, text.substr(0, setup.split), &kKey);
  protocol::appendWsFrame(frames, WsOpcode::Continuation, true, text.substr(setup.split), &kKey);
  Setup server = setup;
  server.role = WsRole::Server;
  server.maxMessageBytes = text.size();
  const std::vector<Event> events = decode(server, frames, Reads::Whole, 0);
  FUZZ_CHECK(events.size() == 1);
  if (referenceUtf8(text) == Utf8Verdict::Valid) {
    FUZZ_CHECK(events[0].event == WsEvent::Text && events[0].payload == text);
  } else {
    FUZZ_CHECK(events[0].event == WsEvent::Error &&
               events[0].code == protocol::kWsCloseInvalidPayload);
  }
}

// ---- 4. Encoding the events again ----

std::string encode(const Setup& setup, const std::vector<Event>& events) {
  // The decoder reads what the other end writes: a server's decoder reads masked client frames.
  const WsMaskKey* mask = setup.role == WsRole::Server ? &kKey : nullptr;
  std::string out;
  for (const Event& e : events) {
    switch (e.event) {
      case WsEvent::Text:
      case WsEvent::Binary: {
        const WsOpcode opcode = e.event == WsEvent::Text ? WsOpcode::Text : WsOpcode::Binary;
        const std::size_t cut = setup.split % (e.payload.size() + 1);
        const std::string_view payload = e.payload;
        protocol::appendWsFrame(out, opcode, false, payload.substr(0, cut), mask);
        protocol::appendWsFrame(out, WsOpcode::Continuation, true, payload.substr(cut), mask);
        break;
      }
      case WsEvent::Ping:
      case WsEvent::Pong:
        protocol::appendWsFrame(out, e.event == WsEvent::Ping ? WsOpcode::Ping : WsOpcode::Pong,
                                true, e.payload, mask);
        break;
      case WsEvent::Close: {
        std::array<char, protocol::kWsMaxControlPayload> payload{};
        const std::size_t n = e.code == protocol::kWsCloseNoStatus
                                  ? 0
                                  : protocol::writeWsClosePayload(payload, e.code, e.payload);
        protocol::appendWsFrame(out, WsOpcode::Close, true, std::string_view(payload.data(), n),
                                mask);
        break;
      }
      case WsEvent::NeedMore:
      case WsEvent::Error:
        break;
    }
  }
  return out;
}

}  // namespace
}  // namespace closewise::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace closewise::fuzz;
  const std::optional<Setup> setup = readSetup(data, size);
  if (!setup) return 0;
  checkUtf8(*setup);
  checkTextMessage(*setup);

  const std::vector<Event> whole = decode(*setup, setup->stream, Reads::Whole, 0);
  FUZZ_CHECK(decode(*setup, setup->stream, Reads::Split, setup->split) == whole);
  FUZZ_CHECK(decode(*setup, setup->stream, Reads::ByteByByte, 0) == whole);

  std::vector<Event> expected = whole;
  if (!expected.empty() && expected.back().event == WsEvent::Error) expected.pop_back();
  FUZZ_CHECK(decode(*setup, encode(*setup, expected), Reads::Whole, 0) == expected);
  return 0;
}
