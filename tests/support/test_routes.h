// The routes the in-process server tests talk to. Each does the least a test needs from a
// handler, so that what a test asserts is the server's behaviour rather than a route's:
//
//   GET /            "ok\n" at once: a request that is answered straight away.
//   *   /echo        the request body as it arrived: proof that the body reached the handler whole.
//   GET /delay?ms=N  "delayed\n" N ms later, from a timer: an exchange that stays in processing.
//   GET /bytes?n=N   N bytes under a Content-Length, written only while the connection wants more:
//                    a large answer that a slow or stopped reader holds up.
//   GET /ws/echo     a WebSocket that sends each message back as it came, with its type.
//
// They answer with no headers of their own, so every header a test sees is the server's.
//
// The closewise binary ships demo routes at some of the same paths (server/demo_routes.cc). The
// tests do not use them: a fork that turns them off or deletes them keeps its server tests. The
// tests of the demo routes themselves (tests/server/demo_routes/) register them in place of these.
#pragma once

#include <uv.h>

#include <cstdint>
#include <list>

#include "server/router.h"
#include "server/websocket.h"

namespace closewise::testing {

class TestRoutes {
 public:
  explicit TestRoutes(server::Router& router);
  TestRoutes(const TestRoutes&) = delete;
  TestRoutes& operator=(const TestRoutes&) = delete;

  // Closes the timers of the delayed answers. The owner runs the loop afterwards, until their
  // close callbacks have run, and only then destroys this object.
  void close();

 private:
  // A server's handler frees an exchange's state when the exchange ends (server/demo_routes.cc
  // shows how). A test is short, so these keep it until the fixture ends instead: the fixture's
  // teardown is then the one place that closes handles, and no state frees itself.
  // std::list, because a libuv handle and a Responder waiting for onWritable must not move.
  struct Delayed {
    uv_timer_t timer{};
    server::Responder responder;
  };
  struct Sized {
    server::Responder responder;
    std::uint64_t left = 0;
  };

  void answerLater(const server::Request& request, server::Responder responder);
  void answerSized(const server::Request& request, server::Responder responder);
  static void writeWhileWanted(Sized& answer);

  void acceptEcho(const server::Request& request, server::Responder responder);

  std::list<Delayed> delayed_;
  std::list<Sized> sized_;
  std::list<server::WebSocket> sockets_;
};

}  // namespace closewise::testing
