// libFuzzer target for protocol::ResponseParser: an upstream's byte stream, fed the way the
// upstream client feeds it, with invariants checked on every result rather than "it did not
// crash".
//
// The input is a 4-byte set-up, then the stream:
//   bytes 0-1  where the stream is cut into two reads (little-endian, modulo the stream size + 1)
//   byte 2     bits 0-1: the request's method (GET, HEAD, CONNECT, POST);
//              bit 2: the upstream closes the connection after the stream (finish())
//   byte 3     ResponseLimits::maxHeaderBytes: 0 keeps the default, n sets n * 16
//   bytes 4..  the stream
//
// Each input is parsed three ways: whole, cut into two reads at the chosen byte, and one byte
// per read. All three must report the same events, the same body, the same response and the
// same error: the parser promises the first broken rule in the bytes whatever the reads. And
// what they report must agree with RFC 9112 as written here, not with the parser: the framing
// the status, method and fields call for, the body of a Content-Length or close-delimited
// response being the bytes after the head, and a chunked body being what a de-chunker written
// from RFC 9112 7.1 makes of them.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/check.h"
#include "protocol/field_syntax.h"
#include "protocol/response_parser.h"

namespace closewise::fuzz {
namespace {

using protocol::ResponseFraming;
using protocol::Header;
using protocol::Response;
using protocol::ResponseLimits;
using protocol::ResponseParser;
using protocol::ResponseResult;
using protocol::ResponseStatus;

struct Setup {
  std::string_view stream;
  std::size_t split = 0;
  std::string_view method;
  bool eof = false;
  ResponseLimits limits;
};

constexpr std::size_t kSetupBytes = 4;
constexpr std::size_t kLimitStep = 16;
constexpr std::string_view kMethods[] = {"GET", "HEAD", "CONNECT", "POST"};

std::optional<Setup> readSetup(const std::uint8_t* data, std::size_t size) {
  if (size < kSetupBytes) return std::nullopt;
  Setup setup;
  setup.stream = {reinterpret_cast<const char*>(data + kSetupBytes), size - kSetupBytes};
  const std::size_t split = data[0] | static_cast<std::size_t>(data[1]) << 8;
  setup.split = split % (setup.stream.size() + 1);
  setup.method = kMethods[data[2] & 0x3];
  setup.eof = (data[2] & 0x4) != 0;
  if (data[3] != 0) setup.limits.maxHeaderBytes = data[3] * kLimitStep;
  return setup;
}

// ---- RFC 9112 as written here ----

bool isFieldValue(std::string_view s) {
  if (!s.empty() && (protocol::isOws(s.front()) || protocol::isOws(s.back()))) return false;
  for (const char c : s) {
    if (!protocol::isFieldValueByte(c)) return false;
  }
  return true;
}

std::vector<std::string_view> listElements(const Response& r, std::string_view name) {
  std::vector<std::string_view> out;
  for (const Header& h : r.headers) {
    if (!protocol::equalsIgnoreCase(h.name, name)) continue;
    protocol::forEachListElement(h.value, [&](std::string_view e) { out.push_back(e); });
  }
  return out;
}

bool hasOption(const Response& r, std::string_view option) {
  for (const std::string_view e : listElements(r, "connection")) {
    if (protocol::equalsIgnoreCase(e, option)) return true;
  }
  return false;
}

void checkHead(const Response& r, bool interim) {
  FUZZ_CHECK(r.status >= 100 && r.status <= 599);
  FUZZ_CHECK(interim == (r.status < 200 && r.status != 101));
  FUZZ_CHECK(r.versionMajor == 1 && (r.versionMinor == 0 || r.versionMinor == 1));
  for (const char c : r.reason) FUZZ_CHECK(protocol::isFieldValueByte(c));
  for (const Header& h : r.headers) {
    FUZZ_CHECK(protocol::isToken(h.name));
    FUZZ_CHECK(isFieldValue(h.value));
  }
}

// RFC 9112 6.3, for a response the parser accepted: rules 1-2, then chunked (the only coding
// the client accepts, RFC 9112 7.4), then Content-Length, then until close.
ResponseFraming expectedFraming(const Response& r, std::string_view method) {
  if (method == "HEAD" || r.status < 200 || r.status == 204 || r.status == 304) {
    return ResponseFraming::None;
  }
  if (method == "CONNECT" && r.status / 100 == 2) return ResponseFraming::None;
  const std::vector<std::string_view> codings = listElements(r, "transfer-encoding");
  if (!codings.empty()) {
    FUZZ_CHECK(codings.size() == 1 && protocol::equalsIgnoreCase(codings[0], "chunked"));
    FUZZ_CHECK(r.versionMinor == 1);  // RFC 9112 6.1: not in HTTP/1.0
    FUZZ_CHECK(!r.contentLength);     // RFC 9112 6.3 rule 3
    return ResponseFraming::Chunked;
  }
  if (r.contentLength) {
    return *r.contentLength > 0 ? ResponseFraming::ContentLength : ResponseFraming::None;
  }
  return ResponseFraming::UntilClose;
}

// RFC 9112 9.3 and 6.3: who may reuse the connection.
bool expectedKeepAlive(const Response& r, std::string_view method) {
  const bool persistent =
      !hasOption(r, "close") && (r.versionMinor == 1 || hasOption(r, "keep-alive"));
  const bool stillHttp = r.status != 101 && !(method == "CONNECT" && r.status / 100 == 2);
  return persistent && stillHttp && r.framing != ResponseFraming::UntilClose;
}

// A de-chunker written from RFC 9112 7.1 and nothing else:
//   chunked-body = *chunk last-chunk trailer-section CRLF
//   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//   chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
// with chunk-ext-val = token / quoted-string, and trailer fields as field-lines (RFC 9112 5).
class Dechunker {
 public:
  explicit Dechunker(std::string_view in) : in_(in) {}

