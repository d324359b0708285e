// What the /proxy tests share: the whole server (Server::run() on its own thread, one worker, the
// upstream pools wired in as app/run.cc wires them, the /proxy route), and on the test's own loop
// a raw-socket fake upstream and raw clients. stop() drains the server and returns what run()
// returned; the destructor stops it if the test did not, then closes the test's handles and
// requires the loop to close with nothing open.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/server.h"
#include "tests/support/raw_client.h"
#include "tests/upstream/fake_upstream.h"
#include "tests/upstream/loop_fixture.h"
#include "upstream/registry.h"

namespace closewise::testing {

class ProxyHarness {
 public:
  // `tweak` adjusts the upstream's pool settings (a short response timeout) before the start,
  // `configure` the server's configuration (a body limit).
  explicit ProxyHarness(FakeUpstream::Script script,
                        const std::function<void(upstream::PoolSettings&)>& tweak = {},
                        const std::function<void(server::Config&)>& configure = {});
  ~ProxyHarness();
  ProxyHarness(const ProxyHarness&) = delete;
  ProxyHarness& operator=(const ProxyHarness&) = delete;

  // A raw client connected to the server's public port.
  RawClient& connect();
  // "GET /proxy/NAME/PATH HTTP/1.1" (`path` starts with '/') with a Host, ready to send.
  static std::string proxyGet(const std::string& name, const std::string& path,
                              const std::string& extraHeaders = {});
  bool runUntil(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5s) {
    return fx.runUntil(pred, limit);
  }
  // The books of the one pool (the server has one worker, so one pool per upstream).
  upstream::PoolSnapshot books() const;
  std::size_t poolSockets() const;
  bool poolsClosed() const;
  // The /stats document as the admin view builds it from this server and its upstreams, gathered
  // on the server's main loop as the admin route does.
  std::string stats();
  // Runs `work` on the server's main loop, where the admin lives, and waits for it.
  void onMain(const std::function<void(server::ControlSurface&, const upstream::Registry&)>& work);
  // The /connections body for `query` ("direction=outbound"), listed, selected and formatted as
  // the admin route does, on the server's main loop.
  std::string connections(const std::string& query = {});
  // Asks the server to drain, and returns at once.
  void beginDrain();
  // Closes the clients, drains the server (if not yet asked) and waits for run() to return;
  // returns its exit status.
  int stop();

  static constexpr const char* kUpstream = "backend";

  LoopFixture fx;
  FakeUpstream upstream;

 private:
  std::unique_ptr<upstream::Registry> registry_;
  std::unique_ptr<server::Server> server_;
  std::thread thread_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> returned_{false};
  int status_ = -1;
  bool draining_ = false;
  bool stopped_ = false;
  std::vector<std::unique_ptr<RawClient>> clients_;
};

}  // namespace closewise::testing
