// The sockets toward the upstreams are read by a sock_diag dump, and /stats polled in a loop must
// not repeat it at will: the admin view reuses its last reading within the same window as the
// inbound kernel view, so two /stats in a row dump once, and both show the same counts.
#include <catch2/catch.hpp>

#include "admin/admin_view.h"
#include "tests/app/proxy_harness.h"

using namespace closewise::testing;
using closewise::kernel::TcpState;

TEST_CASE("two /stats within the reuse window dump the upstream sockets once",
          "[app][proxy][admin]") {
  ProxyHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("hi\n")); });
  RawClient& client = h.connect();
  client.send(ProxyHarness::proxyGet("backend", "/a"));
  REQUIRE(h.runUntil([&] { return client.responseCount() == 1; }));

  std::uint64_t queries = 0;
  std::uint64_t first = 0;
  std::uint64_t second = 0;
  h.onMain([&](closewise::server::ControlSurface& control,
               const closewise::upstream::Registry& registry) {
    closewise::admin::AdminView view(control, {}, &registry);
    const auto established = static_cast<std::size_t>(TcpState::Established);
    first = view.gather().upstreams.at(0).kernel[established];
    second = view.gather().upstreams.at(0).kernel[established];
    queries = view.upstreamQueries();
  });
  CHECK(queries == 1);
  CHECK(first == 1);  // the pooled connection, read by the one dump
  CHECK(second == first);
  CHECK(h.stop() == 0);
}
