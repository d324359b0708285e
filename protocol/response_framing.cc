#include "protocol/response_framing.h"

#include <algorithm>
#include <cstring>

#include "protocol/field_syntax.h"

namespace closewise::protocol {

namespace {

// Reasons are static strings: error() hands out a string_view of them.
constexpr std::string_view kBareLf = "bare lf";
constexpr std::string_view kBareCr = "bare cr";
constexpr std::string_view kObsFold = "obsolete line folding";
constexpr std::string_view kSpaceBeforeColon = "whitespace between header name and colon";
constexpr std::string_view kBadStatusLine = "malformed status line";
constexpr std::string_view kBadChunk = "invalid chunk framing";
constexpr std::string_view kChunkSizeTooLong = "chunk size too long";
constexpr std::string_view kTrailersTooLarge = "trailer section too large";
constexpr std::string_view kChunkExtTooLarge = "chunk extensions too large";
constexpr std::string_view kBadChunkExt = "invalid chunk extension";

// RFC 9112 7.1: a recipient must be ready for large chunk sizes and guard against overflow.
// llhttp refuses a size past 64 bits but reads any number of leading zeros, so a chunk-size line
// could run on without end; sixteen hex digits hold any 64-bit size, zero-padded or not, and
// cannot overflow the scanner's own count.
constexpr std::size_t kMaxChunkSizeDigits = 16;

// RFC 9112 4: status-line = HTTP-version SP status-code SP [ reason-phrase ], where
// HTTP-version is "HTTP/" DIGIT "." DIGIT (checked by llhttp) and status-code is 3DIGIT.
constexpr std::size_t kStatusCodeAt = 9;  // after "HTTP/1.1" and one SP
constexpr std::size_t kReasonSpAt = 12;   // after the three digits

int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void ResponseFramingScanner::startChunkedBody(std::size_t trailerBudget,
                                              std::size_t extensionBudget) noexcept {
  line_ = Line::ChunkSize;
  chunkSize_ = 0;
  chunkSizeDigits_ = 0;
  trailerLeft_ = trailerBudget;
  extensionLeft_ = extensionBudget;
}

std::size_t ResponseFramingScanner::scan(const char* data, std::size_t len) noexcept {
  std::size_t i = 0;
  while (i < len) {
    if (line_ == Line::HeadEnd || line_ == Line::End) break;
    if (line_ == Line::ChunkData && dataLeft_ > 0) {
      // Chunk data is body: skip it, and stop after it, where llhttp hands it out and pauses.
      const auto run = static_cast<std::size_t>(std::min<std::uint64_t>(dataLeft_, len - i));
      dataLeft_ -= run;
      if (dataLeft_ == 0) crlfAfterData_ = 2;
      return i + run;
    }
    // Lines whose every byte counts (the status line's first bytes, chunk sizes, budgets) are
    // scanned byte by byte.
    const bool fieldName = (line_ == Line::Field || line_ == Line::Trailer) && !colonSeen_;
    const bool counted = line_ == Line::ChunkSize || line_ == Line::ChunkExt ||
                         line_ == Line::Trailer || fieldName ||
                         (line_ == Line::Status && lineBytes_ <= kReasonSpAt);
    if (crlfAfterData_ == 0 && !prevCr_ && !atLineStart_ && !counted) {
      // Inside a line only CR and LF can break a rule, so skip to the next of them (two memchr
      // passes, vectorised in libc): most of a head is field names and values.
      const char* p = data + i;
      const char* end = data + len;
      const auto* cr =
          static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p)));
      if (cr == nullptr) cr = end;
      const auto* lf =
          static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(cr - p)));
      const char* next = lf != nullptr ? lf : cr;
      lineBytes_ += static_cast<std::size_t>(next - p);
      i += static_cast<std::size_t>(next - p);
      if (i == len) break;
    }
    const char c = data[i];
    if (!scanByte(c)) return error_.empty() ? i + 1 : i;
    ++i;
  }
  return i;
}

