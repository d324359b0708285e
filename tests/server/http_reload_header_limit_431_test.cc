// A reload that lowers --max-header-bytes applies to every request parsed after it, on new and
// kept connections alike. Parsers copy their limits and are pooled between requests, so neither
// a pooled one nor one that was in use during the reload may be used again.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::Phase;

namespace {

// A head of about 2 KiB: under the default 16 KiB limit, over 1 KiB.
std::string bigHead(std::string_view path) {
  return get(path, "X-Pad: " + std::string(2000, 'a') + "\r\n");
}

void lowerHeaderLimit(ServerFixture& fixture) {
  server::WorkerOptions options = fixture.worker().options();
  options.limits.maxHeaderBytes = 1024;
  fixture.worker().reconfigure(std::move(options));
}

std::string lastStatusLine(const std::string& received) {
  const auto at = received.rfind("HTTP/1.1 ");
  return at == std::string::npos ? std::string() : received.substr(at, 12);
}

}  // namespace

TEST_CASE("a lowered header limit applies to the next request on a kept connection",
          "[http][reload]") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(bigHead("/"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 1; }));
  REQUIRE(lastStatusLine(client.received()) == "HTTP/1.1 200");

  lowerHeaderLimit(fixture);
  client.send(bigHead("/"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  CHECK(lastStatusLine(client.received()) == "HTTP/1.1 431");
}

TEST_CASE("a parser in use during the reload is not used again afterwards", "[http][reload]") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(get("/delay?ms=50"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Processing) == 1; }));

  lowerHeaderLimit(fixture);
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 1; }));
  REQUIRE(lastStatusLine(client.received()) == "HTTP/1.1 200");
  client.send(bigHead("/"));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  CHECK(lastStatusLine(client.received()) == "HTTP/1.1 431");
}
