// GET /stats carries exactly the keys the issue names (more may sit beside them), each holding
// the number from the input it names.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/admin/pure_inputs.h"

using closewise::admin::statsJson;
using closewise::test::sampleSnapshot;
using nlohmann::json;

namespace {

// Every key of `required` is in `actual`; objects are compared key by key, recursively.
void requireKeys(const json& actual, const json& required, const std::string& path) {
  for (const auto& [key, value] : required.items()) {
    INFO(path + "." + key);
    REQUIRE(actual.contains(key));
    if (value.is_object()) requireKeys(actual.at(key), value, path + "." + key);
  }
}

}  // namespace

TEST_CASE("/stats JSON has every key the issue names, with the input's numbers", "[stats]") {
  const auto snapshot = sampleSnapshot();
  const json stats = json::parse(statsJson(snapshot));

  const json required = json::parse(R"({
    "version": 0, "uptime_ms": 0, "draining": 0, "workers": 0,
    "connections": {"open": 0, "by_state": {"reading": 0, "processing": 0, "writing": 0,
                    "idle": 0, "half_closed": 0, "closing": 0, "websocket": 0,
                    "ws_closing": 0}},
    "totals": {"accepted": 0, "closed": 0, "requests": 0, "shed": 0,
               "responses_by_class": {"2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0},
               "closed_by_reason": {},
               "websocket": {"upgrades": 0, "rejected": 0, "messages_in": 0, "messages_out": 0,
                             "bytes_in": 0, "bytes_out": 0, "closed_by_code": {}}},
    "kernel": {"source": 0, "tcp_states": {"ESTABLISHED": 0, "SYN_RECV": 0, "FIN_WAIT1": 0,
               "FIN_WAIT2": 0, "TIME_WAIT": 0, "CLOSE_WAIT": 0, "LAST_ACK": 0, "CLOSING": 0},
               "listen_queue": 0, "query_us": 0},
    "process": {"open_fds": 0, "fd_limit": 0, "rss_bytes": 0, "loop_utilization": 0},
    "alerts": 0})");
  requireKeys(stats, required, "");

  CHECK(stats["version"] == "9.8.7");
  CHECK(stats["uptime_ms"] == 123456);
  CHECK(stats["draining"] == false);
  CHECK(stats["workers"] == 2);
  CHECK(stats["connections"]["open"] == 21);
  CHECK(stats["connections"]["by_state"]["reading"] == 1);
  CHECK(stats["connections"]["by_state"]["processing"] == 2);
  CHECK(stats["connections"]["by_state"]["writing"] == 3);
  CHECK(stats["connections"]["by_state"]["idle"] == 4);
  CHECK(stats["connections"]["by_state"]["half_closed"] == 5);
  CHECK(stats["connections"]["by_state"]["closing"] == 6);
  CHECK(stats["connections"]["by_state"]["websocket"] == 0);
  CHECK(stats["connections"]["by_state"]["ws_closing"] == 0);
  // Six HTTP phases and two WebSocket ones; "closed" is never a state of an open one.
  CHECK(stats["connections"]["by_state"].size() == 8);
  CHECK(stats["totals"]["accepted"] == 1000);
  CHECK(stats["totals"]["closed"] == 979);
  CHECK(stats["totals"]["requests"] == 5000);
  CHECK(stats["totals"]["shed"] == 17);
  CHECK(stats["totals"]["responses_by_class"]["2xx"] == 4000);
  CHECK(stats["totals"]["responses_by_class"]["5xx"] == 5);
  CHECK(stats["kernel"]["source"] == "sock_diag");
  CHECK(stats["kernel"]["tcp_states"]["ESTABLISHED"] == 10);  // kernel number 1
  CHECK(stats["kernel"]["tcp_states"]["CLOSE_WAIT"] == 80);   // kernel number 8
  CHECK(stats["kernel"]["listen_queue"] ==
        json::parse(R"([{"address": "127.0.0.1:8080", "pending": 7, "backlog": 511}])"));
  CHECK(stats["kernel"]["query_us"] == 42);
  CHECK(stats["process"]["open_fds"] == 77);
  CHECK(stats["process"]["fd_limit"] == 1024);
  CHECK(stats["process"]["rss_bytes"] == 4096000);
  CHECK(stats["process"]["loop_utilization"] == 0.25);
  CHECK(stats["alerts"] == json::array());
}

TEST_CASE("/stats closed_by_reason lists every reason except none", "[stats]") {
  const json reasons = json::parse(statsJson(sampleSnapshot()))["totals"]["closed_by_reason"];
  CHECK_FALSE(reasons.contains("none"));
  CHECK(reasons.size() == closewise::lifecycle::kCloseReasonCount - 1);
  for (std::size_t i = 1; i < closewise::lifecycle::kCloseReasonCount; ++i) {
    const auto name = std::string(
        closewise::lifecycle::closeReasonName(static_cast<closewise::lifecycle::CloseReason>(i)));
    INFO(name);
    CHECK(reasons.at(name) == static_cast<int>(100 + i));
  }
}

TEST_CASE("/stats lists active alerts with name, age, detail and explanation", "[stats]") {
  auto snapshot = sampleSnapshot();
  snapshot.alerts.push_back({closewise::admin::AlertKind::CloseWait, "1 connection(s) ...",
                             closewise::admin::AlertClock(1000)});
  snapshot.nowMs = 3500;
  const json alerts = json::parse(statsJson(snapshot))["alerts"];
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0]["name"] == "close_wait");
  CHECK(alerts[0]["active_ms"] == 2500);
  CHECK(alerts[0]["detail"] == "1 connection(s) ...");
  CHECK_FALSE(alerts[0]["explanation"].get<std::string>().empty());
}
