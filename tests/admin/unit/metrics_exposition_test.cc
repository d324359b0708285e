// GET /metrics is valid Prometheus text (checked by a strict reader) and carries the families the
// issue names with the input's numbers.
#include <catch2/catch.hpp>

#include "admin/metrics.h"
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
  CHECK(doc.types.at("closewise_accepted_total") == "counter");
  CHECK(doc.value("closewise_accepted_total") == 1000);
  CHECK(doc.types.at("closewise_shed_total") == "counter");
  CHECK(doc.value("closewise_shed_total") == 17);
  CHECK(doc.types.at("closewise_closed_total") == "counter");
  CHECK(doc.value("closewise_closed_total", {{"reason", "peer_closed"}}) == 101);
  CHECK(doc.value("closewise_closed_total", {{"reason", "io_error"}}) ==
        100 + static_cast<int>(closewise::lifecycle::CloseReason::IoError));
  CHECK(doc.value("closewise_requests_total") == 5000);
  CHECK(doc.value("closewise_responses_total", {{"class", "4xx"}}) == 400);
  CHECK(doc.value("closewise_kernel_tcp_sockets", {{"state", "TIME_WAIT"}}) == 60);
  CHECK(doc.value("closewise_listen_queue", {{"address", "127.0.0.1:8080"}, {"kind", "pending"}}) ==
        7);
  CHECK(doc.value("closewise_listen_queue", {{"address", "[::1]:8080"}, {"kind", "backlog"}}) ==
        128);
  CHECK(doc.value("closewise_open_fds") == 77);
  CHECK(doc.value("closewise_fd_limit") == 1024);
  CHECK(doc.value("closewise_draining") == 1);
  CHECK(doc.value("closewise_alert_active", {{"alert", "close_wait"}}) == 0);
}

TEST_CASE("/metrics escapes label values", "[metrics]") {
  CHECK(closewise::admin::escapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}
