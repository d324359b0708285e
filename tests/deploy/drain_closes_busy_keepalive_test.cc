// A drain must not close, as idle, a keep-alive connection whose next request is already on its
// way: the client gets EOF instead of an answer and, unless it resends (wrk does not), the
// request fails. This is what costs the handoff_under_load.sh keep-alive clients one request per
// connection per handoff.
//
// The drain closes only connections idle for at least Worker::kDrainIdleGrace; one answered more
// recently gets that long for its next request, which is answered with Connection: close. The
// race that remains is the ordinary idle-timeout race, which the balancer's shorter idle timeout
// avoids.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using closewise::testing::ServerFixture;

namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("a request sent as the drain begins on a just-used keep-alive connection is answered",
          "[drain]") {
  ServerFixture fixture([](server::WorkerOptions& options) {
    options.drainDelay = std::chrono::milliseconds(0);
    options.drainTimeout = std::chrono::milliseconds(2000);
  });
  auto& client = fixture.connect();
  const std::string request = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
  client.send(request);
  REQUIRE(fixture.runUntil([&] { return count(client.received(), "HTTP/1.1 200") == 1; }));

  // The client's next request and the drain cross: the connection was busy an instant ago.
  client.send(request);
  fixture.worker().beginDrain();
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.resetByPeer(); },
                           std::chrono::seconds(3)));

  // What the user sees: both requests answered, the second one with Connection: close.
  CHECK(count(client.received(), "HTTP/1.1 200") == 2);
  CHECK(count(client.received(), "Connection: close") == 1);
}
