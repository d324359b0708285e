#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request.h"

namespace closewise::protocol {

struct ResponseLimits {
  // Every head of one exchange, interim (1xx) heads included, with their line endings, and the
  // trailer fields of a chunked body: an upstream cannot keep an exchange going with an endless
  // header section or an endless series of 103 Early Hints. The same budget as a request head
  // (protocol/limits.h).
  std::size_t maxHeaderBytes = 16 * 1024;
};

// How the end of a response body is found (RFC 9112 6.3), decided once the head is complete.
enum class ResponseFraming : std::uint8_t {
  None,           // HEAD, 1xx, 204, 304, 101, a 2xx to CONNECT, or Content-Length: 0
  ContentLength,  // exactly contentLength bytes
  Chunked,        // chunked transfer coding (RFC 9112 7.1)
  UntilClose      // everything until the upstream closes the connection (RFC 9112 6.3 rule 8)
};

// One parsed response head. Every string owns its bytes (nothing points into the bytes fed).
struct Response {
  int status = 0;
  std::string reason;  // as sent; a client must not act on it (RFC 9112 4)
  int versionMajor = 1;
  int versionMinor = 1;
  std::vector<Header> headers;   // in order, names as sent, values without surrounding OWS
  std::vector<Header> trailers;  // trailer fields of a chunked body (complete at MessageComplete)
  std::optional<std::uint64_t> contentLength;
  ResponseFraming framing = ResponseFraming::None;

  // Case-insensitive; the first field with that name, or nullptr.
  const std::string* header(std::string_view name) const noexcept;
};

enum class ResponseStatus : std::uint8_t {
  NeedMore,         // every byte given was consumed; feed more when they arrive
  Interim,          // a 1xx head other than 101 was consumed (response() holds it); it is not the
                    // answer (RFC 9110 15.2): feed again, the final response follows
  HeadComplete,     // the final head was consumed: response() holds it (also for 101, whose
                    // following bytes are the new protocol's, and which then completes at once)
  Body,             // body() holds the next piece of decoded body, pointing into the bytes fed
  MessageComplete,  // the response ended; keepAlive() says whether the connection may be reused
  Error             // error() says why; the connection must be closed (RFC 9112 6.3)
};

struct ResponseResult {
  ResponseStatus status;
  std::size_t consumed;
};

// A strict HTTP/1.1 response parser on top of llhttp, for a client that forwards bodies as they
// arrive. It owns no socket and never buffers a body: each piece of body is handed out as a view
// into the bytes given to feed() (chunked coding removed), and parsing stops after it, so the
// caller forwards it and feeds the rest only when it can take more: back-pressure reaches the
// upstream's socket.
//
// The caller feeds until NeedMore or Error. Every other result may leave bytes unconsumed, or
// none at all, and must be followed by another feed() of what is left, even if that is nothing:
//
//   parser.expect("GET");
//   ... on each read:
//   for (;;) {
//     const ResponseResult r = parser.feed(data, len);
//     data += r.consumed; len -= r.consumed;
//     switch (r.status) {
//       case NeedMore: return;                 // read more
//       case Body: forward(parser.body()); ... // when the receiver is full, keep data/len,
//                                              // stop reading, and resume here once it drains
//       ...
//     }
//   }
//
// Strict means: this client forwards what it parses, so any framing two implementations could
// read differently is an error rather than a guess (bare CR or LF, obsolete line folding, both
// Content-Length and Transfer-Encoding, more than one Content-Length, a transfer coding other
// than chunked, chunk data not followed by CRLF, ...). llhttp as built here (8.1, non-strict)
// accepts several of these, so the parser checks them itself, and decides the framing of HEAD,
// 204 and 304 responses itself: llhttp would read a body announced by their Content-Length.
class ResponseParser {
 public:
  explicit ResponseParser(const ResponseLimits& limits);
  ~ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // Readies the parser for the response to a request with this method (case-sensitive, RFC 9110
  // 9.1), forgetting the previous response but keeping its buffers. Call it once per request,
  // before its response arrives: a response to HEAD has no body whatever its head says (RFC 9110
  // 9.3.2), and a 2xx to CONNECT starts a tunnel (RFC 9112 6.3 rule 2).
  void expect(std::string_view method) noexcept;

  // Parses at most one response (interim ones before it included) and stops at its end: bytes
  // after MessageComplete are not the response's. After MessageComplete, further calls return
  // {MessageComplete, 0}; after Error, {Error, 0}; until expect().
  ResponseResult feed(const char* data, std::size_t len) noexcept;

  // The upstream closed the connection (EOF). A close-delimited body ends here: MessageComplete
  // (RFC 9112 6.3 rule 8). Anything else unfinished is a truncated response: Error (RFC 9112 8),
  // including a close before any byte of the response (see anyByteReceived()). After
  // MessageComplete it returns MessageComplete. Feeding after finish() is a caller bug.
  ResponseStatus finish() noexcept;

  const Response& response() const noexcept;
  // After Body: the piece of body, a view into the bytes last given to feed(). Valid until the
  // next feed(): forward or copy it before feeding again.
  std::string_view body() const noexcept;
  // After Error: why, as short, lowercase, static text (for a log line and a 502).
  std::string_view error() const noexcept;

  // After MessageComplete: whether the response lets the connection carry the next request.
  // False for HTTP/1.0 without "Connection: keep-alive", "Connection: close" (RFC 9112 9.3), a
  // close-delimited body, and a 101 or a tunnel (the connection no longer speaks HTTP/1.1).
  // A property of the response alone, whatever the reads: bytes that arrive after it (consumed
  // < len at MessageComplete, or later, on the idle connection) are the caller's to see, and a
  // client that sends one request at a time never asked for them; RFC 9112 6.3 lets it discard
  // them, and the connection must then not be reused, or they would be read as the next
  // response.
  bool keepAlive() const noexcept;

  // Whether any byte of the response arrived since expect(). A request on a reused connection
  // that fails before this may be retried (RFC 9112 9.3.1, the keep-alive race); once a byte
  // arrived, the upstream has seen the request.
  bool anyByteReceived() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace closewise::protocol
