#include "protocol/request_parser.h"

#include <llhttp.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "protocol/field_syntax.h"

namespace closewise::protocol {

namespace {

// Reasons are static strings: ParseError hands out a string_view of them.
constexpr std::string_view kBareLf = "bare lf";
constexpr std::string_view kBareCr = "bare cr";
constexpr std::string_view kObsFold = "obsolete line folding";
constexpr std::string_view kBadRequestLine = "malformed request line";
constexpr std::string_view kBadTarget = "invalid character in request target";
constexpr std::string_view kSpaceBeforeColon = "whitespace between header name and colon";
constexpr std::string_view kBadHeaderName = "invalid header name";
constexpr std::string_view kBadHeaderValue = "invalid character in header value";
constexpr std::string_view kClAndTe = "both content-length and transfer-encoding";
constexpr std::string_view kDuplicateCl = "duplicate content-length";
constexpr std::string_view kBadCl = "invalid content-length";
constexpr std::string_view kChunkedNotLast = "chunked is not the final transfer coding";
constexpr std::string_view kUnknownCoding = "unsupported transfer coding";
constexpr std::string_view kBadTe = "invalid transfer-encoding";
constexpr std::string_view kTeInHttp10 = "transfer-encoding in an http/1.0 request";
constexpr std::string_view kMissingHost = "missing host";
constexpr std::string_view kMultipleHost = "more than one host";
constexpr std::string_view kHeadTooLarge = "header section too large";
constexpr std::string_view kTargetTooLong = "request-target too long";
constexpr std::string_view kTrailersTooLarge = "trailer section too large";
constexpr std::string_view kBodyTooLarge = "body too large";
constexpr std::string_view kBadVersion = "unsupported http version";
constexpr std::string_view kBadMethod = "invalid method";
constexpr std::string_view kBadChunk = "invalid chunk framing";
constexpr std::string_view kChunkExtTooLarge = "chunk extensions too large";
constexpr std::string_view kChunkSizeTooLong = "chunk size too long";
constexpr std::string_view kMalformed = "malformed request";

// RFC 9112 7.1 puts no bound on the digits of a chunk-size, and leading zeros would let one size
// line run on for ever while its value stays 0. Sixteen hex digits hold any 64-bit size, so more
// than that is refused.
constexpr int kMaxChunkSizeDigits = 16;

// Trailer fields are charged against the header budget as HTTP/2 charges every field against
// SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 section 6.5.2): the bytes of the name and the value,
// plus 32 for keeping the field apart. That bounds their count as well as their bytes: a trailer
// section of thousands of one-letter fields would otherwise cost a Header object each and almost
// nothing of the budget.
constexpr std::size_t kTrailerFieldOverhead = 32;

constexpr bool isHexDigit(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

struct RequestParser::Impl {
  enum class Phase : std::uint8_t { Head, HeadPaused, Body, Complete, Failed };
  enum class FieldState : std::uint8_t { None, Name, Value };

  explicit Impl(const Limits& l) noexcept : limits(l) {
    llhttp_init(&http, HTTP_REQUEST, &settings());
    http.data = this;
  }

  static const llhttp_settings_t& settings() noexcept;

  ParseResult feed(const char* data, std::size_t len) noexcept;
  void reset() noexcept;

  // --- llhttp callbacks (reached through the noexcept thunks below) ---
  int onMessageBegin() noexcept;
  int onMethod(const char* at, std::size_t n) noexcept;
  int onUrl(const char* at, std::size_t n) noexcept;
  int onUrlComplete() noexcept;
  int onVersionComplete() noexcept;
  int onHeaderField(const char* at, std::size_t n) noexcept;
  int onHeaderFieldComplete() noexcept;
  int onHeaderValue(const char* at, std::size_t n) noexcept;
  int onHeaderValueComplete() noexcept;
  int onHeadersComplete() noexcept;
  int onChunkHeader() noexcept;
  int onChunkExtension(std::size_t n) noexcept;
  int onBody(const char* at, std::size_t n) noexcept;
  int onMessageComplete() noexcept;

  int fail(int status, std::string_view reason) noexcept {
    if (msg.error.status == 0) msg.error = ParseError{status, reason};
    return HPE_USER;
  }
  // The head does not fit in maxHeaderBytes. If the request line has not even ended, the
  // request-target is what is too long: 414 (RFC 9110 15.5.15), as nginx answers a request line
  // over its buffers; otherwise the header fields are: 431 (RFC 6585 5).
  void failHeadTooLarge() noexcept {
    if (msg.requestLineDone) {
      fail(431, kHeadTooLarge);
    } else {
      fail(414, kTargetTooLong);
    }
  }
  // The version llhttp read is one this server speaks: HTTP/1.0 or HTTP/1.1.
  bool versionSupported() const noexcept {
    return http.http_major == 1 && (http.http_minor == 0 || http.http_minor == 1);
  }
  // What one llhttp_execute did: its verdict, the bytes it consumed, where the framing scan of
  // those bytes ends, and the byte llhttp stopped at ('\0' when it took them all).
  struct Execution {
    llhttp_errno_t err = HPE_OK;
    std::size_t consumed = 0;
    const char* scanEnd = nullptr;
    char offending = '\0';
  };
  void resumeForBody() noexcept;
  std::size_t headAllowance() const noexcept;
  Execution execute(const char* data, std::size_t given) noexcept;
  void scanExecuted(const char* scanEnd) noexcept;
  ParseResult outcome(const Execution& run, bool headCut) noexcept;
  ParseResult failed(std::size_t consumed) noexcept {
    msg.phase = Phase::Failed;
    return {ParseStatus::Error, consumed};
  }

  bool scanFraming(const char* begin, const char* end) noexcept;
  bool scanByte(char c) noexcept;  // one byte at a rule's edge: line start, after CR, chunk CRLF
  bool scanChunkByte(char c) noexcept;
  bool endRequestLine() noexcept;
  int chargeTrailer(std::size_t bytes) noexcept;
  ParseError llhttpErrorMeaning(llhttp_errno_t err, char offending) const noexcept;
  int recordHeadField(const Header& field) noexcept;
  int decideTransferCoding() noexcept;
  bool clientWantsKeepAlive() const noexcept;
  int pauseForBody() noexcept;
  Header& startField(std::vector<Header>& fields) noexcept;
  void splitTarget() noexcept;

  // Everything the parser tracks about the message being parsed, apart from the Request it
  // builds. A new message replaces it with a fresh value (reset()), so every field, one added
  // later included, starts from its default without being named in a reset. It owns no memory
  // (the static_assert below keeps it so): replacing it is a few stores, never an allocation.
  // Buffers whose capacity should outlive a message belong to Request or to spareFields.
  struct MessageState {
    ParseError error;
    Phase phase = Phase::Head;
    FieldState fieldState = FieldState::None;
    bool inTrailers = false;
    bool headDone = false;

    std::size_t headBytes = 0;      // bytes of the head consumed so far
    std::size_t trailerBytes = 0;   // what the trailer fields cost: see kTrailerFieldOverhead
    std::size_t chunkExtBytes = 0;  // bytes of chunk extensions
    std::uint64_t chunkRemaining = 0;
    // Decoded body bytes so far. The limit counts these, not request.body, which a caller that
    // streams the body empties after each feed.
    std::uint64_t bodyBytes = 0;
    int hostCount = 0;
    bool sawTransferEncoding = false;
    bool connectionClose = false;
    bool connectionKeepAlive = false;

    // The framing scanner: it sees every byte that llhttp consumed except body bytes, across
    // feeds.
    const char* scanFrom = nullptr;    // first byte of the current llhttp_execute not yet scanned
    bool prevCr = false;               // the last framing byte was CR
    bool atLineStart = true;           // the next framing byte starts a line
    bool scanningHead = true;          // the bytes being scanned belong to the head
    bool requestLineDone = false;      // the request line has ended
    std::size_t requestLineBytes = 0;  // bytes of the request line (without CRLF) so far
    int crlfAfterChunkData = 0;        // 2: expect CR, 1: expect LF, 0: nothing expected
    bool framingFailed = false;        // the scanner refused a byte: its error stands
    int chunkSizeDigits = -1;          // digits of the chunk-size being scanned; -1: not in one
  };
  static_assert(std::is_trivially_destructible_v<MessageState>,
                "MessageState is replaced wholesale per message; a buffer kept across messages "
                "belongs in Request or spareFields");

  // What lasts as long as the connection. llhttp keeps its own per-message state inside `http`;
  // llhttp_reset forgets it and keeps the settings and our data pointer.
  Limits limits;
  llhttp_t http{};
  // Header strings from earlier requests, recycled so a keep-alive connection stops allocating.
  std::vector<Header> spareFields;

  // What one message owns: its state, and the Request whose buffers are kept (Request::clear).
  MessageState msg;
  Request request;
};

namespace {

RequestParser::Impl& self(llhttp_t* p) noexcept {
  return *static_cast<RequestParser::Impl*>(p->data);
}

}  // namespace

const llhttp_settings_t& RequestParser::Impl::settings() noexcept {
  static const llhttp_settings_t kSettings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = [](llhttp_t* p) noexcept { return self(p).onMessageBegin(); };
    s.on_method = [](llhttp_t* p, const char* at, std::size_t n) noexcept {
      return self(p).onMethod(at, n);
    };
    s.on_url = [](llhttp_t* p, const char* at, std::size_t n) noexcept {
      return self(p).onUrl(at, n);
    };
    s.on_url_complete = [](llhttp_t* p) noexcept { return self(p).onUrlComplete(); };
    s.on_version_complete = [](llhttp_t* p) noexcept { return self(p).onVersionComplete(); };
    s.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) noexcept {
      return self(p).onHeaderField(at, n);
    };
    s.on_header_field_complete = [](llhttp_t* p) noexcept {
      return self(p).onHeaderFieldComplete();
    };
    s.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) noexcept {
      return self(p).onHeaderValue(at, n);
    };
    s.on_header_value_complete = [](llhttp_t* p) noexcept {
      return self(p).onHeaderValueComplete();
    };
    s.on_headers_complete = [](llhttp_t* p) noexcept { return self(p).onHeadersComplete(); };
    s.on_chunk_header = [](llhttp_t* p) noexcept { return self(p).onChunkHeader(); };
    s.on_chunk_extension_name = [](llhttp_t* p, const char*, std::size_t n) noexcept {
      return self(p).onChunkExtension(n);
    };
    s.on_chunk_extension_value = [](llhttp_t* p, const char*, std::size_t n) noexcept {
      return self(p).onChunkExtension(n);
    };
    s.on_body = [](llhttp_t* p, const char* at, std::size_t n) noexcept {
      return self(p).onBody(at, n);
    };
    s.on_message_complete = [](llhttp_t* p) noexcept { return self(p).onMessageComplete(); };
    return s;
  }();
  return kSettings;
}

