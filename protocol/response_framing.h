#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace closewise::protocol {

// The framing checks of RFC 9112 that llhttp 8.1 (non-strict build) leaves out, for responses.
// llhttp accepts a bare LF as a line ending, takes the byte after a CR at the end of the head or
// of a chunk-size line as its LF whatever it is, does not look at the two bytes after chunk
// data, joins obsolete line folding into the value, takes empty lines before the status line,
// reads "HTTP/1.1  200" as status 0 and "0200" as 200, reads chunk-size zeros without end, and
// reports whitespace before a field's colon at a byte that depends on where a read ended, and
// takes anything up to the CR for chunk extensions (";;=;" or bytes above 0x7F included).
// Each is a way for two parsers to read one response differently.
//
// The scanner goes through the bytes AHEAD of llhttp and says how many of them llhttp may parse:
// it stops where llhttp pauses anyway (at the end of a head, after each run of chunk data, at
// the end of the message) and at the first byte that breaks a rule. llhttp then never parses a
// byte the scanner has not passed, and whatever llhttp finds wrong before that byte is what the
// caller hears, so the first error in the bytes is reported however the reads split them.
//
// Body bytes are not framing. The scanner is told when a chunked body starts, and then follows
// the chunk sizes itself to skip chunk data; other bodies are never scanned.
class ResponseFramingScanner {
 public:
  // A status line comes next (a new response, or the final one after an interim head).
  void startHead() noexcept { *this = ResponseFramingScanner{}; }
  // The head just scanned announced a chunked body (only the parser knows: it depends on the
  // status, the request method and the fields). The trailer section may use `trailerBudget`
  // bytes, line endings included, and the chunk extensions of the body `extensionBudget` bytes
  // in all: counted here, byte by byte, so a breach is found at the same byte whatever the reads.
  void startChunkedBody(std::size_t trailerBudget, std::size_t extensionBudget) noexcept;

  // Scans from the start of `data` and returns how many bytes llhttp may parse: all of them,
  // or fewer if it stopped at a pause point or a bad byte (then error() is set).
  std::size_t scan(const char* data, std::size_t len) noexcept;

  // Why the scan stopped at a bad byte, as static text; empty if it did not.
  std::string_view error() const noexcept { return error_; }

 private:
  // The line being scanned.
  enum class Line : std::uint8_t {
    Status,     // the status line
    Field,      // a header field line, or the empty line that ends the head
    HeadEnd,    // the head has ended: nothing to scan until told what follows
    ChunkSize,  // the hex digits at the start of a chunk-size line
    ChunkExt,   // the rest of a chunk-size line: chunk extensions
    ChunkData,  // chunk data, skipped by count, then its CRLF
    Trailer,    // a trailer field line, or the empty line that ends the message
    End         // the message has ended
  };

  bool scanByte(char c) noexcept;  // false: a rule is broken (error_ says which)
  bool checkStatusLineByte(char c) noexcept;
  bool checkExtensionByte(char c) noexcept;
  bool endLine() noexcept;  // at each LF; false: stop after it (the head or message ended)
  bool reject(std::string_view reason) noexcept {
    error_ = reason;
    return false;
  }

  Line line_ = Line::Status;
  bool prevCr_ = false;        // the last byte was a CR, so the next must be LF
  bool atLineStart_ = true;    // the next byte starts a line
  bool colonSeen_ = false;     // a field line's name has ended
  std::size_t lineBytes_ = 0;  // bytes of the current line so far, without its CR
  std::uint64_t chunkSize_ = 0;
  std::size_t chunkSizeDigits_ = 0;
  std::uint64_t dataLeft_ = 0;     // bytes of chunk data not yet skipped
  int crlfAfterData_ = 0;          // 2: CR is due, 1: LF is due, 0: neither
  std::size_t trailerLeft_ = 0;    // bytes the trailer section may still use
  std::size_t extensionLeft_ = 0;  // bytes chunk extensions may still use
  // Where a chunk-size line's extensions are, in the grammar of RFC 9112 7.1.1.
  enum class Ext : std::uint8_t {
    Start,        // right after the size: BWS or ";"
    BeforeName,   // after ";": BWS or the name
    Name,         // in the name: more of it, BWS, "=", ";" or the end of the line
    AfterName,    // BWS after the name: ";" or "="
    BeforeValue,  // after "=": BWS, a token or a quoted string
    Token,        // in a token value: more of it, BWS, ";" or the end of the line
    Quoted,       // in a quoted string
    QuotedPair,   // after a backslash in it
    ValueEnd,     // right after a quoted string: BWS, ";" or the end of the line
    AfterValue    // BWS after a value: ";"
  };
  Ext ext_ = Ext::Start;
  std::string_view error_;
};

}  // namespace closewise::protocol
