// A peer that half-closes after its request (FIN) and then gives up for good (RST) must be let go
// before the handler answers: the Responder is cancelled (handler.h promises onCancel for a peer
// reset), the connection leaves half_closed and is counted under peer_reset.
//
// libuv stops reading after the FIN, so the worker asks the kernel about half-closed connections
// twice a second (Worker::probeHalfClosed); an RST shows there as state CLOSE.
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"

using namespace closewise::test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("a reset after the peer's FIN ends a half-closed connection before the handler answers",
          "[server][binary]") {
  ClosewiseProcess server(basicArgs());
  REQUIRE(server.publicPort() != 0);
  auto client = processingConnection(server.publicPort(), 60'000);
  REQUIRE(client.valid());
  REQUIRE(::shutdown(client.get(), SHUT_WR) == 0);

  json s;
  auto stats = [&] {
    auto response = get(server.adminPort(), "/stats");
    s = response ? json::parse(response->body) : json();
    return !s.is_null();
  };
  REQUIRE(
      eventually([&] { return stats() && s["connections"]["by_state"]["half_closed"] == 1; }, 10s));

  linger hard{1, 0};
  REQUIRE(::setsockopt(client.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard) == 0);
  client.reset();

  // The kernel drops its socket at once; the books should follow within a few seconds, not at
  // the 60 s handler deadline.
  const bool noticed = eventually(
      [&] {
        return stats() && s["connections"]["open"] == 0 &&
               s["totals"]["closed_by_reason"]["peer_reset"] == 1;
      },
      5s);
  INFO("connections " << s["connections"].dump() << " kernel CLOSE_WAIT "
                      << s["kernel"]["tcp_states"]["CLOSE_WAIT"]);
  CHECK(noticed);
}