// The framing scanner. llhttp 8.1 in its default (non-strict) build accepts a bare LF as a line
// ending in the request line, at the end of the head and in trailers; it takes the byte after a
// CR on an empty line as the LF whatever it is; it takes a CR then any byte as a line ending in
// chunk-size lines; it does not look at the two bytes after chunk data at all; and it joins
// obsolete line folding into the value. RFC 9112 2.2 lets a recipient accept a bare LF; behind a
// proxy that does not, each of these is a smuggling vector, so we reject all of them. Every
// protocol element outside the body ends in CRLF and no line starts with whitespace, which gives
// three rules over all non-body bytes, plus the CRLF that must follow chunk data (RFC 9112 7.1).
bool RequestParser::Impl::scanFraming(const char* begin, const char* end) noexcept {
  for (const char* p = begin; p < end;) {
    if (msg.crlfAfterChunkData == 0 && !msg.prevCr && !msg.atLineStart && msg.chunkSizeDigits < 0) {
      // Inside a line only CR and LF can break a rule, so skip to the next of them: most of a
      // head is field names and values, and this keeps the scan to a compare or two per byte.
      // Two memchr passes (vectorised in libc) beat a byte loop on lines longer than a few bytes.
      const auto* cr =
          static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p)));
      if (cr == nullptr) cr = end;
      const auto* lf =
          static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(cr - p)));
      const char* q = lf != nullptr ? lf : cr;
      if (!msg.requestLineDone) msg.requestLineBytes += static_cast<std::size_t>(q - p);
      p = q;
      if (p == end) break;
    }
    if (!scanByte(*p++)) {
      msg.framingFailed = true;
      return false;
    }
  }
  return true;
}

