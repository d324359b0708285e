// A client that asks for 50 MB and never reads it. Its receive window closes, our writes stop
// making progress, and a graceful FIN would only queue behind bytes that will never be taken. At
// the write deadline closewise resets the connection (RFC 9293 section 3.10.7.1 ABORT), so the
// kernel drops the queued bytes, and the connection's memory is freed: the /bytes handler
// produces only as fast as the socket drains, so it never held more than the high-water mark.
#include <catch2/catch.hpp>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;
using lifecycle::CloseReason;
using lifecycle::Phase;

TEST_CASE("a client that never reads a 50 MB answer is reset at the write deadline",
          "[lifecycle][deadline]") {
  ServerFixture fixture([](server::WorkerOptions& o) { o.timeouts.write = 300ms; });
  RawClient& client = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return client.connected(); }));
  client.pauseReading();
  client.keepOnlyCount(true);
  client.send(get("/bytes?n=50000000"));
  REQUIRE(fixture.runUntil([&] { return fixture.inPhase(Phase::Writing) == 1; }));
  const auto writingSince = std::chrono::steady_clock::now();

  REQUIRE(fixture.runUntil([&] { return fixture.tally().open == 0; }, 5s));
  const auto took = std::chrono::steady_clock::now() - writingSince;
  INFO("reset after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                      << " ms of writing");
  // The buffers on both ends fill within a few ms; the deadline then runs 300 ms.
  // Lower bounds are loose on purpose: deadlines run on the loop's cached clock (uv_now), which
  // can lag the moment the test observed, so "not early" is checked with room to spare.
  CHECK(took >= 200ms);
  CHECK(took < 3s);
  CHECK(fixture.closedBy(CloseReason::WriteTimeout) == 1);
  CHECK(fixture.tally().closed == 1);

  // The kernel freed the socket and its queued megabytes at once: the RST left nothing behind
  // (a FIN would have left a FIN_WAIT socket holding the send queue).
  CHECK(fixture.kernelCount(kernel::TcpState::Established) == 0);
  CHECK(fixture.kernelCount(kernel::TcpState::FinWait1) == 0);
  CHECK(fixture.kernelCount(kernel::TcpState::FinWait2) == 0);

  // The client's side of the connection was reset, not finished: a FIN would leave the client's
  // socket in CLOSE_WAIT (it has not closed), an RST leaves it CLOSED and gone from the kernel's
  // tables. The kernel is asked rather than the client's read result, because libuv reports EOF
  // when POLLHUP comes with a partial read (uv__stream_io), hiding the ECONNRESET behind it.
  client.resumeReading();
  REQUIRE(fixture.runUntil([&] { return client.eof() || client.readError() != 0; }, 5s));
  INFO("client read " << client.receivedBytes() << " bytes, then "
                      << (client.eof() ? "EOF" : uv_err_name(client.readError())));
  CHECK(client.receivedBytes() < 50'000'000);
  kernel::KernelStateReader clientSide({client.localPort()});
  const kernel::KernelView view = clientSide.query();
  REQUIRE(view.error.empty());
  CHECK(view.count(kernel::TcpState::CloseWait) == 0);
  CHECK(view.count(kernel::TcpState::Established) == 0);
}
