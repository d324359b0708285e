// Middleware: code that runs around every exchange that reaches the router, registered with
// Router::use(). An access log, request timing, metrics, authentication or a request id for the
// logs are middleware; none of them needs to edit closewise's core.
//
// A middleware is called with the request, the exchange's Responder and `next`, the rest of the
// chain: the middleware registered after it, and at the end the route's handler, or the router's
// own answer (404, or 405 with Allow) when no route matched. So a middleware sees every exchange,
// the router's refusals included, as a Go middleware that wraps the whole ServeMux does. It may:
//   - pass the exchange on: next(request, std::move(responder)), now or later (from a timer, once
//     an asynchronous check is done); `next` is two pointers, cheap to copy and keep;
//   - answer itself and not call next (an authentication middleware's 401);
//   - register Responder::onFinished before passing it on, to learn the answer's status, size and
//     duration when the exchange ends, whichever way it ends.
// The Responder cannot be wrapped or replaced: the answer is the handler's, and what a middleware
// learns of it comes through onFinished. Middleware run in the order of registration, the first
// registered outermost.
//
// Without middleware the connection calls the handler directly, as it always has; with some, the
// chain costs a call through std::function per middleware and nothing allocated per request.
#pragma once

#include <functional>

#include "server/handler.h"

namespace closewise::server {

// The rest of the middleware chain, as a middleware receives it.
class Next {
 public:
  // Runs the next middleware, or at the end the handler (or the router's 404 or 405). A
  // Responder already cancelled is dropped: there is no exchange left to run.
  void operator()(const Request& request, Responder responder) const;

 private:
  friend class Connection;
  using Middleware = std::function<void(const Request&, Responder, Next)>;
  Next(const Middleware* next, const Middleware* end) noexcept : next_(next), end_(end) {}

  const Middleware* next_;  // into the router's list, which lives as long as the server
  const Middleware* end_;
};

using Middleware = std::function<void(const Request&, Responder, Next)>;

}  // namespace closewise::server
