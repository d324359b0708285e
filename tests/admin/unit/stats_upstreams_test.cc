// GET /stats carries one entry per upstream under "upstreams": its URL, its pools' connections by
// phase, its totals (errors by the names logs use, closes by reason) and the kernel's states of
// the sockets toward it, each holding the number from the input it names.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/admin/pure_inputs.h"

using closewise::admin::statsJson;
using closewise::admin::UpstreamBooks;
using closewise::kernel::TcpState;
using closewise::test::named;
using closewise::test::sampleUpstream;
using closewise::upstream::ErrorKind;
using nlohmann::json;

namespace {

std::int64_t errorsOf(ErrorKind kind) {
  return 20 + static_cast<std::int64_t>(kind);
}

}  // namespace

TEST_CASE("/stats upstreams reports each upstream's books under its name", "[stats][upstream]") {
  auto snapshot = closewise::test::sampleSnapshot();
  snapshot.upstreams = {sampleUpstream(), named("other", "http://o:1")};
  const json up = json::parse(statsJson(snapshot))["upstreams"];

  REQUIRE(up.size() == 2);
  const json& b = up.at("backend");
  CHECK(b["url"] == "http://10.0.0.7:8080");
  CHECK(b["connections"]["connecting"] == 1);
  CHECK(b["connections"]["active"] == 2 + 3 + 4);
  CHECK(b["connections"]["idle"] == 5);
  CHECK(b["connections"]["queued"] == 6);
  CHECK(b["totals"]["requests"] == 700);
  CHECK(b["totals"]["connects"] == 60);
  CHECK(b["totals"]["reuses"] == 640);
  CHECK(b["totals"]["retries"] == 7);
  CHECK(b["totals"]["cancelled"] == 8);
  CHECK(b["totals"]["closed_by_reason"]["idle_timeout"] == 41);
  CHECK(b["totals"]["closed_by_reason"]["upstream_closed"] == 13);
  CHECK(b["kernel"]["ESTABLISHED"] == 9);
  CHECK(b["kernel"]["TIME_WAIT"] == 54);
  CHECK(b["kernel"]["CLOSE_WAIT"] == 2);
  CHECK(up.at("other")["totals"]["requests"] == 0);
}

TEST_CASE("/stats upstream errors carry every kind under the name logs use", "[stats][upstream]") {
  auto snapshot = closewise::test::sampleSnapshot();
  snapshot.upstreams = {sampleUpstream()};
  const json errors = json::parse(statsJson(snapshot))["upstreams"]["backend"]["totals"]["errors"];

  CHECK(errors.size() == closewise::upstream::kErrorKindCount);
  CHECK(errors["connect_refused"] == errorsOf(ErrorKind::ConnectRefused));
  CHECK(errors["connect_timeout"] == errorsOf(ErrorKind::ConnectTimeout));
  CHECK(errors["response_timeout"] == errorsOf(ErrorKind::ResponseTimeout));
  CHECK(errors["queue_timeout"] == errorsOf(ErrorKind::QueueTimeout));
  CHECK(errors["ports_exhausted"] == errorsOf(ErrorKind::PortsExhausted));
  CHECK(errors["protocol_error"] == errorsOf(ErrorKind::ProtocolError));
  // A reset is its own kind; any other socket error is io_error, never folded into it.
  CHECK(errors["upstream_reset"] == errorsOf(ErrorKind::UpstreamReset));
  CHECK(errors["io_error"] == errorsOf(ErrorKind::IoError));
}

TEST_CASE("/stats upstream kernel states use the same keys as the server's", "[stats][upstream]") {
  auto snapshot = closewise::test::sampleSnapshot();
  snapshot.upstreams = {sampleUpstream()};
  const json stats = json::parse(statsJson(snapshot));
  for (const auto& [state, count] : stats["kernel"]["tcp_states"].items()) {
    INFO(state);
    CHECK(stats["upstreams"]["backend"]["kernel"].contains(state));
  }
}

TEST_CASE("/stats upstreams is an empty object without upstreams", "[stats][upstream]") {
  const json stats = json::parse(statsJson(closewise::test::sampleSnapshot()));
  CHECK(stats["upstreams"] == json::object());
}
