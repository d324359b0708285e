// --min-receive-rate: the body deadline is per read, so a client that sends a few bytes of a
// large body every few seconds never misses it (slowhttptest -B) and holds its connection for
// as long as it likes. Over each body-timeout window the body must arrive at the floor or faster;
// slower is a 408 (RFC 9110 section 15.5.9) and a close, reason slow_body. A body that arrives
// above the floor, however slowly otherwise, is read to the end.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

namespace {

void floorOf1000(server::WorkerOptions& o) {
  o.timeouts.body = 100ms;
  o.timeouts.minReceiveRate = 1000;
}

std::string echoHead(std::size_t length) {
  return "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(length) + "\r\n\r\n";
}

}  // namespace

TEST_CASE("a body trickling in below --min-receive-rate is a 408, reason slow_body",
          "[lifecycle][rate]") {
  ServerFixture fixture(floorOf1000);
  RawClient& client = fixture.connect();
  client.send(echoHead(100'000));
  // 10 bytes every 20 ms: 500 bytes a second, never 100 ms apart, so never a body timeout.
  for (int i = 0; i < 50 && !client.eof() && client.readError() == 0; ++i) {
    client.send(std::string(10, 'b'));
    fixture.runFor(20ms);
  }
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  const std::string body = "request body too slow\n";
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 408 Request Timeout\r\nDate: *\r\nServer: closewise\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  CHECK(fixture.closedBy(CloseReason::SlowBody) == 1);
  CHECK(fixture.closedBy(CloseReason::BodyTimeout) == 0);
}

TEST_CASE("a body arriving above --min-receive-rate is read to the end", "[lifecycle][rate]") {
  ServerFixture fixture(floorOf1000);
  RawClient& client = fixture.connect();
  client.send(echoHead(2'000));
  // 100 bytes every 20 ms: 5,000 bytes a second, for 400 ms, four body timeouts.
  for (int i = 0; i < 20; ++i) {
    client.send(std::string(100, 'b'));
    fixture.runFor(20ms);
  }
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() >= 2'000; }));
  CHECK(client.received().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(client.received().find(std::string(2'000, 'b')) != std::string::npos);
  CHECK(fixture.tally().closed == 0);
}
