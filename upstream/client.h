// The client API a handler uses to call an upstream: a request in, callbacks out, a handle that
// pauses, resumes and cancels. The pool behind it (upstream/pool.h) is per worker loop, so every
// call and every callback happens on that loop's thread.
//
// How a downstream answer ties to it (the integration part): a proxying handler keeps the
// RequestHandle beside its Responder; the Responder's onCancel (the downstream client left) calls
// handle.cancel(), and the upstream connection is closed, not pooled mid-response. When the
// downstream socket is full the handler calls pause(), and resume() once it drained, so a slow
// client slows the upstream's socket instead of filling our memory.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request.h"
#include "protocol/response_parser.h"

namespace closewise::upstream {

class Pool;

// Why a request failed. Each kind has a name for logs and metrics and the status a proxy answers.
enum class ErrorKind : std::uint8_t {
  ConnectRefused,   // every address refused the connection                       -> 502
  ConnectTimeout,   // the TCP handshake did not finish in time                     -> 504
  PortsExhausted,   // connect() found no free local port (EADDRNOTAVAIL)           -> 502
  ResolveFailed,    // the upstream's name did not resolve                          -> 502
  QueueTimeout,     // no connection came free within the queue timeout             -> 503
  SendTimeout,      // the upstream stopped taking the request                      -> 504
  ResponseTimeout,  // no response head within the response timeout                 -> 504
  BodyTimeout,      // the response body stalled                                    -> 504
  UpstreamClosed,   // the upstream closed before the response was complete         -> 502
  UpstreamReset,    // the upstream reset the connection                            -> 502
  ProtocolError,    // the response could not be parsed                             -> 502
  IoError,          // any other socket error                                       -> 502
  PoolClosed,       // the pool is draining or shut down and takes no new request   -> 503
};
inline constexpr std::size_t kErrorKindCount = 13;

// "connect_refused", "connect_timeout", "ports_exhausted", "resolve_failed", "queue_timeout",
// "send_timeout", "response_timeout", "body_timeout", "upstream_closed", "upstream_reset",
// "protocol_error", "io_error", "pool_closed".
std::string_view errorKindName(ErrorKind kind) noexcept;
// The status a proxy answers its own client with (RFC 9110 15.6.3 502, 15.6.4 503, 15.6.5 504).
int proxyStatus(ErrorKind kind) noexcept;

struct Error {
  ErrorKind kind;
  std::string detail;  // for a log line: the libuv error name or the parser's reason
};

struct Request {
  std::string method;  // case-sensitive (RFC 9110 9.1)
  std::string target;  // origin-form: "/path?query"
  // End-to-end fields (see hop_by_hop.h). Host is added from the origin unless given;
  // Content-Length, Transfer-Encoding and Connection are the client's to set and are dropped.
  std::vector<protocol::Header> headers;
  // The body given whole, sent with a Content-Length. Kept until the request ends, so the
  // keep-alive race's retry can send it again.
  std::string body;
  // Or streamed: `body` stays empty and the caller feeds the body through the RequestHandle
  // (write(), onWritable(), end()) while the request is under way, at the pace the upstream takes
  // it. Sent with a Content-Length of `streamedLength` when the caller knows it, chunked
  // otherwise (RFC 9112 section 7.1). What was sent is not kept: once any of a streamed body has
  // gone to a socket, the request is never retried (retry_policy.h).
  bool streamed = false;
  std::optional<std::uint64_t> streamedLength = std::nullopt;
};

// Called on the pool's loop. After onEnd or onError nothing more is called; after cancel()
// nothing at all. onBody's view is valid only during the call.
struct ResponseCallbacks {
  std::function<void(const protocol::Response&)> onHead;
  std::function<void(std::string_view)> onBody;
  std::function<void()> onEnd;
  std::function<void(const Error&)> onError;
};

// Refers to a request by id, so using it after the request ended is harmless (nothing happens).
// The pool must outlive it.
class RequestHandle {
 public:
  RequestHandle() noexcept = default;
  RequestHandle(Pool* pool, std::uint64_t id) noexcept : pool_(pool), id_(id) {}

  // Gives up on the request: no callback follows; its connection, if it has one, is closed.
  void cancel();
  // Stops delivering body pieces (and reading the upstream's socket) until resume(). resume()
  // may deliver the next piece before it returns.
  void pause();
  void resume();
  // The request has neither ended nor been cancelled.
  bool active() const;

  // A streamed body (Request::streamed). write() queues `data` for the upstream and returns
  // whether more is wanted: false once the queue is above its high-water mark (wait for
  // onWritable), or when the request is no longer active (its callbacks say why). With a
  // streamedLength, bytes past it are refused, and an end() short of it fails the request (its
  // onError runs before end() returns): a request framed by a length it does not have must not
  // reach the upstream as complete. A body written while the request waits for a connection is
  // queued and leaves with the head. A body whose sending stalls for the stall timeout, whoever
  // held it up, fails the request with SendTimeout.
  bool write(std::string_view data);
  // Called once per registration, when the queue has drained below the low-water mark.
  void onWritable(std::function<void()> callback);
  // The body is complete. Returns false when the request is no longer active.
  bool end();

 private:
  Pool* pool_ = nullptr;
  std::uint64_t id_ = 0;
};

}  // namespace closewise::upstream