// One byte at a rule's edge: a line start, a CR or LF, the status code, a chunk size, the CRLF
// after chunk data. Returns false to stop: at a bad byte (error_ set, the byte excluded), or
// after the LF that ends the head or the message (the byte included).
bool ResponseFramingScanner::scanByte(char c) noexcept {
  // Trailer fields are header fields (RFC 9110 6.5): they share the head's budget. Chunk
  // extensions are ignored (RFC 9112 7.1.1) but must not run on without end.
  if (line_ == Line::Trailer && trailerLeft_-- == 0) return reject(kTrailersTooLarge);
  if (line_ == Line::ChunkExt && c != '\r' && c != '\n' && extensionLeft_-- == 0) {
    return reject(kChunkExtTooLarge);
  }
  if (crlfAfterData_ != 0) {
    // RFC 9112 7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.
    if (c != (crlfAfterData_ == 2 ? '\r' : '\n')) return reject(kBadChunk);
    --crlfAfterData_;
  }
  // RFC 9112 2.2: a bare CR must be rejected or replaced; we choose not to accept a bare LF as a
  // line end either.
  if (prevCr_ && c != '\n') return reject(kBareCr);
  if (c == '\n') {
    if (!prevCr_) return reject(kBareLf);
    prevCr_ = false;
    return endLine();
  }
  if (c == '\r') {
    // The status line may end right after its code: see checkStatusLineByte.
    if (line_ == Line::Status && lineBytes_ < kReasonSpAt) return reject(kBadStatusLine);
    const bool extensionEnds = ext_ == Ext::Name || ext_ == Ext::Token || ext_ == Ext::ValueEnd;
    if (line_ == Line::ChunkExt && !extensionEnds) {
      return reject(ext_ == Ext::Start ? kBadChunk : kBadChunkExt);
    }
    if (line_ == Line::ChunkSize && chunkSizeDigits_ == 0) return reject(kBadChunk);
    prevCr_ = true;
    return true;
  }
  if (atLineStart_ && isOws(c)) {
    // RFC 9112 5.2: obs-fold. A user agent may replace it with spaces, but a proxy either does
    // that or answers 502; we forward what we parse, so it is an error. No status line or
    // chunk-size line starts with whitespace.
    if (line_ == Line::Field || line_ == Line::Trailer) return reject(kObsFold);
    return reject(line_ == Line::Status ? kBadStatusLine : kBadChunk);
  }
  atLineStart_ = false;
  if ((line_ == Line::Field || line_ == Line::Trailer) && !colonSeen_) {
    // RFC 9112 5.1: no whitespace between a field name and its colon; a proxy must remove it
    // from a response, a sign that the upstream is not what it claims to be.
    if (isOws(c)) return reject(kSpaceBeforeColon);
    colonSeen_ = c == ':';
  }
  if (line_ == Line::Status && !checkStatusLineByte(c)) return false;
  ++lineBytes_;
  if (line_ == Line::ChunkExt) return checkExtensionByte(c);
  if (line_ == Line::ChunkSize) {
    const int digit = hexValue(c);
    if (digit < 0) {
      if (chunkSizeDigits_ == 0) return reject(kBadChunk);  // chunk-size = 1*HEXDIG
      line_ = Line::ChunkExt;
      ext_ = Ext::Start;
      return checkExtensionByte(c);
    }
    if (++chunkSizeDigits_ > kMaxChunkSizeDigits) return reject(kChunkSizeTooLong);
    chunkSize_ = chunkSize_ << 4 | static_cast<std::uint64_t>(digit);
  }
  return true;
}

