// The demo routes check their query numbers and answer 400 (RFC 9110 section 15.5.1) for a value
// that is missing, not a plain decimal, or out of range. The 400 is the handler's own answer to a
// well-formed request, so unlike a framing error it does not end the connection.
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/demo_routes/demo_fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

std::string badRequest(std::string_view body) {
  return "HTTP/1.1 400 Bad Request\r\nDate: *\r\nServer: closewise\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
         std::string(body);
}

constexpr std::string_view kDelay = "ms must be an integer from 0 to 600000\n";
constexpr std::string_view kBytes = "n must be an integer from 0 to 1073741824\n";
constexpr std::string_view kStream = "chunks must be 0..1000000 and ms 0..60000\n";

}  // namespace

TEST_CASE("demo routes answer 400 to bad query values and keep the connection") {
  const std::vector<std::pair<std::string, std::string_view>> cases = {
      {"/delay", kDelay},                         // missing
      {"/delay?ms=", kDelay},                     // empty
      {"/delay?ms=abc", kDelay},                  // not a number
      {"/delay?ms=-1", kDelay},                   // negative
      {"/delay?ms=10x", kDelay},                  // trailing garbage
      {"/delay?ms=600001", kDelay},               // over the maximum
      {"/bytes?n=1073741825", kBytes},            // over 1 GiB
      {"/bytes?n=99999999999999999999", kBytes},  // over 2^64
      {"/stream?chunks=3", kStream},              // ms missing
      {"/stream?chunks=1000001&ms=1", kStream},   // too many chunks
      {"/stream?chunks=1&ms=60001", kStream},     // too slow
  };
  DemoFixture fixture;
  RawClient& client = fixture.connect();
  std::string requests;
  std::string expected;
  for (const auto& [target, body] : cases) {
    requests += get(target);
    expected += badRequest(body);
  }
  // A good request last: the connection is still usable after every 400.
  requests += get("/delay?ms=0");
  expected +=
      "HTTP/1.1 200 OK\r\nDate: *\r\nServer: closewise\r\nContent-Length: 8\r\n"
      "Content-Type: text/plain\r\n\r\ndelayed\n";
  client.send(requests);

  REQUIRE(fixture.runUntil([&] { return client.responseCount() == cases.size() + 1; }));
  REQUIRE(fixture.runUntil(
      [&] { return withDateMasked(client.received()).size() >= expected.size(); }));
  CHECK(withDateMasked(client.received()) == expected);
  CHECK(fixture.tally().closed == 0);
}
