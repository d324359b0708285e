// A route registered with streamBody gets its handler called as soon as the head is in, and the
// body then arrives in pieces as the client sends them, chunked framing removed; onEnd follows the
// last byte, after which the handler answers. A client that waits for 100 Continue gets it when
// the handler starts reading, not before.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

// What the handler of /upload saw, and its Responder while the body arrives.
struct Upload {
  std::optional<server::Responder> responder;
  std::string body;
  int pieces = 0;
  bool ended = false;
};

// Streams the body of POST /upload into `upload`; readBody() at once unless `deferRead`.
void addUploadRoute(server::Router& router, Upload& upload, bool deferRead = false) {
  router.on("POST", "/upload",
            [&upload, deferRead](const server::Request&, server::Responder responder) {
              upload.responder.emplace(std::move(responder));
              if (deferRead) return;
              upload.responder->readBody({.onData =
                                              [&upload](std::string_view piece) {
                                                upload.body += piece;
                                                ++upload.pieces;
                                              },
                                          .onEnd =
                                              [&upload] {
                                                upload.ended = true;
                                                upload.responder->send(
                                                    200, std::to_string(upload.body.size()) + "\n");
                                              },
                                          .onError = {}});
            },
            {.streamBody = true});
}

}  // namespace

TEST_CASE("a streamed chunked body reaches the handler piece by piece before it ends") {
  Upload upload;
  ServerFixture fixture({}, [&](server::Router& router) { addUploadRoute(router, upload); });
  RawClient& client = fixture.connect();
  client.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  // The handler runs on the head alone.
  REQUIRE(fixture.runUntil([&] { return upload.responder.has_value(); }));
  CHECK(upload.body.empty());
  CHECK(fixture.inPhase(lifecycle::Phase::Reading) == 1);

  client.send("5\r\nhello\r\n");
  REQUIRE(fixture.runUntil([&] { return upload.body == "hello"; }));
  client.send("6\r\n world\r\n");
  REQUIRE(fixture.runUntil([&] { return upload.body == "hello world"; }));
  CHECK(upload.pieces == 2);
  CHECK_FALSE(upload.ended);

  client.send("0\r\n\r\n");
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(upload.ended);
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 3\r\n\r\n11\n");
}

TEST_CASE("a streamed Content-Length body arrives whole, in as many pieces as reads") {
  Upload upload;
  ServerFixture fixture({}, [&](server::Router& router) { addUploadRoute(router, upload); });
  RawClient& client = fixture.connect();
  const std::size_t size = 1024 * 1024;
  client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(size) +
              "\r\n\r\n" + std::string(size, 'u'));
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(upload.body == std::string(size, 'u'));
  CHECK(upload.pieces > 1);
  CHECK(client.received().ends_with("\r\n\r\n" + std::to_string(size) + "\n"));
}

TEST_CASE("100 Continue goes out when the handler starts reading the body") {
  Upload upload;
  ServerFixture fixture({}, [&](server::Router& router) { addUploadRoute(router, upload, true); });
  RawClient& client = fixture.connect();
  client.send(
      "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  REQUIRE(fixture.runUntil([&] { return upload.responder.has_value(); }));
  fixture.runFor(30ms);
  CHECK(client.received().empty());  // the handler has not asked for the body yet

  REQUIRE(
      upload.responder->readBody({.onData = [&](std::string_view piece) { upload.body += piece; },
                                  .onEnd = [&] { upload.responder->send(200, upload.body); },
                                  .onError = {}}));
  // A second readBody is refused: the body has one reader.
  CHECK_FALSE(upload.responder->readBody({}));
  REQUIRE(fixture.runUntil([&] { return !client.received().empty(); }));
  CHECK(client.received() == "HTTP/1.1 100 Continue\r\n\r\n");
  client.send("hello");
  // The interim answer counts as a status line: the final one is the second.
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 2; }));
  CHECK(withDateMasked(client.received()) ==
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\n"
        "Content-Length: 5\r\n\r\nhello");
}

TEST_CASE("readBody on a route that buffers its body is refused") {
  bool refused = false;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("POST", "/whole", [&](const server::Request& request, server::Responder r) {
      refused = !r.readBody({});
      r.send(200, request.body);
    });
  });
  RawClient& client = fixture.connect();
  client.send("POST /whole HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
  REQUIRE(fixture.runUntil([&] { return client.responseCount() == 1; }));
  CHECK(refused);
  CHECK(client.received().ends_with("\r\n\r\nabc"));
}