// RFC 9112 7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ),
// chunk-ext-name = token, chunk-ext-val = token / quoted-string (RFC 9110 5.6.4). We ignore
// extensions, but llhttp 8.1 takes anything up to the CR for them, and lax extension parsing is
// a known way to make two parsers find a chunk's end in different places.
bool ResponseFramingScanner::checkExtensionByte(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  const bool ows = isOws(c);
  const bool tchar = isTchar(c);
  switch (ext_) {
    case Ext::Start:  // what follows the size digits is no extension: a bad chunk-size line
    case Ext::AfterValue:
      if (c == ';') ext_ = Ext::BeforeName;
      return ows || c == ';' || reject(ext_ == Ext::Start ? kBadChunk : kBadChunkExt);
    case Ext::BeforeName:
      if (tchar) ext_ = Ext::Name;
      return ows || tchar || reject(kBadChunkExt);
    case Ext::Name:
    case Ext::AfterName: {
      const bool inName = ext_ == Ext::Name;
      if (ows) ext_ = Ext::AfterName;
      if (c == ';') ext_ = Ext::BeforeName;
      if (c == '=') ext_ = Ext::BeforeValue;
      return ows || c == ';' || c == '=' || (inName && tchar) || reject(kBadChunkExt);
    }
    case Ext::BeforeValue:
      if (c == '"') ext_ = Ext::Quoted;
      if (tchar) ext_ = Ext::Token;
      return ows || c == '"' || tchar || reject(kBadChunkExt);
    case Ext::Token:
    case Ext::ValueEnd: {
      const bool inToken = ext_ == Ext::Token;
      if (ows) ext_ = Ext::AfterValue;
      if (c == ';') ext_ = Ext::BeforeName;
      return ows || c == ';' || (inToken && tchar) || reject(kBadChunkExt);
    }
    case Ext::Quoted:
      // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
      if (c == '"') ext_ = Ext::ValueEnd;
      if (c == '\\') ext_ = Ext::QuotedPair;
      return c == '\t' || (u >= 0x20 && u != 0x7F) || reject(kBadChunkExt);
    case Ext::QuotedPair:
      // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
      ext_ = Ext::Quoted;
      return c == '\t' || (u >= 0x20 && u != 0x7F) || reject(kBadChunkExt);
  }
  return reject(kBadChunkExt);
}

// llhttp reads "HTTP/1.1  200 OK" as status 0 with reason "200 OK", and "HTTP/1.1 0200" or
// "HTTP/1.1 20 OK" as statuses 200 and 20: exactly one SP, then three digits, then SP or the end
// of the line. RFC 9112 4 says a server must send that last SP even before an empty reason; a
// client loses nothing by accepting the line without it.
bool ResponseFramingScanner::checkStatusLineByte(char c) noexcept {
  const std::size_t at = lineBytes_;
  const bool ok = at < kStatusCodeAt - 1 || at > kReasonSpAt ||
                  (at == kStatusCodeAt - 1 && c == ' ') || (at == kReasonSpAt && c == ' ') ||
                  (at >= kStatusCodeAt && at < kReasonSpAt && c >= '0' && c <= '9');
  return ok || reject(kBadStatusLine);
}

bool ResponseFramingScanner::endLine() noexcept {
  const bool empty = lineBytes_ == 0;
  atLineStart_ = true;
  colonSeen_ = false;
  lineBytes_ = 0;
  switch (line_) {
    case Line::Status:
      line_ = Line::Field;
      return true;
    case Line::Field:
      if (!empty) return true;
      line_ = Line::HeadEnd;  // llhttp pauses here; the parser says what follows
      return false;
    case Line::ChunkSize:
    case Line::ChunkExt:
      // The last chunk (size 0) is followed by the trailer section; any other by its data.
      line_ = chunkSize_ == 0 ? Line::Trailer : Line::ChunkData;
      dataLeft_ = chunkSize_;
      chunkSize_ = 0;
      chunkSizeDigits_ = 0;
      return true;
    case Line::ChunkData:
      line_ = Line::ChunkSize;  // the CRLF after the data ended
      return true;
    case Line::Trailer:
      if (!empty) return true;
      line_ = Line::End;
      return false;
    case Line::HeadEnd:
    case Line::End:
      return false;
  }
  return false;
}

}  // namespace closewise::protocol