bool RequestParser::Impl::scanByte(char c) noexcept {
  if (!scanChunkByte(c)) return false;
  if (msg.prevCr && c != '\n') {
    fail(400, kBareCr);  // RFC 9112 2.2: a bare CR must be rejected or replaced.
    return false;
  }
  if (c == '\n') {
    if (!msg.prevCr) {
      fail(400, kBareLf);  // RFC 9112 2.2: we choose not to accept a bare LF as a line end.
      return false;
    }
    msg.prevCr = false;
    msg.atLineStart = true;
    return true;
  }
  msg.prevCr = c == '\r';
  if (msg.prevCr) return endRequestLine();
  if (msg.atLineStart && isOws(c)) {
    // RFC 9112 5.2: obs-fold; a server must reject it (or replace it) in a request. No other
    // line of the head, a chunk-size line or a trailer section starts with whitespace.
    fail(400, msg.scanningHead || msg.inTrailers ? kObsFold : kBadChunk);
    return false;
  }
  msg.atLineStart = false;
  if (!msg.requestLineDone) ++msg.requestLineBytes;
  return true;
}

// The chunk rules llhttp does not keep (RFC 9112 7.1): chunk = chunk-size [ chunk-ext ] CRLF
// chunk-data CRLF, with a chunk-size of at most kMaxChunkSizeDigits digits.
bool RequestParser::Impl::scanChunkByte(char c) noexcept {
  if (msg.chunkSizeDigits >= 0) {
    // The chunk-size ends at its first byte that is not a hex digit (BWS, ';' or CR).
    if (!isHexDigit(c)) {
      msg.chunkSizeDigits = -1;
    } else if (++msg.chunkSizeDigits > kMaxChunkSizeDigits) {
      fail(400, kChunkSizeTooLong);
      return false;
    }
  }
  if (msg.crlfAfterChunkData != 0) {
    const char expected = msg.crlfAfterChunkData == 2 ? '\r' : '\n';
    if (c != expected) {
      fail(400, kBadChunk);
      return false;
    }
    // After the CRLF that ends a chunk's data, the next line starts with a chunk-size.
    if (--msg.crlfAfterChunkData == 0) msg.chunkSizeDigits = 0;
  }
  return true;
}

