// When a failed upstream request may be sent again: the keep-alive race (RFC 9112 section 9.3.1).
//
// An upstream may close a kept-alive connection at the moment we send a request on it; our bytes
// then meet its FIN or RST, and the request fails although the upstream never saw it. Sending it
// again on a fresh connection is safe when the upstream cannot have acted on it: no byte of a
// response came back, the connection had carried a request before (a fresh connection that fails
// is a real failure, never retried silently), and none of its body was sent, or the request is
// idempotent (RFC 9110 section 9.2.2) and we still hold its whole body to send again. A streamed
// body is not held: once any of it has gone to a socket, the request is never retried, whatever
// its method. One retry only: a second failure is the upstream's answer.
#pragma once

#include <string_view>

namespace closewise::upstream {

struct RetryFacts {
  bool reusedConnection;      // the connection carried a request before this one
  bool responseByteReceived;  // any byte of a response arrived
  bool idempotentMethod;      // isIdempotent(method)
  bool bodySent;              // some of the request body was handed to the socket
  bool bodyKept;              // the whole body is still in hand (given whole, not streamed)
  bool alreadyRetried;        // this request is already a retry
};

// The decision table above, in one place.
bool shouldRetry(const RetryFacts& facts) noexcept;

// GET, HEAD, OPTIONS, TRACE, PUT and DELETE (RFC 9110 section 9.2.2). Methods are
// case-sensitive (RFC 9110 section 9.1): "get" is not GET.
bool isIdempotent(std::string_view method) noexcept;

}  // namespace closewise::upstream
