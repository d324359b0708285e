// The write deadline measures progress, bytes leaving the socket, not the completion of a whole
// queued write (docs/lifecycle.md). /echo answers with one send() of the whole body, so all of it
// that the kernel does not take at once sits in one queued write, which libuv reports only when
// the last byte has left. A client reading that answer slowly but steadily takes longer than the
// write timeout to drain it, yet never stops: it must get the whole answer. One that stops must
// still be reset at the deadline.
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/paced_reader.h"
#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;

namespace {

constexpr std::size_t kBody = 1'000'000;

std::string echoRequest() {
  return "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(kBody) + "\r\n\r\n" + std::string(kBody, 'e');
}

void shortWriteTimeout(server::WorkerOptions& o) {
  o.timeouts.write = 100ms;
}

// 32 KiB every 10 ms: about 3 MB/s, so the 1 MB answer takes about 300 ms to read, three write
// timeouts, while the kernel reports progress every few tens of milliseconds.
constexpr PacedReader::Pace kSteady{32 * 1024, 10ms, std::numeric_limits<std::size_t>::max(),
                                    64 * 1024};

}  // namespace

TEST_CASE("a client reading a 1 MB answer slowly but steadily gets all of it",
          "[lifecycle][deadline]") {
  ServerFixture fixture(shortWriteTimeout);
  PacedReader reader(fixture.port(), echoRequest(), kSteady);
  REQUIRE(fixture.runUntil([&] { return reader.received() > kBody; }, 10s));
  CHECK(reader.error() == 0);
  CHECK(fixture.closedBy(CloseReason::WriteTimeout) == 0);
  CHECK(fixture.tally().closed == 0);
  CHECK(fixture.inPhase(lifecycle::Phase::Idle) == 1);
}

TEST_CASE("a client that stops reading mid-answer is still reset at the write deadline",
          "[lifecycle][deadline]") {
  ServerFixture fixture(shortWriteTimeout);
  PacedReader::Pace stops = kSteady;
  stops.stopAfter = 300'000;
  PacedReader reader(fixture.port(), echoRequest(), stops);
  REQUIRE(fixture.runUntil([&] { return reader.stopped(); }, 10s));
  const auto stoppedAt = std::chrono::steady_clock::now();
  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 5s));
  const auto took = std::chrono::steady_clock::now() - stoppedAt;
  INFO("reset " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                << " ms after the client stopped reading");
  // Within two write timeouts of the last progress, with room for a loaded machine.
  CHECK(took < 2s);
  CHECK(fixture.closedBy(CloseReason::WriteTimeout) == 1);
  CHECK(reader.received() == 300'000);
}
