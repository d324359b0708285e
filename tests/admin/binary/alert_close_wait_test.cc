// The close_wait alert, end to end: a client sends GET /delay?ms=60000 and then its FIN
// (shutdown(SHUT_WR)), the way a client gives up on a slow answer. closewise keeps reading, sees
// the FIN, and moves the connection to half_closed (RFC 9112 section 9.6: the peer may still want
// the answer), while the handler holds the exchange for a minute: the kernel holds the socket in
// CLOSE_WAIT (RFC 9293 section 3.6). With --close-wait-alert 300ms the alert must start within a
// couple of 1 s evaluations, be logged once at warn, show in /stats and /metrics, and clear (logged
// at info) once the client resets the connection and the kernel drops the socket.
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"
#include "tests/admin/prometheus_text.h"
#include "tests/admin/stats_json.h"

using namespace closewise::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

bool hasAlert(const json& s, const std::string& name) {
  return findAlert(s, name) != nullptr;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

}  // namespace

TEST_CASE("close_wait alert starts for a handler holding a departed peer, and clears",
          "[alerts][binary]") {
  ClosewiseProcess server(basicArgs({"--close-wait-alert", "300ms"}));
  REQUIRE(server.publicPort() != 0);

  auto client = processingConnection(server.publicPort(), 60'000);
  REQUIRE(client.valid());
  REQUIRE(::shutdown(client.get(), SHUT_WR) == 0);

  json s;
  REQUIRE(eventually([&] { return hasAlert(s = stats(server.adminPort()), "close_wait"); }, 10s));
  CHECK(s["connections"]["by_state"]["half_closed"] == 1);
  CHECK(s["kernel"]["tcp_states"]["CLOSE_WAIT"] == 1);
  for (const auto& alert : s["alerts"]) {
    if (alert["name"] != "close_wait") continue;
    CHECK(alert["detail"].get<std::string>().find("1 connection(s) half-closed") !=
          std::string::npos);
  }
  auto metrics = get(server.adminPort(), "/metrics");
  REQUIRE(metrics);
  CHECK(parsePrometheusText(metrics->body)
            .value("closewise_alert_active", {{"alert", "close_wait"}}) == 1);

  // /connections names the culprit with the kernel's view beside it.
  auto list = get(server.adminPort(), "/connections?state=half_closed");
  REQUIRE(list);
  const json connections = json::parse(list->body);
  REQUIRE(connections.size() == 1);
  CHECK(connections[0]["peer_fin_seen"] == true);
  CHECK(connections[0]["since_peer_fin_ms"].get<long>() >= 300);
  CHECK(connections[0]["kernel"]["state"] == "CLOSE_WAIT");

  // Further evaluations while it lasts do not log it again.
  REQUIRE(server.waitForLog("alert close_wait started", 1s));
  ::usleep(2'200'000);
  CHECK(occurrences(server.log(), "alert close_wait started") == 1);
  CHECK(server.log().find(" warn alert close_wait started") != std::string::npos);

  // The client gives up for good: RST. A RST in CLOSE_WAIT ends the kernel's socket at once
  // (RFC 9293 section 3.10.7.4), so the kernel's witness is gone and the alert clears.
  linger hard{1, 0};
  REQUIRE(::setsockopt(client.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard) == 0);
  client.reset();
  REQUIRE(eventually([&] { return !hasAlert(s = stats(server.adminPort()), "close_wait"); }, 10s));
  CHECK(server.waitForLog("alert close_wait cleared", 5s));
  CHECK(server.log().find(" info alert close_wait cleared") != std::string::npos);
  CHECK(s["kernel"]["tcp_states"]["CLOSE_WAIT"] == 0);
}
