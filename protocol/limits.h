#pragma once

#include <cstddef>

namespace closewise::protocol {

// Per-request size limits. A breach is an ordinary parse error (431 or 413), never a special
// path: the connection answers it like any other malformed request and then closes.
struct Limits {
  // The request line, the header fields and their line endings, counted as bytes arrive so an
  // endless header section is cut off as soon as it crosses the limit. Trailer fields of a
  // chunked body count against the same budget (they are header fields too), each charged its
  // name and value plus 32 bytes as HTTP/2 charges a field (RFC 9113 section 6.5.2), so that
  // their number is bounded as well as their bytes.
  std::size_t maxHeaderBytes = 16 * 1024;
  // The decoded body: checked against Content-Length before any body byte is read, and against
  // the running total of chunk sizes as each chunk header arrives.
  std::size_t maxBodyBytes = 1024 * 1024;
};

}  // namespace closewise::protocol