// A CR was scanned. The first one after a non-empty line ends the request line. RFC 9112 3:
// request-line = method SP request-target SP HTTP-version, with exactly one SP each; llhttp skips
// extra spaces, so the line's length is compared with its parts.
bool RequestParser::Impl::endRequestLine() noexcept {
  if (msg.requestLineDone || msg.requestLineBytes == 0) return true;
  msg.requestLineDone = true;
  const std::size_t expected =
      request.method.size() + 1 + request.target.size() + 1 + std::string_view{"HTTP/1.1"}.size();
  if (msg.requestLineBytes != expected) {
    fail(400, kBadRequestLine);
    return false;
  }
  return true;
}

ParseResult RequestParser::Impl::feed(const char* data, std::size_t len) noexcept {
  switch (msg.phase) {
    case Phase::Failed:
      return {ParseStatus::Error, 0};
    case Phase::Complete:
      return {ParseStatus::MessageComplete, 0};
    case Phase::HeadPaused:
      resumeForBody();
      break;
    case Phase::Head:
    case Phase::Body:
      break;
  }
  if (len == 0) return {ParseStatus::NeedMore, 0};

  // During the head, llhttp never sees more than the bytes the head may still use, so an
  // endless header is cut off at exactly maxHeaderBytes, whatever the read size.
  const bool inHead = msg.phase == Phase::Head;
  const std::size_t given = inHead ? std::min(len, headAllowance()) : len;
  if (given == 0) {
    failHeadTooLarge();
    return failed(0);
  }
  msg.scanFrom = data;
  msg.scanningHead = inHead;
  const Execution run = execute(data, given);
  if (inHead) msg.headBytes += run.consumed;
  scanExecuted(run.scanEnd);
  return outcome(run, inHead && given < len);
}

void RequestParser::Impl::resumeForBody() noexcept {
  llhttp_resume(&http);
  msg.phase = Phase::Body;
  // RFC 9112 7.1: a chunked body starts with a chunk-size line.
  if (request.chunked) msg.chunkSizeDigits = 0;
}

std::size_t RequestParser::Impl::headAllowance() const noexcept {
  return limits.maxHeaderBytes > msg.headBytes ? limits.maxHeaderBytes - msg.headBytes : 0;
}

RequestParser::Impl::Execution RequestParser::Impl::execute(const char* data,
                                                            std::size_t given) noexcept {
  Execution run{llhttp_execute(&http, data, given), given, data + given, '\0'};
  if (run.err == HPE_OK) return run;
  const char* pos = llhttp_get_error_pos(&http);
  run.consumed = pos != nullptr ? static_cast<std::size_t>(pos - data) : 0;
  if (run.consumed < given) run.offending = data[run.consumed];
  // For an error llhttp found itself, include the offending byte: if it is a bare CR or LF,
  // the scanner names the real problem. A refusal by one of our callbacks (error is set) is
  // about the bytes before it, and llhttp rejects an unsupported version once its digits are
  // read, before it looks at the byte that follows.
  const bool byteAtFault = run.err != HPE_PAUSED && msg.error.status == 0 &&
                           !(run.err == HPE_INVALID_VERSION && !versionSupported());
  run.scanEnd = data + (byteAtFault ? std::min(run.consumed + 1, given) : run.consumed);
  return run;
}

