// --max-requests-per-connection recycles long-lived connections, so clients spread over new
// backends after a scale-up (nginx's keepalive_requests). The answer that reaches the limit says
// Connection: close (RFC 9112 section 9.6), and the close that follows is graceful, reason
// max_requests.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("with a limit of 2 requests, the 2nd answer says close and the connection closes",
          "[lifecycle][recycle]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.maxRequestsPerConnection = 2; });
  RawClient& client = fixture.connect();

  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Idle) == 1; }));
  REQUIRE(client.responseCount() == 1);
  CHECK(client.received().find("Connection: close") == std::string::npos);
  const std::size_t firstAnswerEnds = client.received().size();

  client.send(get("/"));
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }));
  CHECK(client.responseCount() == 2);
  const std::string second = client.received().substr(firstAnswerEnds);
  CHECK(second.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(second.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(second.ends_with("\r\n\r\nok\n"));
  CHECK(client.eof());
  CHECK_FALSE(client.resetByPeer());
  CHECK(fixture.closedBy(CloseReason::MaxRequests) == 1);
  CHECK(fixture.tally().requests == 2);

  // Graceful: our FIN went first and we linger for the client's.
  CHECK(fixture.inPhase(Phase::Closing) == 1);
  client.shutdownWrite();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }));
  CHECK(fixture.runUntil([&] { return fixture.kernelCount(kernel::TcpState::TimeWait) == 1; }, 1s));
}
