#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request.h"

namespace closewise::protocol {

// The reason phrase for the statuses this server sends; "" for any other (RFC 9112 4 lets the
// reason phrase be empty, and a client must ignore it anyway).
std::string_view reasonPhrase(int status) noexcept;

struct ResponseHead {
  int status = 200;
  // Extra headers from the handler (Content-Type etc.). The writer owns the framing and the
  // connection: a handler's Content-Length, Transfer-Encoding, Connection, Date or Server is
  // dropped, and so is any header whose name or value holds CR, LF or NUL (response splitting).
  std::vector<Header> headers;
  std::optional<std::uint64_t> contentLength;  // set: Content-Length; nullopt: chunked (1.1)
  bool keepAlive = true;  // false: "Connection: close"; true for HTTP/1.0: "Connection: keep-alive"
  // 0 for HTTP/1.0 requests. A 1.0 client cannot read chunked (RFC 9112 7), so a response of
  // unknown length to it is close-delimited: no framing header, "Connection: close", and the end
  // of the body is our FIN (RFC 9112 6.3 item 8). See keepsConnectionOpen().
  int requestVersionMinor = 1;
  bool headRequest = false;  // HEAD: the same headers as for GET, no body bytes follow
};

// How the body after a head is delimited on the wire (RFC 9112 section 6.3), decided by the head
// alone. The connection writes body bytes only as this says, so no answer can carry bytes its
// head did not announce, which the client would read as the start of the next answer.
enum class BodyFraming : std::uint8_t {
  None,            // no body may follow: 1xx, 204 and 304, and any answer to HEAD (RFC 9110
                   // section 6.4.1); the head ends the message (RFC 9112 section 6.3 rule 1)
  ContentLength,   // exactly Content-Length bytes
  Chunked,         // chunks, then the last chunk (RFC 9112 section 7.1)
  CloseDelimited,  // HTTP/1.0 and no length: the body ends with our FIN (RFC 9112 6.3 rule 8)
};
BodyFraming bodyFraming(const ResponseHead& head) noexcept;

// Whether the connection may carry another request after this response: false when the handler
// asked to close, or when the body is close-delimited.
bool keepsConnectionOpen(const ResponseHead& head) noexcept;

// Appends the status line and the header section to out: Date, "Server: closewise", the framing
// (Content-Length or Transfer-Encoding: chunked; neither for 1xx, 204 and 304, RFC 9110 8.6 and
// RFC 9112 6.1), Connection as needed, the handler's headers, then the empty line.
void appendResponseHead(std::string& out, const ResponseHead& head, std::string_view date);

// One chunk (RFC 9112 7.1): "<hex size>\r\n<data>\r\n". Empty data appends nothing: a
// zero-size chunk would end the body.
void appendChunk(std::string& out, std::string_view data);

// The last chunk and the end of an empty trailer section: "0\r\n\r\n".
void appendLastChunk(std::string& out);

inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// A complete small response (error pages, the overload 503): status line, Date, Server,
// "Content-Type: text/plain; charset=utf-8", Content-Length, "Connection: close" when
// !keepAlive, then the body.
std::string simpleResponse(int status, std::string_view body, bool keepAlive,
                           std::string_view date);

}  // namespace closewise::protocol