void RequestParser::Impl::scanExecuted(const char* scanEnd) noexcept {
  if (msg.framingFailed) return;
  // A callback may have refused the request (an unsupported version, a missing Host) after
  // bytes the scanner has not checked yet. Those bytes came first, so a framing error among
  // them is the first error: it wins, and the answer does not depend on where reads were cut.
  const ParseError refusal = std::exchange(msg.error, ParseError{});
  if (scanFraming(msg.scanFrom, scanEnd)) msg.error = refusal;
}

// headCut: llhttp was given less than the read because the head reached maxHeaderBytes.
ParseResult RequestParser::Impl::outcome(const Execution& run, bool headCut) noexcept {
  if (msg.error.status != 0 || (run.err != HPE_OK && run.err != HPE_PAUSED)) {
    if (msg.error.status == 0) msg.error = llhttpErrorMeaning(run.err, run.offending);
    return failed(run.consumed);
  }
  if (run.err == HPE_PAUSED) {
    // Our callbacks pause in exactly two places: after the head of a request with a body, and at
    // the end of a request.
    return {msg.phase == Phase::Complete ? ParseStatus::MessageComplete : ParseStatus::HeadComplete,
            run.consumed};
  }
  if (headCut) {
    failHeadTooLarge();
    return failed(run.consumed);
  }
  return {ParseStatus::NeedMore, run.consumed};
}

// An error llhttp found itself: each is a request that does not match the grammar of RFC 9112,
// which makes it a 400 (RFC 9110 15.5.1) unless a more precise status fits.
ParseError RequestParser::Impl::llhttpErrorMeaning(llhttp_errno_t err,
                                                   char offending) const noexcept {
  switch (err) {
    case HPE_INVALID_VERSION:
      // llhttp reports both "HTTP/1.2" (a version it parsed but does not support) and
      // "HTTP/1.10" (not a version at all) this way; only the former earns a 505.
      return versionSupported() ? ParseError{400, kBadRequestLine} : ParseError{505, kBadVersion};
    case HPE_INVALID_METHOD:
      // RFC 9110 9.1 suggests 501 for a method the server does not recognise, but llhttp knows
      // the registered methods only and stops at the first byte that leaves them, so it cannot
      // tell an unknown method from a malformed request line ("get", a stray byte): 400.
      return {400, kBadMethod};
    case HPE_INVALID_URL:
      return {400, kBadTarget};  // RFC 9112 3.2
    case HPE_INVALID_CONSTANT:
      return {400, kBadRequestLine};  // RFC 9112 2.3: HTTP-version is "HTTP/" DIGIT "." DIGIT
    case HPE_INVALID_HEADER_TOKEN:
      if (msg.fieldState == FieldState::Value) return {400, kBadHeaderValue};
      // RFC 9112 5.1: llhttp keeps a space before the colon in the name (caught in
      // onHeaderFieldComplete) but stops at a tab; both are the same violation.
      return {400, isOws(offending) ? kSpaceBeforeColon : kBadHeaderName};
    case HPE_UNEXPECTED_CONTENT_LENGTH:
      return {400, kClAndTe};  // RFC 9112 6.1, as in onHeaderFieldComplete
    case HPE_INVALID_CONTENT_LENGTH:
      // RFC 9112 6.3 item 5. Includes "5, 6" and "5,5": llhttp accepts digits only, which is
      // our rule too.
      return {400, kBadCl};
    case HPE_INVALID_TRANSFER_ENCODING:
      return {400, kChunkedNotLast};  // RFC 9112 6.3 item 4
    case HPE_INVALID_CHUNK_SIZE:
    case HPE_STRICT:
      return {400, kBadChunk};  // RFC 9112 7.1
    default:
      return {400, kMalformed};
  }
}

Header& RequestParser::Impl::startField(std::vector<Header>& fields) noexcept {
  if (!spareFields.empty()) {
    fields.push_back(std::move(spareFields.back()));
    spareFields.pop_back();
    fields.back().name.clear();
    fields.back().value.clear();
  } else {
    fields.emplace_back();
  }
  return fields.back();
}

int RequestParser::Impl::onMessageBegin() noexcept {
  return 0;
}

int RequestParser::Impl::onMethod(const char* at, std::size_t n) noexcept {
  request.method.append(at, n);
  return 0;
}

int RequestParser::Impl::onUrl(const char* at, std::size_t n) noexcept {
  request.target.append(at, n);
  return 0;
}

int RequestParser::Impl::onUrlComplete() noexcept {
  // RFC 9112 3.2: request-target is built from URI characters (RFC 3986), all visible ASCII.
  // llhttp 8.1 lets HTAB and bytes above 0x7F through.
  for (const char c : request.target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return fail(400, kBadTarget);
  }
  splitTarget();
  return 0;
}

