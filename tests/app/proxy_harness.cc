#include "tests/app/proxy_harness.h"

#include <signal.h>

#include <catch2/catch.hpp>

#include "admin/admin_view.h"
#include "admin/connections_view.h"
#include "admin/stats.h"
#include "app/proxy_route.h"
#include "app/worker_upstreams.h"

namespace closewise::testing {

namespace {

upstream::UpstreamSpec backend(std::uint16_t port,
                               const std::function<void(upstream::PoolSettings&)>& tweak) {
  upstream::UpstreamSpec spec;
  spec.name = ProxyHarness::kUpstream;
  spec.url = "http://127.0.0.1:" + std::to_string(port);
  auto parsed = upstream::parseOrigin(spec.url);
  REQUIRE(parsed.origin);
  spec.origin = *parsed.origin;
  // Long, so that on a loaded machine no deadline a test is not about fires first.
  spec.pool.timeouts.connect = 2'000ms;
  spec.pool.timeouts.response = 2'000ms;
  spec.pool.timeouts.stall = 2'000ms;
  spec.pool.timeouts.idle = 5'000ms;
  if (tweak) tweak(spec.pool);
  return spec;
}

server::Config serverConfig() {
  server::Config config;
  config.listen = {server::ListenAddress{"127.0.0.1", 0}};
  config.workers = 1;
  config.drainDelay = 0ms;
  config.drainTimeout = 3'000ms;
  return config;
}

}  // namespace

ProxyHarness::ProxyHarness(FakeUpstream::Script script,
                           const std::function<void(upstream::PoolSettings&)>& tweak,
                           const std::function<void(server::Config&)>& configure)
    : upstream(fx.loop(), std::move(script)) {
  // As app::run() does: a write to a socket the peer has reset must come back as EPIPE.
  signal(SIGPIPE, SIG_IGN);
  registry_ = std::make_unique<upstream::Registry>(
      std::vector<upstream::UpstreamSpec>{backend(upstream.port(), tweak)});
  server::Config config = serverConfig();
  if (configure) configure(config);
  server_ = std::make_unique<server::Server>(std::move(config));
  app::attachUpstreams(*server_, *registry_);
  app::registerProxyRoute(server_->publicRouter(), *registry_);
  server_->setOnReady([this] { ready_ = true; });
  thread_ = std::thread([this] {
    status_ = server_->run();
    returned_ = true;
  });
  REQUIRE(fx.runUntil([this] { return ready_.load() || returned_.load(); }));
  REQUIRE(ready_.load());
}

ProxyHarness::~ProxyHarness() {
  stop();
  upstream.close();
  fx.runFor(20ms);
}

RawClient& ProxyHarness::connect() {
  clients_.push_back(std::make_unique<RawClient>(fx.loop()));
  clients_.back()->connect(server_->publicPorts().front());
  return *clients_.back();
}

std::string ProxyHarness::proxyGet(const std::string& name, const std::string& path,
                                   const std::string& extraHeaders) {
  return "GET /proxy/" + name + path + " HTTP/1.1\r\nHost: test\r\n" + extraHeaders + "\r\n";
}

upstream::PoolSnapshot ProxyHarness::books() const {
  upstream::PoolSnapshot books;
  registry_->forEachPool([&books](const upstream::Pool& pool) { books = pool.snapshot(); });
  return books;
}

std::size_t ProxyHarness::poolSockets() const {
  std::size_t n = 0;
  registry_->forEachPool([&n](const upstream::Pool& pool) { n += pool.sockets().size(); });
  return n;
}

bool ProxyHarness::poolsClosed() const {
  bool closed = true;
  registry_->forEachPool([&closed](const upstream::Pool& pool) { closed &= pool.closed(); });
  return closed;
}

std::string ProxyHarness::stats() {
  std::string body;
  onMain([&body](server::ControlSurface& control, const upstream::Registry& registry) {
    admin::AdminView view(control, {}, &registry);
    body = admin::statsJson(view.gather());
  });
  return body;
}

void ProxyHarness::onMain(
    const std::function<void(server::ControlSurface&, const upstream::Registry&)>& work) {
  std::atomic<bool> done{false};
  server::ControlSurface& control = server_->control();
  control.postToMain([&control, &work, &done, this] {
    work(control, *registry_);
    done = true;
  });
  // Waited for even if it takes long: the posted work refers to this frame.
  while (!done.load()) fx.runFor(10ms);
}

std::string ProxyHarness::connections(const std::string& query) {
  const auto parsed = admin::parseConnectionsQuery(query);
  if (!parsed.query) return parsed.error;
  std::atomic<bool> done{false};
  std::string body;
  server::ControlSurface& control = server_->control();
  control.postToMain([&control, &body, &done, selected = *parsed.query] {
    control.listConnections([&body, &done, selected](std::vector<server::ConnectionInfo> all) {
      (void)admin::selectConnections(all, selected);
      body = admin::connectionsJson(all);
      done = true;
    });
  });
  // Waited for even if it takes long: the posted work refers to this frame.
  while (!done.load()) fx.runFor(10ms);
  return body;
}

void ProxyHarness::beginDrain() {
  if (draining_) return;
  draining_ = true;
  server::ControlSurface& control = server_->control();
  control.postToMain([&control] { control.requestDrain("test"); });
}

int ProxyHarness::stop() {
  if (stopped_) return status_;
  stopped_ = true;
  // The clients leave first, so the drain does not linger on their idle connections.
  for (auto& client : clients_) client->close();
  beginDrain();
  // The fake upstream and the clients live on this loop: it keeps turning while the server
  // drains, so the pools' connections can be closed and seen closed.
  fx.runUntil([this] { return returned_.load(); }, 10s);
  thread_.join();
  return status_;
}

}  // namespace closewise::testing
