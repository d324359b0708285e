#include "tests/support/fixture.h"

#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/support/run_loop.h"

namespace closewise::testing {

ServerFixture::ServerFixture(std::function<void(server::WorkerOptions&)> tweak,
                             std::function<void(server::Router&)> routes)
    : testRoutes_(router) {
  // A test client writing to a socket the server reset must get EPIPE, not kill the test.
  signal(SIGPIPE, SIG_IGN);
  REQUIRE(uv_loop_init(&loop_) == 0);
  if (routes) routes(router);
  server::WorkerOptions options;
  options.name = "test";
  options.listen.push_back({"127.0.0.1", 0, -1});
  options.maxConnections = 1000;
  if (tweak) tweak(options);
  worker_ = std::make_unique<server::Worker>(&loop_, router, options, 0);
  const std::string error = worker_->start();
  REQUIRE(error.empty());
  port_ = worker_->listeners().front()->port();
}

ServerFixture::~ServerFixture() {
  for (auto& client : clients_) client->close();
  testRoutes_.close();
  worker_->shutdown();
  uv_run(&loop_, UV_RUN_DEFAULT);
  clients_.clear();
  worker_.reset();
  const int rc = uv_loop_close(&loop_);
  if (rc != 0) {
    uv_walk(
        &loop_,
        [](uv_handle_t* handle, void*) {
          UNSCOPED_INFO("open handle: " << uv_handle_type_name(uv_handle_get_type(handle)));
        },
        nullptr);
  }
  CHECK(rc == 0);
}

RawClient& ServerFixture::connect() {
  clients_.push_back(std::make_unique<RawClient>(&loop_));
  clients_.back()->connect(port_);
  return *clients_.back();
}

bool ServerFixture::runUntil(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  return runLoopUntil(loop_, pred, limit);
}

void ServerFixture::runFor(std::chrono::milliseconds duration) {
  runUntil([] { return false; }, duration);
}

std::uint64_t ServerFixture::kernelCount(kernel::TcpState state) {
  kernel::KernelStateReader reader({port_});
  const auto view = reader.query();
  return view.states[static_cast<std::size_t>(state)];
}

std::string get(std::string_view path, std::string_view extraHeaders) {
  std::string request = "GET ";
  request += path;
  request += " HTTP/1.1\r\nHost: test\r\n";
  request += extraHeaders;
  request += "\r\n";
  return request;
}

std::string withDateMasked(std::string bytes) {
  for (auto pos = bytes.find("\r\nDate: "); pos != std::string::npos;
       pos = bytes.find("\r\nDate: ", pos + 1)) {
    const auto value = pos + 8;
    bytes.replace(value, bytes.find("\r\n", value) - value, "*");
  }
  return bytes;
}

}  // namespace closewise::testing