void RequestParser::Impl::splitTarget() noexcept {
  std::string_view t = request.target;
  const std::size_t q = t.find('?');
  if (q != std::string_view::npos) request.query.assign(t.substr(q + 1));
  t = t.substr(0, q);
  // RFC 9112 3.2.2: a server must accept the absolute-form; its path follows the authority.
  if (!t.empty() && t.front() != '/') {
    const std::size_t scheme = t.find("://");
    if (scheme != std::string_view::npos) {
      const std::size_t slash = t.find('/', scheme + 3);
      t = slash == std::string_view::npos ? std::string_view{"/"} : t.substr(slash);
    }
  }
  request.path.assign(t);
}

int RequestParser::Impl::onVersionComplete() noexcept {
  request.versionMajor = http.http_major;
  request.versionMinor = http.http_minor;
  // RFC 9110 15.6.6: 505 for a major version we do not support. llhttp 8.1 accepts 0.9 and 2.0
  // in a request line, neither of which can be answered on this connection.
  if (!versionSupported()) return fail(505, kBadVersion);
  return 0;
}

int RequestParser::Impl::chargeTrailer(std::size_t bytes) noexcept {
  // RFC 6585 5: 431 for header fields too large, collectively; trailer fields are header fields
  // sent after the body (RFC 9110 6.5), and they share the head's budget.
  msg.trailerBytes += bytes;
  if (msg.headBytes + msg.trailerBytes > limits.maxHeaderBytes) return fail(431, kTrailersTooLarge);
  return 0;
}

int RequestParser::Impl::onHeaderField(const char* at, std::size_t n) noexcept {
  if (msg.fieldState != FieldState::Name) {
    if (msg.inTrailers && chargeTrailer(kTrailerFieldOverhead) != 0) return HPE_USER;
    startField(msg.inTrailers ? request.trailers : request.headers);
    msg.fieldState = FieldState::Name;
  }
  if (msg.inTrailers && chargeTrailer(n) != 0) return HPE_USER;
  (msg.inTrailers ? request.trailers : request.headers).back().name.append(at, n);
  return 0;
}

int RequestParser::Impl::onHeaderFieldComplete() noexcept {
  // llhttp fires this for an empty name too (": x"); make sure a field exists to check.
  std::vector<Header>& fields = msg.inTrailers ? request.trailers : request.headers;
  if (msg.fieldState != FieldState::Name) startField(fields);
  msg.fieldState = FieldState::Value;
  const std::string& name = fields.back().name;
  // RFC 9110 5.1: a field name is a token, so it is neither empty nor holds anything but tchar.
  if (name.empty()) return fail(400, kBadHeaderName);
  if (isOws(name.back())) {
    // RFC 9112 5.1: no whitespace is allowed between the field name and the colon; a server
    // must reject such a request with 400. llhttp 8.1 keeps the space as part of the name.
    return fail(400, kSpaceBeforeColon);
  }
  for (const char c : name) {
    if (!isTchar(c)) return fail(400, kBadHeaderName);
  }
  if (msg.inTrailers) return 0;  // RFC 9110 6.5.1: trailers never change the framing.

  // Smuggling checks are made here, at the colon, before llhttp looks at the value.
  if (equalsIgnoreCase(name, "content-length")) {
    // RFC 9112 6.3: differing Content-Length values are an unrecoverable error. We reject
    // identical duplicates too: a proxy in front may have merged or picked one of them.
    if (request.contentLength) return fail(400, kDuplicateCl);
    // RFC 9112 6.1: a server may reject a request with both; behind a proxy it must.
    if (msg.sawTransferEncoding) return fail(400, kClAndTe);
  } else if (equalsIgnoreCase(name, "transfer-encoding")) {
    if (request.contentLength) return fail(400, kClAndTe);
  }
  return 0;
}

int RequestParser::Impl::onHeaderValue(const char* at, std::size_t n) noexcept {
  if (msg.inTrailers && chargeTrailer(n) != 0) return HPE_USER;
  (msg.inTrailers ? request.trailers : request.headers).back().value.append(at, n);
  return 0;
}

