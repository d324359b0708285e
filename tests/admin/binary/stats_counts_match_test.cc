// With N idle keep-alive connections and M requests in flight (GET /delay), /stats and /metrics
// report exactly N idle and M processing, and the kernel N + M ESTABLISHED on the public port.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"
#include "tests/admin/prometheus_text.h"
#include "tests/admin/stats_json.h"

using namespace closewise::test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("/stats and /metrics count N idle and M processing connections", "[stats][binary]") {
  constexpr int kIdle = 4;
  constexpr int kProcessing = 3;
  ClosewiseProcess server(basicArgs({"--idle-timeout", "60s"}));
  REQUIRE(server.publicPort() != 0);

  std::vector<closewise::kernel::UniqueFd> clients;
  for (int i = 0; i < kIdle; ++i) clients.push_back(idleConnection(server.publicPort()));
  for (int i = 0; i < kProcessing; ++i) {
    clients.push_back(processingConnection(server.publicPort(), 20'000));
  }
  for (const auto& c : clients) REQUIRE(c.valid());

  json s;
  // The processing requests are counted once the worker has read them; wait for that. The
  // kernel view in /stats may be a few hundred ms older than the books (kernel.age_ms: a view is
  // reused so that polling cannot multiply the kernel's cost), so wait for it to catch up too:
  // until then it may still show connections in the accept queue.
  REQUIRE(eventually(
      [&] {
        s = stats(server.adminPort());
        return !s.is_null() && s["connections"]["by_state"]["processing"] == kProcessing &&
               s["connections"]["by_state"]["idle"] == kIdle &&
               s["kernel"]["listen_queue"].size() == 1 &&
               s["kernel"]["listen_queue"][0]["pending"] == 0;
      },
      10s));
  CHECK(s["connections"]["open"] == kIdle + kProcessing);
  CHECK(s["connections"]["by_state"]["reading"] == 0);
  CHECK(s["totals"]["accepted"] == kIdle + kProcessing);
  CHECK(s["totals"]["requests"] == kIdle + kProcessing);
  CHECK(s["totals"]["responses_by_class"]["2xx"] == kIdle);
  CHECK(s["kernel"]["tcp_states"]["ESTABLISHED"] == kIdle + kProcessing);
  CHECK(s["kernel"]["tcp_states"]["LISTEN"] == 1);
  REQUIRE(s["kernel"]["listen_queue"].size() == 1);
  CHECK(s["kernel"]["listen_queue"][0]["address"] ==
        "127.0.0.1:" + std::to_string(server.publicPort()));
  CHECK(s["kernel"]["listen_queue"][0]["pending"] == 0);
  CHECK(s["process"]["open_fds"].get<int>() >= kIdle + kProcessing);
  CHECK(s["alerts"] == json::array());

  auto metrics = get(server.adminPort(), "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  const auto doc = parsePrometheusText(metrics->body);
  INFO(doc.error);
  REQUIRE(doc.error.empty());
  CHECK(doc.value("closewise_connections", {{"state", "idle"}}) == kIdle);
  CHECK(doc.value("closewise_connections", {{"state", "processing"}}) == kProcessing);
  CHECK(doc.value("closewise_kernel_tcp_sockets", {{"state", "ESTABLISHED"}}) ==
        kIdle + kProcessing);
  CHECK(doc.value("closewise_draining") == 0);
}
