// The demo route /stream with ms=0 writes its chunks one after another without waiting, as fast
// as the connection takes them, and ends with the last chunk. (A one-shot timer used to write the
// first chunk and then never fire again, so the answer stalled until a deadline ended it.)
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/demo_routes/demo_fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

// The chunked body /stream writes for `chunks` pieces: "chunk 0\n", "chunk 1\n", ... each in a
// chunk of its own (RFC 9112 section 7.1), then the last chunk.
std::string streamBody(std::size_t chunks) {
  std::string body;
  char size[16];
  for (std::size_t i = 0; i < chunks; ++i) {
    const std::string piece = "chunk " + std::to_string(i) + "\n";
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    body += size + piece + "\r\n";
  }
  return body + "0\r\n\r\n";
}

}  // namespace

TEST_CASE("/stream?chunks=N&ms=0 writes all N chunks at once and ends", "[http]") {
  const std::size_t chunks = GENERATE(std::size_t{1}, std::size_t{2}, std::size_t{5000});
  INFO("chunks = " << chunks);
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  client.send(get("/stream?chunks=" + std::to_string(chunks) + "&ms=0") + get("/"));

  // The request pipelined behind the stream is answered only after its last chunk.
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }, 2s));
  const std::string received = withDateMasked(client.received());
  const std::string head =
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: text/plain\r\n\r\n";
  REQUIRE(received.starts_with(head));
  const std::string body = streamBody(chunks);
  CHECK(received.compare(head.size(), body.size(), body) == 0);
  CHECK(received.substr(head.size() + body.size()).starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(fixture.tally().requests == 2);
}