int RequestParser::Impl::onHeaderValueComplete() noexcept {
  msg.fieldState = FieldState::None;
  Header& field = (msg.inTrailers ? request.trailers : request.headers).back();
  // llhttp strips the leading OWS but keeps the trailing OWS (RFC 9112 5: it is not part of the
  // value).
  std::string& value = field.value;
  while (!value.empty() && isOws(value.back())) value.pop_back();
  // RFC 9110 5.5: field-vchar, obs-text, SP and HTAB only. CR, LF and NUL must be rejected;
  // we reject every other control byte as well.
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7F) return fail(400, kBadHeaderValue);
  }
  if (msg.inTrailers) return 0;  // RFC 9110 6.5.1: trailers never change the framing.
  return recordHeadField(field);
}

// Notes what a header field of the head tells the parser about the message.
int RequestParser::Impl::recordHeadField(const Header& field) noexcept {
  const std::string& name = field.name;
  const std::string& value = field.value;
  if (equalsIgnoreCase(name, "host")) {
    // RFC 9112 3.2: a request with more than one Host field line gets a 400.
    if (++msg.hostCount > 1) return fail(400, kMultipleHost);
  } else if (equalsIgnoreCase(name, "content-length")) {
    // RFC 9112 6.3 item 5: 1*DIGIT, nothing else (llhttp checked the bytes as well).
    std::uint64_t n = 0;
    const char* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(value.data(), end, n);
    if (value.empty() || ec != std::errc{} || ptr != end) return fail(400, kBadCl);
    request.contentLength = n;
  } else if (equalsIgnoreCase(name, "transfer-encoding")) {
    // RFC 9112 6.1 / 7: collect the codings; the decision is made once the head is complete,
    // because the list may span several field lines.
    msg.sawTransferEncoding = true;
  } else if (equalsIgnoreCase(name, "connection")) {
    // RFC 9112 9.3: connection options are case-insensitive tokens in a comma list.
    forEachListElement(value, [this](std::string_view token) {
      if (equalsIgnoreCase(token, "close")) msg.connectionClose = true;
      if (equalsIgnoreCase(token, "keep-alive")) msg.connectionKeepAlive = true;
    });
  } else if (equalsIgnoreCase(name, "expect")) {
    // RFC 9110 10.1.1: 100-continue is the only expectation defined; it is case-insensitive. A
    // server must ignore it in an HTTP/1.0 request: a 1.0 client cannot know 1xx answers.
    if (request.versionMinor >= 1 && equalsIgnoreCase(value, "100-continue")) {
      request.expectContinue = true;
    }
  }
  return 0;
}

int RequestParser::Impl::onHeadersComplete() noexcept {
  if (msg.inTrailers) return 0;
  // RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request that lacks a Host field.
  if (request.versionMinor == 1 && msg.hostCount == 0) return fail(400, kMissingHost);
  if (msg.sawTransferEncoding && decideTransferCoding() != 0) return HPE_USER;
  if (request.contentLength && *request.contentLength > limits.maxBodyBytes) {
    // RFC 9110 15.5.14: 413, refused before a single body byte is read.
    return fail(413, kBodyTooLarge);
  }
  request.keepAlive = clientWantsKeepAlive();
  // We never switch protocols (RFC 9110 7.8 lets a server ignore Upgrade), and a CONNECT gets an
  // ordinary response (RFC 9110 9.3.6: only a 2xx turns the connection into a tunnel); either way
  // the bytes that follow are parsed as HTTP, so tell llhttp.
  http.upgrade = 0;
  msg.headDone = true;
  const bool hasBody = request.chunked || (request.contentLength && *request.contentLength > 0);
  return hasBody ? pauseForBody() : 0;
}

// The head has a Transfer-Encoding: decides whether its codings frame a body we can read.
int RequestParser::Impl::decideTransferCoding() noexcept {
  if (request.versionMinor == 0) {
    // RFC 9112 6.1: HTTP/1.0 has no transfer codings, so a Transfer-Encoding in a 1.0 message
    // means its framing is faulty; the recipient must not keep the connection after it. The RFC
    // lets a server process the message first; we refuse it, as nginx does, because its body is
    // exactly what a 1.0 intermediary in front would have framed some other way.
    return fail(400, kTeInHttp10);
  }
  // RFC 9112 6.3 item 4: if chunked is not the final coding of a request, its length cannot be
  // known: 400. RFC 9112 7: chunked must not be applied twice. RFC 9112 6.1: a coding we do not
  // implement (we implement only chunked) earns a 501.
  int codings = 0;
  int chunkedCount = 0;
  bool lastIsChunked = false;
  for (const Header& h : request.headers) {
    if (!equalsIgnoreCase(h.name, "transfer-encoding")) continue;
    forEachListElement(h.value, [&](std::string_view coding) {
      ++codings;
      lastIsChunked = equalsIgnoreCase(coding, "chunked");
      if (lastIsChunked) ++chunkedCount;
    });
  }
  if (codings == 0) return fail(400, kBadTe);
  if (!lastIsChunked || chunkedCount > 1) return fail(400, kChunkedNotLast);
  if (codings > 1) return fail(501, kUnknownCoding);
  request.chunked = true;
  return 0;
}

