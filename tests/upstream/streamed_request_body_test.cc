// A streamed request body: the caller feeds it while the request is under way. Without a known
// length it goes out chunked (RFC 9112 section 7.1), with one under that Content-Length; pieces
// leave as they are written, before the body ends; write() asks for no more above the queue's
// high-water mark and onWritable says when to go on; an end() short of the length fails the
// request instead of sending it short.
#include <catch2/catch.hpp>

#include "tests/upstream/pool_harness.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

upstream::Request streamedPost(std::optional<std::uint64_t> length = std::nullopt) {
  upstream::Request request{"POST", "/upload", {}, {}};
  request.streamed = true;
  request.streamedLength = length;
  return request;
}

bool endsWith(const std::string& text, std::string_view tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

TEST_CASE("a streamed body of unknown length goes out chunked, piece by piece", "[pool][stream]") {
  // The fake upstream sees a head without a length as a whole request: it answers by hand below.
  PoolHarness h([](FakePeer&, const std::string&) {});
  Outcome& o = h.send(streamedPost());
  upstream::RequestHandle& handle = h.handle(0);
  CHECK(handle.write("hello"));  // queued: the request waits for its connection
  REQUIRE(h.fx.runUntil([&] {
    return h.upstream.accepted() == 1 && endsWith(h.upstream.peer(0).received(), "5\r\nhello\r\n");
  }));
  const std::string& wire = h.upstream.peer(0).received();
  CHECK(wire.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
  CHECK(wire.find("Content-Length") == std::string::npos);

  CHECK(handle.write(" world"));
  REQUIRE(
      h.fx.runUntil([&] { return endsWith(h.upstream.peer(0).received(), "6\r\n world\r\n"); }));
  CHECK(handle.end());
  REQUIRE(h.fx.runUntil([&] { return endsWith(h.upstream.peer(0).received(), "\r\n0\r\n\r\n"); }));
  CHECK_FALSE(handle.write("late"));  // the body has ended

  h.upstream.peer(0).send(okResponse("got it"));
  REQUIRE(h.runUntilDone(o));
  CHECK(o.ended);
  CHECK(o.body == "got it");
}

TEST_CASE("a streamed body of known length goes out under its Content-Length", "[pool][stream]") {
  std::string seen;
  PoolHarness h([&](FakePeer& peer, const std::string& request) {
    seen = request;
    peer.send(okResponse("whole"));
  });
  Outcome& o = h.send(streamedPost(10));
  upstream::RequestHandle& handle = h.handle(0);
  REQUIRE(h.fx.runUntil([&] { return h.upstream.accepted() == 1; }));
  CHECK(handle.write("01234"));
  REQUIRE(h.fx.runUntil([&] { return endsWith(h.upstream.peer(0).received(), "01234"); }));
  CHECK(h.upstream.requests() == 0);            // half a body: the upstream still waits
  CHECK_FALSE(handle.write("56789-too-long"));  // past the length: refused
  CHECK(handle.write("56789"));
  CHECK(handle.end());
  REQUIRE(h.runUntilDone(o));
  CHECK(o.body == "whole");
  CHECK(seen.find("Content-Length: 10\r\n") != std::string::npos);
  CHECK(endsWith(seen, "\r\n\r\n0123456789"));
  // Sent whole and answered whole: the connection goes back to the pool.
  REQUIRE(h.fx.runUntil([&] { return h.books().connections.in(lifecycle::Phase::Idle) == 1; }));
}

TEST_CASE("write() asks for no more above the high-water mark, and onWritable resumes",
          "[pool][stream]") {
  constexpr std::size_t kTotal = 4 * 1024 * 1024;
  std::size_t seenLength = 0;
  PoolHarness h([&](FakePeer& peer, const std::string& request) {
    seenLength = request.size();
    peer.send(okResponse("done"));
  });
  Outcome& o = h.send(streamedPost(kTotal));
  upstream::RequestHandle& handle = h.handle(0);
  const std::string piece(16 * 1024, 's');
  std::size_t written = 0;
  int refusals = 0;
  int wakeups = 0;
  std::function<void()> pump = [&] {
    while (written < kTotal) {
      written += piece.size();
      if (!handle.write(piece)) {
        ++refusals;
        if (written < kTotal) {
          handle.onWritable([&] {
            ++wakeups;
            pump();
          });
          return;
        }
      }
    }
    handle.end();
  };
  pump();
  REQUIRE(h.runUntilDone(o, 10s));
  CHECK(o.ended);
  CHECK(refusals > 0);
  CHECK(wakeups > 0);
  CHECK(seenLength > kTotal);  // the head and all of the body
}

TEST_CASE("an end() short of the length fails the request", "[pool][stream]") {
  PoolHarness h([](FakePeer& peer, const std::string&) { peer.send(okResponse("no")); });
  Outcome& o = h.send(streamedPost(10));
  upstream::RequestHandle& handle = h.handle(0);
  CHECK(handle.write("short"));
  CHECK_FALSE(handle.end());
  REQUIRE(o.error);
  CHECK_FALSE(handle.active());
}

TEST_CASE("a streamed body that began to go out is not retried, even for PUT", "[pool][stream]") {
  // Connection 0 answers its first request and drops the second without a byte of response: the
  // keep-alive race. A whole-body PUT would be sent again; a streamed one cannot be.
  PoolHarness h([](FakePeer& peer, const std::string&) {
    if (peer.index() == 0 && peer.requests() == 2) {
      peer.close();
      return;
    }
    peer.send(okResponse("fine"));
  });
  REQUIRE(h.runUntilDone(h.send()));
  upstream::Request put = streamedPost(4);
  put.method = "PUT";
  Outcome& o = h.send(std::move(put));
  CHECK(h.handle(1).write("data"));
  CHECK(h.handle(1).end());
  REQUIRE(h.runUntilDone(o));
  REQUIRE(o.error);
  CHECK(o.error->kind == upstream::ErrorKind::UpstreamClosed);
  CHECK(h.books().retries == 0);
  CHECK(h.upstream.accepted() == 1);
}
