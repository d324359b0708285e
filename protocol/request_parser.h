#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "protocol/limits.h"
#include "protocol/request.h"

namespace closewise::protocol {

enum class ParseStatus : std::uint8_t {
  NeedMore,         // every byte given was consumed; the request is not complete yet
  HeadComplete,     // stopped right after the header section of a request that has a body;
                    // the caller may send "100 Continue", then feed the rest
  MessageComplete,  // stopped right after a complete request; bytes after `consumed` belong to
                    // the next (pipelined) request
  Error             // see error()
};

// status is the response the request deserves: 400, 413, 431, 501 (a transfer coding we do not
// implement) or 505 (not HTTP/1.0 or 1.1). reason is short, lowercase, static text.
struct ParseError {
  int status = 0;
  std::string_view reason;
};

struct ParseResult {
  ParseStatus status;
  std::size_t consumed;
};

// A strict HTTP/1.x request parser on top of llhttp. It owns no socket and knows nothing of the
// event loop: the connection feeds it the bytes it read and acts on the status.
//
// Strict means: this server sits behind proxies, so any framing two implementations could read
// differently is rejected rather than guessed (bare CR or LF, obsolete line folding, whitespace
// before a colon, Content-Length together with Transfer-Encoding, and so on). llhttp as built
// here (8.1, non-strict mode) accepts several of these, so the parser checks them itself.
//
// Allocation failure inside feed() terminates the process (the llhttp callbacks are noexcept), as
// it does everywhere else in the server; feed() never throws.
class RequestParser {
 public:
  explicit RequestParser(const Limits& limits);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses AT MOST ONE request and stops at its end, so pipelined requests are handled one at a
  // time, in order; also stops once right after the head when a body follows. Feeding a request
  // split at any byte boundary gives the same Request. After MessageComplete, further calls
  // return {MessageComplete, 0} until reset(); after Error, {Error, 0} until reset().
  ParseResult feed(const char* data, std::size_t len) noexcept;

  const Request& request() const noexcept;
  // Mutable so that a caller streaming the body can take the bytes each feed decoded out of
  // request().body (by swap) instead of letting them pile up; Limits::maxBodyBytes still counts
  // every byte of the body, taken or not.
  Request& request() noexcept;
  ParseError error() const noexcept;
  // At least one byte of the current request has been seen (an empty line before the request
  // line counts): the connection is reading, not idle.
  bool inProgress() const noexcept;
  bool headComplete() const noexcept;
  // Bytes of the current head so far, including the empty lines before the request line.
  std::size_t headerBytes() const noexcept;
  // Ready for the next request, which sees nothing of this one: each request on a persistent
  // connection is framed on its own (RFC 9112 9.3). Keeps every buffer, including the header
  // strings, so a keep-alive connection stops allocating.
  void reset() noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace closewise::protocol