// Request::keepAlive says what the client asked for and why (RFC 9112 9.3).
bool RequestParser::Impl::clientWantsKeepAlive() const noexcept {
  const bool isConnect = request.method == "CONNECT";
  return !isConnect && !msg.connectionClose &&
         (request.versionMinor == 1 || msg.connectionKeepAlive);
}

// Stops llhttp after the head of a request with a body, so the caller may answer an Expect
// (RFC 9110 10.1.1) before the body is read.
int RequestParser::Impl::pauseForBody() noexcept {
  if (request.contentLength) {
    // Reserve for the announced body, but only up to 64 KiB: a client that announces a large
    // body and sends nothing must not make us hold memory it has not paid for in bytes.
    constexpr std::uint64_t kMaxReserve = 64 * 1024;
    request.body.reserve(static_cast<std::size_t>(std::min(*request.contentLength, kMaxReserve)));
  }
  msg.phase = Phase::HeadPaused;
  return HPE_PAUSED;
}

int RequestParser::Impl::onChunkHeader() noexcept {
  const std::uint64_t size = http.content_length;
  // RFC 9112 7.1: the chunk sizes add up to the body; refuse as soon as the total would exceed
  // the limit, before the chunk's bytes arrive.
  if (size > limits.maxBodyBytes - std::min<std::uint64_t>(msg.bodyBytes, limits.maxBodyBytes)) {
    return fail(413, kBodyTooLarge);
  }
  msg.chunkRemaining = size;
  if (size == 0) msg.inTrailers = true;  // The last chunk: trailer fields may follow.
  return 0;
}

int RequestParser::Impl::onChunkExtension(std::size_t n) noexcept {
  // We ignore chunk extensions (RFC 9112 7.1.1), but their length must still be bounded.
  msg.chunkExtBytes += n;
  if (msg.chunkExtBytes > limits.maxHeaderBytes) return fail(400, kChunkExtTooLarge);
  return 0;
}

int RequestParser::Impl::onBody(const char* at, std::size_t n) noexcept {
  // Body bytes are data, not framing: scan the framing before them, then skip them.
  if (!scanFraming(msg.scanFrom, at)) return HPE_USER;
  msg.scanFrom = at + n;
  if (msg.bodyBytes + n > limits.maxBodyBytes) return fail(413, kBodyTooLarge);
  msg.bodyBytes += n;
  request.body.append(at, n);
  if (request.chunked) {
    msg.chunkRemaining -= std::min<std::uint64_t>(msg.chunkRemaining, n);
    if (msg.chunkRemaining == 0) msg.crlfAfterChunkData = 2;
  }
  return 0;
}

int RequestParser::Impl::onMessageComplete() noexcept {
  // The framing scanner has not yet seen the last bytes of this request (for example the end
  // of a chunked body); feed() scans them before it reports MessageComplete.
  msg.phase = Phase::Complete;
  return HPE_PAUSED;
}

void RequestParser::Impl::reset() noexcept {
  // Keep the header strings for the next request instead of freeing them.
  for (std::vector<Header>* fields : {&request.headers, &request.trailers}) {
    for (Header& h : *fields) spareFields.push_back(std::move(h));
  }
  request.clear();
  msg = MessageState{};
  // llhttp_reset keeps the settings and our data pointer but forgets any error or pause.
  llhttp_reset(&http);
}

RequestParser::RequestParser(const Limits& limits) : impl_(std::make_unique<Impl>(limits)) {}

RequestParser::~RequestParser() = default;

ParseResult RequestParser::feed(const char* data, std::size_t len) noexcept {
  return impl_->feed(data, len);
}

const Request& RequestParser::request() const noexcept {
  return impl_->request;
}

Request& RequestParser::request() noexcept {
  return impl_->request;
}

ParseError RequestParser::error() const noexcept {
  return impl_->msg.error;
}

bool RequestParser::inProgress() const noexcept {
  return impl_->msg.headBytes > 0;
}

bool RequestParser::headComplete() const noexcept {
  return impl_->msg.headDone;
}

std::size_t RequestParser::headerBytes() const noexcept {
  return impl_->msg.headBytes;
}

void RequestParser::reset() noexcept {
  impl_->reset();
}

}  // namespace closewise::protocol
