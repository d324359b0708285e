// GET /metrics is valid Prometheus text (checked by a strict reader) and carries the families the
// issue names with the input's numbers.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>

#include "admin/metrics.h"
#include "server/request_metrics.h"
#include "tests/admin/prometheus_text.h"
#include "tests/admin/pure_inputs.h"

using closewise::admin::metricsText;
using closewise::test::parsePrometheusText;
using closewise::test::sampleSnapshot;

TEST_CASE("the strict reader refuses what the format forbids", "[metrics]") {
  // If the reader accepted these, the test below could not fail.
  const char* bad[] = {
      "x 1\n",                                                     // no TYPE
      "# TYPE x gauge\nx 1",                                       // no final line feed
      "# TYPE x gauge\nx{a=\"1\"} one\n",                          // value not numeric
      "# TYPE x gauge\nx{1a=\"1\"} 1\n",                           // bad label name
      "# TYPE x gauge\nx{a=\"\\t\"} 1\n",                          // bad escape
      "# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n",                    // repeated label
      "# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx{a=\"b\"} 2\n",  // family not adjacent
      "# TYPE x gauge\nx 1\n# TYPE x gauge\n",                     // second TYPE
      "# TYPE x counter\nx 1\n",                                   // counter without _total
      "# TYPE x gauge\nx 1\nx 2\n",                                // series repeated
      "# TYPE x gauge\nx  1\n",                                    // two spaces
      "# TYPE x frobnicator\nx 1\n",                               // unknown type
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(parsePrometheusText(text).error.empty());
  }
  CHECK(parsePrometheusText("# HELP x h\n# TYPE x gauge\nx{a=\"q\\\"\\\\\\n\"} -1.5e3\n")
            .error.empty());
}

TEST_CASE("/metrics text parses and carries every family the issue names", "[metrics]") {
  auto snapshot = sampleSnapshot();
  snapshot.kernel.listenQueues.push_back({"[::1]:8080", 0, 128});
  snapshot.server.draining = true;
  const auto doc = parsePrometheusText(metricsText(snapshot));
  INFO(doc.error);
  REQUIRE(doc.error.empty());

  CHECK(doc.types.at("closewise_connections") == "gauge");
  CHECK(doc.value("closewise_connections", {{"state", "idle"}}) == 4);
  CHECK(doc.value("closewise_connections", {{"state", "half_closed"}}) == 5);
  CHECK(doc.types.at("closewise_connections_accepted_total") == "counter");
  CHECK(doc.value("closewise_connections_accepted_total") == 1000);
  CHECK(doc.types.at("closewise_connections_shed_total") == "counter");
  CHECK(doc.value("closewise_connections_shed_total") == 17);
  CHECK(doc.types.at("closewise_connections_closed_total") == "counter");
  CHECK(doc.value("closewise_connections_closed_total", {{"reason", "peer_closed"}}) == 101);
  CHECK(doc.value("closewise_connections_closed_total", {{"reason", "io_error"}}) ==
        100 + static_cast<int>(closewise::lifecycle::CloseReason::IoError));
  CHECK(doc.value("closewise_http_requests_total") == 5000);
  CHECK(doc.value("closewise_http_responses_total", {{"class", "4xx"}}) == 400);
  CHECK(doc.value("closewise_kernel_tcp_sockets", {{"state", "TIME_WAIT"}}) == 60);
  CHECK(doc.value("closewise_listen_queue_pending", {{"address", "127.0.0.1:8080"}}) == 7);
  CHECK(doc.value("closewise_listen_queue_backlog", {{"address", "[::1]:8080"}}) == 128);
  CHECK(doc.value("process_open_fds") == 77);
  CHECK(doc.value("process_max_fds") == 1024);
  CHECK(doc.value("closewise_draining") == 1);
  CHECK(doc.value("closewise_alert_active", {{"alert", "close_wait"}}) == 0);
}

