// Who closed an outbound connection first decides where its TIME_WAIT lands, and the split is made
// in one place (firstCloser): the upstream's FIN and the close it asked for (upstream_requested)
// are the upstream's; our own closes are ours; resets and failed connects are nobody's. /stats
// and /metrics both report that split.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "admin/metrics.h"
#include "admin/upstream_books.h"
#include "tests/admin/prometheus_text.h"
#include "tests/admin/pure_inputs.h"

using closewise::admin::FirstCloser;
using closewise::admin::firstCloser;
using closewise::lifecycle::CloseReason;
using nlohmann::json;

namespace {

closewise::admin::UpstreamBooks booksWithCloses() {
  auto b = closewise::test::sampleUpstream();  // idle_timeout 41, upstream_closed 13
  auto& byReason = b.pool.connections.closedByReason;
  byReason[static_cast<std::size_t>(CloseReason::UpstreamRequested)] = 3;
  byReason[static_cast<std::size_t>(CloseReason::NotReusable)] = 4;
  byReason[static_cast<std::size_t>(CloseReason::UpstreamReset)] = 5;
  byReason[static_cast<std::size_t>(CloseReason::ConnectRefused)] = 6;
  return b;
}

}  // namespace

TEST_CASE("who closes first, by close reason", "[upstream][who-closes-first]") {
  CHECK(firstCloser(CloseReason::UpstreamClosed) == FirstCloser::Upstream);
  CHECK(firstCloser(CloseReason::UpstreamRequested) == FirstCloser::Upstream);
  for (const auto reason : {CloseReason::IdleTimeout, CloseReason::NotReusable, CloseReason::Drain,
                            CloseReason::Cancelled, CloseReason::ResponseTimeout,
                            CloseReason::BodyTimeout, CloseReason::WriteTimeout}) {
    INFO(closewise::lifecycle::closeReasonName(reason));
    CHECK(firstCloser(reason) == FirstCloser::Us);
  }
  for (const auto reason :
       {CloseReason::None, CloseReason::UpstreamReset, CloseReason::IoError,
        CloseReason::ConnectRefused, CloseReason::ConnectTimeout, CloseReason::PortsExhausted}) {
    INFO(closewise::lifecycle::closeReasonName(reason));
    CHECK(firstCloser(reason) == FirstCloser::Neither);
  }
}

TEST_CASE("/stats and /metrics report the same who-closed-first split",
          "[upstream][who-closes-first]") {
  auto snapshot = closewise::test::sampleSnapshot();
  snapshot.upstreams = {booksWithCloses()};

  const json split = json::parse(
      closewise::admin::statsJson(snapshot))["upstreams"]["backend"]["totals"]["closed_first_by"];
  CHECK(split["us"] == 41 + 4);
  CHECK(split["upstream"] == 13 + 3);

  const auto doc = closewise::test::parsePrometheusText(closewise::admin::metricsText(snapshot));
  REQUIRE(doc.error.empty());
  CHECK(doc.types.at("closewise_upstream_closed_first_total") == "counter");
  CHECK(doc.value("closewise_upstream_closed_first_total",
                  {{"upstream", "backend"}, {"by", "us"}}) == 41 + 4);
  CHECK(doc.value("closewise_upstream_closed_first_total",
                  {{"upstream", "backend"}, {"by", "upstream"}}) == 13 + 3);
}
