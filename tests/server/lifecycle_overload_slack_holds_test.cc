// Above --max-connections, a connection gets a 503 and a lingering close, but at most
// overloadSlack of those linger at once; beyond that it is reset, since an fd is worth more than
// a 503. The count must follow the 503s exactly: a reset connection was never counted, so its
// release must not uncount one, or every reset under a flood lets one more 503 linger.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

namespace {

bool answered503(const RawClient& c) {
  return c.received().rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0;
}

// The RST can overtake the client's own view of the handshake: libuv then reports it to the
// connect callback rather than to a read.
bool wasReset(const RawClient& c) {
  return c.readError() == UV_ECONNRESET || c.connectStatus() == UV_ECONNRESET;
}

}  // namespace

TEST_CASE("with overloadSlack 2, the 3rd and every later overload connection is reset",
          "[lifecycle][overload]") {
  ServerFixture fixture([](server::WorkerOptions& o) {
    o.maxConnections = 1;
    o.overloadSlack = 2;
    o.timeouts.linger = o.timeouts.lingerRead = 30s;  // the 503s linger for the whole test
  });
  RawClient& admitted = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().accepted == 1; }));

  std::vector<RawClient*> over;
  for (int i = 0; i < 5; ++i) {
    RawClient& c = fixture.connect();
    over.push_back(&c);
    // One at a time, each until the server has finished with it: a reset connection is released
    // (and, before the fix, uncounted) before the next one arrives.
    const bool handled = fixture.runUntil(
        [&] { return (answered503(c) && c.eof()) || (wasReset(c) && fixture.tally().open == 3); });
    INFO("overload connection " << i << ": received " << c.received().size() << " bytes, eof "
                                << c.eof() << ", read error " << c.readError() << ", connect "
                                << c.connectStatus() << ", open " << fixture.tally().open);
    REQUIRE(handled);
  }
  CHECK(answered503(*over[0]));
  CHECK(answered503(*over[1]));
  for (std::size_t i = 2; i < over.size(); ++i) {
    INFO("overload connection " << i);
    CHECK(over[i]->received().empty());
    CHECK(wasReset(*over[i]));
  }
  CHECK(fixture.inPhase(Phase::Closing) == 2);
  CHECK(fixture.closedBy(CloseReason::Overload) == 5);
  CHECK_FALSE(admitted.eof());
}