TEST_CASE("/metrics carries each upstream's books and kernel states under its name", "[metrics]") {
  auto snapshot = sampleSnapshot();
  snapshot.upstreams = {closewise::test::sampleUpstream(),
                        closewise::test::named("other", "http://o:1")};
  const auto doc = parsePrometheusText(metricsText(snapshot));
  INFO(doc.error);
  REQUIRE(doc.error.empty());
  using closewise::upstream::ErrorKind;
  const std::map<std::string, std::string> backend = {{"upstream", "backend"}};
  const auto with = [&](const char* name, const char* value) {
    auto labels = backend;
    labels[name] = value;
    return labels;
  };

  CHECK(doc.types.at("closewise_upstream_connections") == "gauge");
  CHECK(doc.value("closewise_upstream_connections", with("state", "connecting")) == 1);
  CHECK(doc.value("closewise_upstream_connections", with("state", "awaiting_response")) == 3);
  CHECK(doc.value("closewise_upstream_connections", with("state", "idle")) == 5);
  CHECK(doc.value("closewise_upstream_requests_total", backend) == 700);
  CHECK(doc.value("closewise_upstream_connects_total", backend) == 60);
  CHECK(doc.value("closewise_upstream_reuses_total", backend) == 640);
  CHECK(doc.value("closewise_upstream_retries_total", backend) == 7);
  CHECK(doc.types.at("closewise_upstream_errors_total") == "counter");
  CHECK(doc.value("closewise_upstream_errors_total", with("kind", "queue_timeout")) ==
        20 + static_cast<int>(ErrorKind::QueueTimeout));
  CHECK(doc.value("closewise_upstream_closed_total", with("reason", "idle_timeout")) == 41);
  CHECK(doc.value("closewise_upstream_kernel_tcp_sockets", with("state", "TIME_WAIT")) == 54);
  CHECK(doc.value("closewise_upstream_requests_total", {{"upstream", "other"}}) == 0);
}

TEST_CASE("/metrics has no upstream family without upstreams", "[metrics]") {
  const auto doc = parsePrometheusText(metricsText(sampleSnapshot()));
  REQUIRE(doc.error.empty());
  CHECK(doc.types.count("closewise_upstream_connections") == 0);
}

TEST_CASE("/metrics escapes label values", "[metrics]") {
  CHECK(closewise::admin::escapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

TEST_CASE("/metrics has the process families under the standard names", "[metrics]") {
  auto snapshot = sampleSnapshot();
  snapshot.process.cpuSeconds = 12.5;
  snapshot.process.startTimeSeconds = 1.7e9;
  snapshot.process.loopUtilization = 0.25;
  const auto doc = parsePrometheusText(metricsText(snapshot));
  REQUIRE(doc.error.empty());
  CHECK(doc.types.at("process_cpu_seconds_total") == "counter");
  CHECK(doc.value("process_cpu_seconds_total") == 12.5);
  CHECK(doc.value("process_start_time_seconds") == 1.7e9);
  CHECK(doc.types.at("process_resident_memory_bytes") == "gauge");
  CHECK(doc.value("closewise_loop_utilization_ratio") == 0.25);
}

TEST_CASE("/metrics has the request-duration and response-size histograms", "[metrics]") {
  closewise::server::RequestMetrics metrics;
  metrics.record("GET", 200, 0.003, 150);   // first bucket; second size bucket
  metrics.record("GET", 200, 0.2, 20'000);  // le 0.25
  metrics.record("GET", 200, 60.0, 5);      // above every bound: +Inf only
  metrics.record("BREW", 503, 0.01, 100);   // an unknown method counts as "other"
  auto snapshot = sampleSnapshot();
  snapshot.server.requests = metrics.snapshot();
  const auto doc = parsePrometheusText(metricsText(snapshot));
  INFO(doc.error);
  REQUIRE(doc.error.empty());
  CHECK(doc.types.at("closewise_http_request_duration_seconds") == "histogram");
  const std::map<std::string, std::string> get2xx{{"method", "GET"}, {"status_class", "2xx"}};
  const auto bucket = [&](const char* name, std::map<std::string, std::string> labels,
                          const char* le) {
    labels["le"] = le;
    return doc.value(name, labels);
  };
  CHECK(bucket("closewise_http_request_duration_seconds_bucket", get2xx, "0.005") == 1);
  CHECK(bucket("closewise_http_request_duration_seconds_bucket", get2xx, "0.1") == 1);
  CHECK(bucket("closewise_http_request_duration_seconds_bucket", get2xx, "0.25") == 2);
  CHECK(bucket("closewise_http_request_duration_seconds_bucket", get2xx, "10") == 2);
  CHECK(bucket("closewise_http_request_duration_seconds_bucket", get2xx, "+Inf") == 3);
  CHECK(doc.value("closewise_http_request_duration_seconds_count", get2xx) == 3);
  CHECK(doc.value("closewise_http_request_duration_seconds_sum", get2xx) == Approx(60.203));
  CHECK(bucket("closewise_http_response_size_bytes_bucket", get2xx, "100") == 1);
  CHECK(bucket("closewise_http_response_size_bytes_bucket", get2xx, "1000") == 2);
  CHECK(bucket("closewise_http_response_size_bytes_bucket", get2xx, "100000") == 3);
  CHECK(doc.value("closewise_http_request_duration_seconds_count",
                  {{"method", "other"}, {"status_class", "5xx"}}) == 1);
  // A series appears with its first exchange.
  CHECK(std::isnan(doc.value("closewise_http_request_duration_seconds_count",
                             {{"method", "POST"}, {"status_class", "2xx"}})));
}
