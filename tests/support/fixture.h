// The integration-test fixture: its own loop, a public Worker on 127.0.0.1:0 with the test routes
// (tests/support/test_routes.h, and whatever the test adds), raw clients on the same loop, and a
// teardown that closes every handle and requires uv_loop_close() == 0, so a leaked handle fails
// the test.
//
// The test routes are the server's only routes here, never the binary's demo routes: these tests
// are about the server, and must outlive a fork's removal of the demos. Tests that start the
// closewise binary (tests/system, tests/deploy's scripts, tests/admin/binary) talk to the demo
// routes it ships by default; they test the program as it is delivered.
//
// Nothing here may REQUIRE inside a libuv callback (it throws through C); tests drive the loop
// with runUntil() and assert afterwards.
#pragma once

#include <uv.h>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "kernel/sock_diag.h"
#include "server/router.h"
#include "server/worker.h"
#include "tests/support/raw_client.h"
#include "tests/support/test_routes.h"

namespace closewise::testing {

using namespace std::chrono_literals;

class ServerFixture {
 public:
  // tweak adjusts the worker's options (short timeouts, limits) before it starts; routes adds a
  // test's own routes beside the test routes (one at the same method and path replaces it).
  explicit ServerFixture(std::function<void(server::WorkerOptions&)> tweak = {},
                         std::function<void(server::Router&)> routes = {});
  ~ServerFixture();
  ServerFixture(const ServerFixture&) = delete;
  ServerFixture& operator=(const ServerFixture&) = delete;

  uv_loop_t* loop() noexcept { return &loop_; }
  server::Worker& worker() noexcept { return *worker_; }
  std::uint16_t port() const noexcept { return port_; }

  // A new raw client owned by the fixture, connecting to the server.
  RawClient& connect();
  RawClient& client(std::size_t i) { return *clients_.at(i); }

  // Runs the loop until pred() holds or limit passes; returns pred(). A 5 ms ticker keeps
  // re-checking predicates that depend on the kernel rather than on loop events.
  bool runUntil(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5s);
  void runFor(std::chrono::milliseconds duration);

  lifecycle::TallySnapshot tally() const { return worker_->tally(); }
  std::int64_t inPhase(lifecycle::Phase phase) const {
    return tally().byPhase[static_cast<std::size_t>(phase)];
  }
  std::int64_t closedBy(lifecycle::CloseReason reason) const {
    return tally().closedByReason[static_cast<std::size_t>(reason)];
  }
  // The kernel's view of the server's port (sock_diag), as the admin view reports it.
  std::uint64_t kernelCount(kernel::TcpState state);

  server::Router router;

 private:
  TestRoutes testRoutes_;
  uv_loop_t loop_{};
  std::unique_ptr<server::Worker> worker_;
  std::vector<std::unique_ptr<RawClient>> clients_;
  std::uint16_t port_ = 0;
};

// A complete GET request for path, HTTP/1.1, with Host.
std::string get(std::string_view path, std::string_view extraHeaders = {});

// The Date header is the one part of an answer a test cannot predict: its values replaced by "*",
// so whole responses can be compared byte for byte.
std::string withDateMasked(std::string bytes);

}  // namespace closewise::testing
