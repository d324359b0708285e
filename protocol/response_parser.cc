#include "protocol/response_parser.h"

#include <llhttp.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <utility>

#include "protocol/field_syntax.h"
#include "protocol/response_framing.h"

namespace closewise::protocol {

namespace {

// Reasons are static strings: error() hands out a string_view of them.
constexpr std::string_view kNoRequest = "no response expected";
constexpr std::string_view kBadStatusLine = "malformed status line";
constexpr std::string_view kBadStatus = "invalid status code";
constexpr std::string_view kBadReason = "invalid character in reason phrase";
constexpr std::string_view kBadVersion = "unsupported http version";
constexpr std::string_view kBadHeaderName = "invalid header name";
constexpr std::string_view kBadHeaderValue = "invalid character in header value";
constexpr std::string_view kClAndTe = "both content-length and transfer-encoding";
constexpr std::string_view kDuplicateCl = "more than one content-length";
constexpr std::string_view kBadCl = "invalid content-length";
constexpr std::string_view kNotChunked = "transfer coding other than chunked";
constexpr std::string_view kTeInHttp10 = "transfer-encoding in an http/1.0 response";
constexpr std::string_view kUnreadableTe = "transfer-encoding llhttp does not read as chunked";
constexpr std::string_view kHeadTooLarge = "header section too large";
constexpr std::string_view kBadChunk = "invalid chunk framing";
constexpr std::string_view kClosedBeforeResponse = "connection closed before the response";
constexpr std::string_view kTruncated = "connection closed inside the response";
constexpr std::string_view kMalformed = "malformed response";

// llhttp computes data + len: never hand it a null pointer, even with nothing to parse.
constexpr char kNothing[1] = {};

}  // namespace

const std::string* Response::header(std::string_view name) const noexcept {
  for (const Header& h : headers) {
    if (equalsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

struct ResponseParser::Impl {
  enum class Phase : std::uint8_t {
    Idle,      // no expect() yet: no response is due
    Head,      // reading a head, interim or final
    Interim,   // an interim head was reported; the next feed starts the next head
    Body,      // the final head was reported; its body, if any, follows
    Complete,  // the response ended
    Failed
  };
  enum class FieldState : std::uint8_t { None, Name, Value };

  explicit Impl(const ResponseLimits& l) noexcept : limits(l) {
    llhttp_init(&http, HTTP_RESPONSE, &settings());
    http.data = this;
  }

  static const llhttp_settings_t& settings() noexcept;

  void expect(std::string_view method) noexcept;
  void startNextHead() noexcept;
  ResponseResult feed(const char* data, std::size_t len) noexcept;
  ResponseResult run(const char* data, std::size_t len) noexcept;
  ResponseResult afterPause(std::size_t consumed) noexcept;
  ResponseResult complete(std::size_t consumed) noexcept;
  ResponseStatus finish() noexcept;

  // --- llhttp callbacks (reached through the noexcept thunks below) ---
  int onVersionComplete() noexcept;
  int onStatus(const char* at, std::size_t n) noexcept;
  int onStatusComplete() noexcept;
  int onHeaderField(const char* at, std::size_t n) noexcept;
  int onHeaderFieldComplete() noexcept;
  int onHeaderValue(const char* at, std::size_t n) noexcept;
  int onHeaderValueComplete() noexcept;
  int onHeadersComplete() noexcept;
  int onChunkHeader() noexcept;
  int onBody(const char* at, std::size_t n) noexcept;
  int onMessageComplete() noexcept;

  // The first failure wins: it is the one the bytes showed first.
  int fail(std::string_view reason) noexcept {
    if (error.empty()) error = reason;
    return HPE_USER;
  }
  int checkFraming() noexcept;
  ResponseFraming framingOf() const noexcept;
  void mapLlhttpError(llhttp_errno_t err) noexcept;
  std::vector<Header>& fields() noexcept {
    return inTrailers ? response.trailers : response.headers;
  }
  Header& startField() noexcept;

  ResponseLimits limits;
  llhttp_t http{};
  Response response;
  std::string_view error = kNoRequest;
  std::string_view body;  // the piece of body reported by the last feed
  Phase phase = Phase::Idle;
  bool paused = false;       // llhttp stopped in one of our callbacks; resume before parsing on
  bool messageDone = false;  // on_message_complete fired and was not reported yet
  bool keepAlive = false;
  bool anyByte = false;

  // What the request asked for, from expect().
  bool headRequest = false;
  bool connectRequest = false;

  // The head being parsed.
  FieldState fieldState = FieldState::None;
  bool interim = false;  // a 1xx head other than 101
  bool inTrailers = false;
  bool sawTransferEncoding = false;
  bool connectionClose = false;
  bool connectionKeepAlive = false;
  std::size_t headBytes = 0;  // bytes of every head of this exchange so far

  ResponseFramingScanner scanner;

  // Header strings from earlier responses, recycled so a pooled connection stops allocating.
  std::vector<Header> spareFields;
};

namespace {

ResponseParser::Impl& self(llhttp_t* p) noexcept {
  return *static_cast<ResponseParser::Impl*>(p->data);
}

}  // namespace

const llhttp_settings_t& ResponseParser::Impl::settings() noexcept {
  static const llhttp_settings_t kSettings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_version_complete = [](llhttp_t* p) noexcept { return self(p).onVersionComplete(); };
    s.on_status = [](llhttp_t* p, const char* at, std::size_t n) noexcept {
      return self(p).onStatus(at, n);
    };
    s.on_status_complete = [](llhttp_t* p) noexcept { return self(p).onStatusComplete(); };
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
    s.on_body = [](llhttp_t* p, const char* at, std::size_t n) noexcept {
      return self(p).onBody(at, n);
    };
    s.on_message_complete = [](llhttp_t* p) noexcept { return self(p).onMessageComplete(); };
    return s;
  }();
  return kSettings;
}

// ---- Feeding ----

void ResponseParser::Impl::expect(std::string_view method) noexcept {
  headRequest = method == "HEAD";
  connectRequest = method == "CONNECT";
  anyByte = false;
  headBytes = 0;
  keepAlive = false;
  startNextHead();
}

// Forgets the head parsed so far (an interim one, or the previous response's) but keeps the
// exchange: the method, whether a byte arrived, and the header budget spent.
void ResponseParser::Impl::startNextHead() noexcept {
  for (std::vector<Header>* list : {&response.headers, &response.trailers}) {
    for (Header& h : *list) spareFields.push_back(std::move(h));
    list->clear();
  }
  response.status = 0;
  response.reason.clear();
  response.versionMajor = 1;
  response.versionMinor = 1;
  response.contentLength.reset();
  response.framing = ResponseFraming::None;
  error = {};
  body = {};
  phase = Phase::Head;
  paused = false;
  messageDone = false;
  fieldState = FieldState::None;
  interim = false;
  inTrailers = false;
  sawTransferEncoding = false;
  connectionClose = false;
  connectionKeepAlive = false;
  scanner.startHead();
  // llhttp_reset keeps the settings and our data pointer but forgets any error or pause.
  llhttp_reset(&http);
}

ResponseResult ResponseParser::Impl::feed(const char* data, std::size_t len) noexcept {
  switch (phase) {
    case Phase::Idle:
    case Phase::Failed:
      return {ResponseStatus::Error, 0};
    case Phase::Complete:
      return {ResponseStatus::MessageComplete, 0};
    case Phase::Interim:
      startNextHead();
      break;
    case Phase::Head:
    case Phase::Body:
      break;
  }
  if (len > 0) anyByte = true;
  // A response without a body ended with its head, which was reported first.
  if (messageDone) return complete(0);
  return run(data != nullptr ? data : kNothing, len);
}

ResponseResult ResponseParser::Impl::run(const char* data, std::size_t len) noexcept {
  body = {};
  if (paused) {
    // Even with no new bytes: llhttp may have a step to take, such as ending a body whose last
    // byte was the piece just reported.
    llhttp_resume(&http);
    paused = false;
  } else if (len == 0) {
    return {ResponseStatus::NeedMore, 0};
  }

  // During a head, llhttp never sees more than the bytes the heads may still use, so an endless
  // header section is cut off at exactly maxHeaderBytes, whatever the read size.
  const bool inHead = phase == Phase::Head;
  std::size_t given = len;
  if (inHead) {
    const std::size_t allowance =
        limits.maxHeaderBytes > headBytes ? limits.maxHeaderBytes - headBytes : 0;
    given = std::min(len, allowance);
    if (given == 0) {
      fail(kHeadTooLarge);
      phase = Phase::Failed;
      return {ResponseStatus::Error, 0};
    }
  }

  // The scanner passes the bytes first and llhttp parses no further than it did: the head, and
  // the framing of a chunked body. Other bodies are data only.
  const bool scanned = inHead || response.framing == ResponseFraming::Chunked;
  const std::size_t passed = scanned ? scanner.scan(data, given) : given;
  const llhttp_errno_t err = llhttp_execute(&http, data, passed);
  std::size_t consumed = passed;
  if (err != HPE_OK) {
    const char* pos = llhttp_get_error_pos(&http);
    consumed = pos != nullptr ? static_cast<std::size_t>(pos - data) : 0;
  }
  if (inHead) headBytes += consumed;

  if (err != HPE_OK && err != HPE_PAUSED) {
    if (error.empty()) mapLlhttpError(err);
    phase = Phase::Failed;
    return {ResponseStatus::Error, consumed};
  }
  // The scanner stops at the first pause point or bad byte, whichever comes first: llhttp
  // cannot have paused before a bad byte.
  assert(err == HPE_OK || scanner.error().empty());
  if (err == HPE_PAUSED) {
    paused = true;
    return afterPause(consumed);
  }
  if (!scanner.error().empty() || (inHead && given < len)) {
    fail(scanner.error().empty() ? kHeadTooLarge : scanner.error());
    phase = Phase::Failed;
    return {ResponseStatus::Error, consumed};
  }
  return {ResponseStatus::NeedMore, consumed};
}

// Our callbacks pause llhttp in three places: after a piece of body, after a head that a body
// follows, and at the end of a response (which, for a response without a body, is also the end
// of its head: the head is reported first and the end on the next feed).
ResponseResult ResponseParser::Impl::afterPause(std::size_t consumed) noexcept {
  if (!body.empty()) return {ResponseStatus::Body, consumed};
  if (phase == Phase::Head) {
    if (interim) {
      phase = Phase::Interim;
      return {ResponseStatus::Interim, consumed};
    }
    phase = Phase::Body;
    if (response.framing == ResponseFraming::Chunked) {
      // The trailer section gets what the heads left of the header budget; the chunk
      // extensions as much as a whole head.
      scanner.startChunkedBody(limits.maxHeaderBytes - headBytes, limits.maxHeaderBytes);
    }
    return {ResponseStatus::HeadComplete, consumed};
  }
  return complete(consumed);
}

ResponseResult ResponseParser::Impl::complete(std::size_t consumed) noexcept {
  phase = Phase::Complete;
  messageDone = false;
  const bool persistent = !connectionClose && (response.versionMinor == 1 || connectionKeepAlive);
  const bool stillHttp = response.status != 101 && !(connectRequest && response.status / 100 == 2);
  keepAlive = persistent && stillHttp && response.framing != ResponseFraming::UntilClose;
  return {ResponseStatus::MessageComplete, consumed};
}

ResponseStatus ResponseParser::Impl::finish() noexcept {
  switch (phase) {
    case Phase::Idle:
    case Phase::Failed:
      return ResponseStatus::Error;
    case Phase::Complete:
      keepAlive = false;
      return ResponseStatus::MessageComplete;
    case Phase::Body:
      // RFC 9112 6.3 rule 8: a body without Content-Length or chunked coding ends when the
      // upstream closes. Its framing is known, so no llhttp_finish is needed to say so.
      if (messageDone || response.framing == ResponseFraming::UntilClose) {
        complete(0);
        keepAlive = false;
        return ResponseStatus::MessageComplete;
      }
      break;
    case Phase::Head:
    case Phase::Interim:
      break;
  }
  // RFC 9112 8: a message cut short by a close is incomplete and must not be taken for a whole
  // one. Before any byte, the request may not even have been read (see anyByteReceived()).
  fail(anyByte ? kTruncated : kClosedBeforeResponse);
  phase = Phase::Failed;
  return ResponseStatus::Error;
}

// ---- Errors and the llhttp callbacks ----

void ResponseParser::Impl::mapLlhttpError(llhttp_errno_t err) noexcept {
  switch (err) {
    case HPE_INVALID_VERSION:
      fail(kBadVersion);
      return;
    case HPE_INVALID_CONSTANT:
      fail(kBadStatusLine);
      return;
    case HPE_INVALID_STATUS:
      fail(kBadStatus);
      return;
    case HPE_INVALID_HEADER_TOKEN:
      fail(fieldState == FieldState::Value ? kBadHeaderValue : kBadHeaderName);
      return;
    case HPE_UNEXPECTED_CONTENT_LENGTH:
      // RFC 9112 6.3 rule 3: both "ought to be handled as an error" (response splitting), and
      // llhttp refuses them in either order.
      fail(kClAndTe);
      return;
    case HPE_INVALID_CONTENT_LENGTH:
      // Includes "5, 5": llhttp accepts digits only, which is our rule too.
      fail(kBadCl);
      return;
    case HPE_INVALID_TRANSFER_ENCODING:
      fail(kNotChunked);
      return;
    case HPE_INVALID_CHUNK_SIZE:
    case HPE_STRICT:
      fail(kBadChunk);
      return;
    default:
      fail(kMalformed);
      return;
  }
}

Header& ResponseParser::Impl::startField() noexcept {
  std::vector<Header>& list = fields();
  if (!spareFields.empty()) {
    list.push_back(std::move(spareFields.back()));
    spareFields.pop_back();
    list.back().name.clear();
    list.back().value.clear();
  } else {
    list.emplace_back();
  }
  return list.back();
}

int ResponseParser::Impl::onVersionComplete() noexcept {
  response.versionMajor = http.http_major;
  response.versionMinor = http.http_minor;
  // llhttp accepts 0.9 and 2.0 in a status line; neither can come on an HTTP/1.1 connection.
  if (!(http.http_major == 1 && (http.http_minor == 0 || http.http_minor == 1))) {
    return fail(kBadVersion);
  }
  return 0;
}

int ResponseParser::Impl::onStatus(const char* at, std::size_t n) noexcept {
  response.reason.append(at, n);
  return 0;
}

int ResponseParser::Impl::onStatusComplete() noexcept {
  // RFC 9110 15: a status code is three digits, and only 1xx to 5xx are defined classes; a
  // client cannot know what a 099 or a 600 means, nor how its body is framed.
  if (http.status_code < 100 || http.status_code > 599) return fail(kBadStatus);
  response.status = http.status_code;
  // RFC 9112 4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ).
  for (const char c : response.reason) {
    if (!isFieldValueByte(c)) return fail(kBadReason);
  }
  return 0;
}

int ResponseParser::Impl::onHeaderField(const char* at, std::size_t n) noexcept {
  if (fieldState != FieldState::Name) {
    startField();
    fieldState = FieldState::Name;
  }
  fields().back().name.append(at, n);
  return 0;
}

int ResponseParser::Impl::onHeaderFieldComplete() noexcept {
  // llhttp fires this for an empty name too (": x"); make sure a field exists to check.
  if (fieldState != FieldState::Name) startField();
  fieldState = FieldState::Value;
  const std::string& name = fields().back().name;
  if (!isToken(name)) return fail(kBadHeaderName);
  if (inTrailers) return 0;  // RFC 9110 6.5.1: trailers never change the framing.

  // RFC 9112 6.3 rule 5: differing Content-Length values are an unrecoverable error;
  // identical ones may be rejected too (RFC 9110 8.6). llhttp rejects any second field, but as
  // if it were the Transfer-Encoding conflict: this check, at the colon, names it first.
  if (equalsIgnoreCase(name, "content-length") && response.contentLength) {
    return fail(kDuplicateCl);
  }
  if (equalsIgnoreCase(name, "transfer-encoding")) sawTransferEncoding = true;
  return 0;
}

int ResponseParser::Impl::onHeaderValue(const char* at, std::size_t n) noexcept {
  fields().back().value.append(at, n);
  return 0;
}

int ResponseParser::Impl::onHeaderValueComplete() noexcept {
  fieldState = FieldState::None;
  Header& field = fields().back();
  // llhttp strips the leading OWS but keeps the trailing OWS (RFC 9112 5: not part of the
  // value). It has checked the bytes: field-vchar, obs-text, SP and HTAB (RFC 9110 5.5).
  std::string& value = field.value;
  while (!value.empty() && isOws(value.back())) value.pop_back();
  if (inTrailers) return 0;

  const std::string& name = field.name;
  if (equalsIgnoreCase(name, "content-length")) {
    // RFC 9112 6.3 rule 5: 1*DIGIT, nothing else (llhttp checked the bytes as well).
    std::uint64_t n = 0;
    const char* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(value.data(), end, n);
    if (value.empty() || ec != std::errc{} || ptr != end) return fail(kBadCl);
    response.contentLength = n;
  } else if (equalsIgnoreCase(name, "connection")) {
    // RFC 9112 9.3: connection options are case-insensitive tokens in a comma list.
    forEachListElement(value, [this](std::string_view option) {
      if (equalsIgnoreCase(option, "close")) connectionClose = true;
      if (equalsIgnoreCase(option, "keep-alive")) connectionKeepAlive = true;
    });
  }
  return 0;
}

// The transfer codings, which may span several field lines, are checked once the head is
// complete. We send no TE field, so the only coding a server may apply is chunked (RFC 9112
// 7.4), and only once (RFC 9112 7). Any other, such as gzip, would make the body close-delimited
// (RFC 9112 6.3 rule 4) and its bytes coded in a way the caller does not expect: an error.
int ResponseParser::Impl::checkFraming() noexcept {
  if (!sawTransferEncoding) return 0;
  // RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
  if (response.versionMinor == 0) return fail(kTeInHttp10);
  int codings = 0;
  bool chunked = false;
  for (const Header& h : response.headers) {
    if (!equalsIgnoreCase(h.name, "transfer-encoding")) continue;
    forEachListElement(h.value, [&](std::string_view coding) {
      ++codings;
      chunked = equalsIgnoreCase(coding, "chunked");
    });
  }
  if (codings != 1 || !chunked) return fail(kNotChunked);
  // llhttp 8.1 recognises chunked by its own reading of the field, which takes
  // "chunked<HTAB>" for another coding and would read the body until close: a body two parsers
  // frame differently is refused, not guessed at.
  if ((http.flags & F_CHUNKED) == 0) return fail(kUnreadableTe);
  return 0;
}

// RFC 9112 6.3, in its order: rules 1 and 2 (no body whatever the fields say), then 4, 5 and 8.
ResponseFraming ResponseParser::Impl::framingOf() const noexcept {
  const int s = response.status;
  if (headRequest || s < 200 || s == 204 || s == 304) return ResponseFraming::None;
  if (connectRequest && s / 100 == 2) return ResponseFraming::None;  // a tunnel starts here
  if (sawTransferEncoding) return ResponseFraming::Chunked;          // checkFraming: only chunked
  if (response.contentLength) {
    return *response.contentLength > 0 ? ResponseFraming::ContentLength : ResponseFraming::None;
  }
  return ResponseFraming::UntilClose;
}

int ResponseParser::Impl::onHeadersComplete() noexcept {
  if (inTrailers) return 0;
  if (const int rc = checkFraming(); rc != 0) return rc;
  // RFC 9110 15.2: a 1xx other than 101 is interim; the final response follows on the same
  // connection. 101 is final: the caller decides what the bytes after it are.
  interim = response.status < 200 && response.status != 101;
  response.framing = framingOf();
  // Return values of on_headers_complete: 1 tells llhttp there is no body (it would otherwise
  // read one announced by the Content-Length of a 304, or of any response to HEAD); pausing
  // lets the caller see the head before the first byte of body.
  return response.framing == ResponseFraming::None ? 1 : HPE_PAUSED;
}

int ResponseParser::Impl::onChunkHeader() noexcept {
  if (http.content_length == 0) inTrailers = true;  // The last chunk: trailer fields may follow.
  return 0;
}

int ResponseParser::Impl::onBody(const char* at, std::size_t n) noexcept {
  // llhttp flushes an open body span at the end of every execute, even an empty one.
  if (n == 0) return 0;
  body = {at, n};
  return HPE_PAUSED;  // The caller forwards this piece before parsing goes on.
}

int ResponseParser::Impl::onMessageComplete() noexcept {
  messageDone = true;
  return HPE_PAUSED;
}

// ---- The public face ----

ResponseParser::ResponseParser(const ResponseLimits& limits)
    : impl_(std::make_unique<Impl>(limits)) {}

ResponseParser::~ResponseParser() = default;

void ResponseParser::expect(std::string_view method) noexcept {
  impl_->expect(method);
}

ResponseResult ResponseParser::feed(const char* data, std::size_t len) noexcept {
  return impl_->feed(data, len);
}

ResponseStatus ResponseParser::finish() noexcept {
  return impl_->finish();
}

const Response& ResponseParser::response() const noexcept {
  return impl_->response;
}

std::string_view ResponseParser::body() const noexcept {
  return impl_->body;
}

std::string_view ResponseParser::error() const noexcept {
  return impl_->error;
}

bool ResponseParser::keepAlive() const noexcept {
  return impl_->phase == Impl::Phase::Complete && impl_->keepAlive;
}

bool ResponseParser::anyByteReceived() const noexcept {
  return impl_->anyByte;
}

}  // namespace closewise::protocol
