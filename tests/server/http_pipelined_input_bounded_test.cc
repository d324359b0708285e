// A client that pipelines a large volume while the first exchange is still open must not make
// the server buffer it all. While a handler works, the connection keeps reading (so it sees a FIN
// in every phase) but keeps at most a fixed cap of unparsed input; past the cap it stops reading
// and the bytes wait in the kernel, where TCP flow control (RFC 9293 section 3.8.6, the receive
// window) slows the client down at no cost to the server's memory. Once the exchange ends, the
// server reads on and answers everything, in order.
#include <sys/ioctl.h>

#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr int kRequests = 512;
constexpr std::size_t kBodyBase = 16 * 1024;
// The hold request, the connection's cap on unparsed input (64 KiB), and at most one more read
// of the worker's 64 KiB buffer that crossed it; twice that leaves room for any of them to grow
// a little without letting an unbounded buffer pass.
constexpr std::uint64_t kBound = 256 * 1024;

std::uint64_t serverBytesIn(ServerFixture& fixture) {
  std::uint64_t total = 0;
  fixture.worker().forEachConnection([&](server::Connection& c) { total += c.bytesIn(); });
  return total;
}

// Bytes the kernel holds for the server that it has not read (FIONREAD on its socket).
int kernelUnread(ServerFixture& fixture) {
  int unread = 0;
  fixture.worker().forEachConnection([&](server::Connection& c) {
    int n = 0;
    if (ioctl(c.fd(), FIONREAD, &n) == 0) unread += n;
  });
  return unread;
}

}  // namespace

TEST_CASE("pipelined input behind an open exchange stays bounded, then is all answered") {
  std::optional<server::Responder> held;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/hold",
              [&](const server::Request&, server::Responder r) { held.emplace(std::move(r)); });
    router.on("POST", "/size", [](const server::Request& request, server::Responder r) {
      r.send(200, std::to_string(request.body.size()) + "\n");
    });
  });
  RawClient& client = fixture.connect();
  REQUIRE(fixture.runUntil([&] { return client.connected(); }));
  client.pauseReading();  // this client never reads while it pushes
  client.send(get("/hold"));
  REQUIRE(fixture.runUntil([&] { return held.has_value(); }));

  // About 8.4 MiB: 512 requests with bodies of 16 KiB and up, each a different size, so the
  // answers (the sizes) show their order.
  std::string volume;
  std::string expected;
  for (int i = 0; i < kRequests; ++i) {
    const std::size_t size = kBodyBase + static_cast<std::size_t>(i);
    volume += "POST /size HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(size) +
              "\r\n\r\n" + std::string(size, 'v');
  }
  const std::uint64_t total = get("/hold").size() + volume.size();
  client.send(volume);

  // The server reads up to its cap and stops; the rest waits in the kernel and in the client.
  REQUIRE(fixture.runUntil(
      [&] { return serverBytesIn(fixture) > 64 * 1024 && kernelUnread(fixture) > 0; }));
  fixture.runFor(300ms);  // give an unbounded reader the time to show itself
  const std::uint64_t readWhileHeld = serverBytesIn(fixture);
  INFO("server read " << readWhileHeld << " of " << total << " bytes; kernel holds "
                      << kernelUnread(fixture));
  CHECK(readWhileHeld < kBound);
  CHECK(kernelUnread(fixture) > 0);
  CHECK(fixture.inPhase(lifecycle::Phase::Processing) == 1);

  // Answer the first request; the server reads on and answers the other 512 in order.
  REQUIRE(held->send(200, "released\n"));
  client.resumeReading();
  expected += "released\n";
  for (int i = 0; i < kRequests; ++i) {
    expected += std::to_string(kBodyBase + static_cast<std::size_t>(i)) + "\n";
  }
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == kRequests + 1; }, 20s));
  CHECK(serverBytesIn(fixture) == total);
  // The bodies of the answers, in order (each head ends with an empty line).
  std::string bodies;
  const std::string& wire = client.received();
  for (auto pos = wire.find("\r\n\r\n"); pos != std::string::npos;
       pos = wire.find("\r\n\r\n", pos)) {
    pos += 4;
    const auto next = wire.find("HTTP/1.1 ", pos);
    bodies += wire.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
  }
  CHECK(bodies == expected);
}