  struct Result {
    std::string body;
    std::vector<Header> trailers;
    std::size_t end = 0;  // offset just after the final CRLF
  };

  // nullopt if the bytes are not a complete, valid chunked body (a prefix of one included).
  std::optional<Result> run() {
    Result result;
    while (true) {
      const std::optional<std::uint64_t> size = chunkSize();
      if (!size || !chunkExtensions() || !crlf()) return std::nullopt;
      if (*size == 0) break;
      if (in_.size() - at_ < *size) return std::nullopt;
      result.body.append(in_.substr(at_, *size));
      at_ += *size;
      if (!crlf()) return std::nullopt;
    }
    while (!crlf()) {
      std::optional<Header> field = fieldLine();
      if (!field || !crlf()) return std::nullopt;
      result.trailers.push_back(std::move(*field));
    }
    result.end = at_;
    return result;
  }

 private:
  bool eat(char c) {
    if (at_ >= in_.size() || in_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool crlf() {
    const std::size_t start = at_;
    if (eat('\r') && eat('\n')) return true;
    at_ = start;
    return false;
  }
  void ows() {
    while (at_ < in_.size() && protocol::isOws(in_[at_])) ++at_;
  }
  std::string_view token() {
    const std::size_t start = at_;
    while (at_ < in_.size() && protocol::isTchar(in_[at_])) ++at_;
    return in_.substr(start, at_ - start);
  }
  std::optional<std::uint64_t> chunkSize() {
    std::uint64_t size = 0;
    std::size_t digits = 0;
    while (at_ < in_.size()) {
      const char c = in_[at_];
      int v = -1;
      if (c >= '0' && c <= '9') v = c - '0';
      if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
      if (v < 0) break;
      if (size >> 60 != 0) return std::nullopt;  // would overflow
      size = size << 4 | static_cast<std::uint64_t>(v);
      ++digits;
      ++at_;
    }
    if (digits == 0) return std::nullopt;
    return size;
  }
  bool quotedString() {
    if (!eat('"')) return false;
    while (at_ < in_.size()) {
      const auto c = static_cast<unsigned char>(in_[at_++]);
      if (c == '"') return true;
      if (c == '\\') {
        if (at_ >= in_.size()) return false;
        const auto q = static_cast<unsigned char>(in_[at_++]);
        if (q != '\t' && (q < 0x20 || q == 0x7F)) return false;
      } else if (c != '\t' && (c < 0x20 || c == 0x7F)) {
        return false;
      }
    }
    return false;
  }
  bool chunkExtensions() {
    while (true) {
      const std::size_t start = at_;
      ows();
      if (!eat(';')) {
        at_ = start;
        return true;
      }
      ows();
      if (token().empty()) return false;
      const std::size_t beforeValue = at_;
      ows();
      if (eat('=')) {
        ows();
        if (token().empty() && !quotedString()) return false;
      } else {
        at_ = beforeValue;
      }
    }
  }
  std::optional<Header> fieldLine() {
    Header h;
    h.name = token();
    if (h.name.empty() || !eat(':')) return std::nullopt;
    const std::size_t start = at_;
    while (at_ < in_.size() && protocol::isFieldValueByte(in_[at_])) ++at_;
    h.value = protocol::trimOws(in_.substr(start, at_ - start));
    return h;
  }

  std::string_view in_;
  std::size_t at_ = 0;
};

// ---- Feeding the stream the way the upstream client does ----

enum class Reads : std::uint8_t { Whole, Split, ByteByByte };

struct Event {
  ResponseStatus status;
  std::size_t offset;  // stream offset just after the bytes this result consumed
};

struct Outcome {
  std::vector<Event> events;  // consecutive Body results are one event (their count and offsets
                              // depend on the reads)
  std::string body;
  Response response;
  std::vector<int> interims;  // the status of each interim response
  std::string_view error;
  bool keepAlive = false;
  std::size_t consumed = 0;
  std::size_t headEnd = 0;  // stream offset just after the final head
  bool done = false;        // MessageComplete or Error
};

class StreamFeeder {
 public:
  explicit StreamFeeder(const Setup& setup) : setup_(setup), parser_(setup.limits) {
    parser_.expect(setup.method);
    FUZZ_CHECK(!parser_.anyByteReceived());
  }

  // One read from the socket: results are followed until NeedMore, MessageComplete or Error, as
  // the upstream client does (forwarding each body piece before feeding on).
  void feedRead(std::string_view read) {
    if (outcome_.done || read.empty()) return;
    // A heap block of exactly the read's size, freed on return: ASan reports a read past the
    // end and a body view kept into an old read buffer.
    const auto buffer = std::make_unique_for_overwrite<char[]>(read.size());
    std::memcpy(buffer.get(), read.data(), read.size());
    const char* data = buffer.get();
    std::size_t len = read.size();
    int idle = 0;
    while (!outcome_.done) {
      const ResponseResult r = parser_.feed(data, len);
      FUZZ_CHECK(r.consumed <= len);
      FUZZ_CHECK(parser_.anyByteReceived());
      idle = r.consumed == 0 ? idle + 1 : 0;
      FUZZ_CHECK(idle < 3);  // a caller that feeds again must get somewhere
      if (r.status == ResponseStatus::Body) {
        // A view into these bytes, ending where parsing stopped: nothing was copied, and
        // nothing after the piece was parsed before the caller forwarded it.
        const std::string_view piece = parser_.body();
        FUZZ_CHECK(!piece.empty());
        FUZZ_CHECK(piece.data() >= data && piece.data() + piece.size() == data + r.consumed);
        outcome_.body.append(piece);
      }
      data += r.consumed;
      len -= r.consumed;
      outcome_.consumed += r.consumed;
      record(r.status);
      if (r.status == ResponseStatus::NeedMore) {
        FUZZ_CHECK(len == 0);
        return;
      }
      if (outcome_.done) {
        // Until expect(), the parser takes nothing more.
        const ResponseResult again = parser_.feed(data, len);
        FUZZ_CHECK(again.status == r.status && again.consumed == 0);
      }
    }
  }

  Outcome finish() && {
    if (!outcome_.done && setup_.eof) record(parser_.finish());
    outcome_.response = parser_.response();
    outcome_.keepAlive = parser_.keepAlive();
    return std::move(outcome_);
  }

 private:
  void record(ResponseStatus status) {
    switch (status) {
      case ResponseStatus::NeedMore:
        return;
      case ResponseStatus::Body:
        if (outcome_.events.empty() || outcome_.events.back().status != status) break;
        return;
      case ResponseStatus::Interim:
        checkHead(parser_.response(), true);
        outcome_.interims.push_back(parser_.response().status);
        break;
      case ResponseStatus::HeadComplete:
        checkHead(parser_.response(), false);
        // Every head of the exchange together fits the budget.
        FUZZ_CHECK(outcome_.consumed <= setup_.limits.maxHeaderBytes);
        outcome_.headEnd = outcome_.consumed;
        break;
      case ResponseStatus::MessageComplete:
        FUZZ_CHECK(outcome_.headEnd > 0);
        outcome_.done = true;
        break;
      case ResponseStatus::Error:
        outcome_.error = parser_.error();
        FUZZ_CHECK(!outcome_.error.empty());
        outcome_.done = true;
        break;
    }
    outcome_.events.push_back({status, outcome_.consumed});
  }

  const Setup& setup_;
  ResponseParser parser_;
  Outcome outcome_;
};

Outcome parseStream(const Setup& setup, Reads reads) {
  StreamFeeder feeder{setup};
  switch (reads) {
    case Reads::Whole:
      feeder.feedRead(setup.stream);
      break;
    case Reads::Split:
      feeder.feedRead(setup.stream.substr(0, setup.split));
      feeder.feedRead(setup.stream.substr(setup.split));
      break;
    case Reads::ByteByByte:
      for (std::size_t i = 0; i < setup.stream.size(); ++i) {
        feeder.feedRead(setup.stream.substr(i, 1));
      }
      break;
  }
  return std::move(feeder).finish();
}

// The response as RFC 9112 reads the same bytes.
void checkAgainstRfc(const Setup& setup, const Outcome& o) {
  if (o.events.empty() || o.events.back().status != ResponseStatus::MessageComplete) return;
  const Response& r = o.response;
  FUZZ_CHECK(r.framing == expectedFraming(r, setup.method));
  FUZZ_CHECK(o.keepAlive == expectedKeepAlive(r, setup.method));
  const std::string_view afterHead = setup.stream.substr(o.headEnd);
  switch (r.framing) {
    case ResponseFraming::None:
      FUZZ_CHECK(o.body.empty());
      FUZZ_CHECK(o.consumed == o.headEnd);
      break;
    case ResponseFraming::ContentLength:
      FUZZ_CHECK(o.body.size() == *r.contentLength);
      FUZZ_CHECK(o.body == afterHead.substr(0, o.body.size()));
      FUZZ_CHECK(o.consumed == o.headEnd + o.body.size());
      break;
    case ResponseFraming::UntilClose:
      FUZZ_CHECK(setup.eof);  // only the close ends it
      FUZZ_CHECK(o.body == afterHead);
      break;
    case ResponseFraming::Chunked: {
      const std::optional<Dechunker::Result> expected = Dechunker{afterHead}.run();
      FUZZ_CHECK(expected.has_value());
      FUZZ_CHECK(o.body == expected->body);
      FUZZ_CHECK(o.consumed == o.headEnd + expected->end);
      FUZZ_CHECK(r.trailers.size() == expected->trailers.size());
      for (std::size_t i = 0; i < r.trailers.size(); ++i) {
        FUZZ_CHECK(r.trailers[i].name == expected->trailers[i].name);
        FUZZ_CHECK(r.trailers[i].value == expected->trailers[i].value);
      }
      break;
    }
  }
}

// The reads differ, so an error may be noticed at a different offset; it must be the same error,
// and everything before it the same.
void checkSameOutcome(const Outcome& a, const Outcome& b) {
  FUZZ_CHECK(a.events.size() == b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    FUZZ_CHECK(a.events[i].status == b.events[i].status);
    const bool fixedOffset =
        a.events[i].status != ResponseStatus::Error && a.events[i].status != ResponseStatus::Body;
    if (fixedOffset) FUZZ_CHECK(a.events[i].offset == b.events[i].offset);
  }
  FUZZ_CHECK(a.error == b.error);
  FUZZ_CHECK(a.interims == b.interims);
  FUZZ_CHECK(a.headEnd == b.headEnd);
  if (!a.error.empty()) return;
  FUZZ_CHECK(a.body == b.body);
  FUZZ_CHECK(a.consumed == b.consumed);
  FUZZ_CHECK(a.keepAlive == b.keepAlive);
  FUZZ_CHECK(a.response.status == b.response.status);
  FUZZ_CHECK(a.response.reason == b.response.reason);
  FUZZ_CHECK(a.response.framing == b.response.framing);
  FUZZ_CHECK(a.response.contentLength == b.response.contentLength);
  FUZZ_CHECK(a.response.headers.size() == b.response.headers.size());
  for (std::size_t i = 0; i < a.response.headers.size(); ++i) {
    FUZZ_CHECK(a.response.headers[i].name == b.response.headers[i].name);
    FUZZ_CHECK(a.response.headers[i].value == b.response.headers[i].value);
  }
  FUZZ_CHECK(a.response.trailers.size() == b.response.trailers.size());
}

}  // namespace
}  // namespace closewise::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace closewise::fuzz;
  const std::optional<Setup> setup = readSetup(data, size);
  if (!setup) return 0;
  const Outcome whole = parseStream(*setup, Reads::Whole);
  const Outcome split = parseStream(*setup, Reads::Split);
  const Outcome bytes = parseStream(*setup, Reads::ByteByByte);
  checkAgainstRfc(*setup, whole);
  checkSameOutcome(whole, split);
  checkSameOutcome(whole, bytes);
  return 0;
}
