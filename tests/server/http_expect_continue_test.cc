// "Expect: 100-continue" (RFC 9110 section 10.1.1): a client that waits before sending its body
// gets the interim "HTTP/1.1 100 Continue" first, then, once the body arrived, the final answer.
// A client that did not wait (the body came with the head) needs no 100, and gets none.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

constexpr std::string_view kHead =
    "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
    "Expect: 100-continue\r\n\r\n";
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kAnswer =
    "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 5\r\n\r\nhello";

}  // namespace

TEST_CASE("Expect: 100-continue gets 100 Continue before the body, the answer after it") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(std::string(kHead));

  REQUIRE(fixture.runUntil([&] { return client.receivedBytes() >= kContinue.size(); }));
  // Nothing but the interim answer: the final one cannot exist before the body does.
  fixture.runFor(20ms);
  CHECK(client.received() == kContinue);

  client.send("hello");
  const std::string expected = std::string(kContinue) + std::string(kAnswer);
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK(fixture.tally().requests == 1);
}

TEST_CASE("Expect: 100-continue with the body already sent gets only the final answer") {
  ServerFixture fixture;
  RawClient& client = fixture.connect();
  client.send(std::string(kHead) + "hello");

  REQUIRE(
      fixture.runUntil([&] { return withDateMasked(client.received()).size() >= kAnswer.size(); }));
  CHECK(withDateMasked(client.received()) == kAnswer);
}
