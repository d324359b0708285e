// The offload example of docs/handler-api.md, compiled and exercised, so the documentation cannot
// drift from the API. Everything between the BEGIN and END markers is quoted in the doc verbatim.
#include <catch2/catch.hpp>
#include <string>

#include "tests/server/json_exchange.h"
#include "tests/support/fixture.h"

// BEGIN offload example
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "server/json.h"
#include "server/offload.h"
#include "server/router.h"

namespace example {

using closewise::server::offload;
using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::sendJson;
using closewise::server::sendJsonError;

// Work that holds a thread for a while: the sieve of Eratosthenes, which for ten million takes
// long enough that, run on the loop, it would stall every other connection of the worker.
std::uint64_t countPrimesBelow(std::uint64_t limit) {
  if (limit < 3) return 0;
  std::vector<bool> composite(limit, false);
  std::uint64_t count = 0;
  for (std::uint64_t n = 2; n < limit; ++n) {
    if (composite[n]) continue;
    ++count;
    for (std::uint64_t multiple = n * n; multiple < limit; multiple += n)
      composite[multiple] = true;
  }
  return count;
}

// GET /primes?below=N answers {"below": N, "primes": count}.
void primes(const Request& request, Responder responder) {
  const std::string_view text = request.queryParam("below").value_or("");
  std::uint64_t below = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), below);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      below > 100'000'000) {
    sendJsonError(responder, 400, "below must be a whole number up to 100000000");
    return;
  }
  offload(
      std::move(responder),
      // On a pool thread. It gets copies of what it needs, never the Request or the Responder:
      // they belong to the loop, and the Request may serve another client once the exchange ends.
      [below] { return countPrimesBelow(below); },
      // Back on the loop, with the Responder. Not called if the client left meanwhile.
      [below](Responder answer, std::uint64_t count) {
        sendJson(answer, 200, {{"below", below}, {"primes", count}});
      });
}

}  // namespace example
// END offload example

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("offload example: primes are counted on the pool and answered in JSON") {
  ServerFixture fixture(
      {}, [](server::Router& router) { router.on("GET", "/primes", &example::primes); });
  RawClient& client = fixture.connect();
  client.send(get("/primes?below=100"));
  REQUIRE(fixture.runUntil([&] { return !answerJson(client.received()).is_discarded(); }));
  CHECK(client.received().starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(answerJson(client.received()) == nlohmann::json{{"below", 100}, {"primes", 25}});
}

TEST_CASE("offload example: a bad number is refused on the loop, nothing offloaded") {
  ServerFixture fixture(
      {}, [](server::Router& router) { router.on("GET", "/primes", &example::primes); });
  RawClient& client = fixture.connect();
  client.send(get("/primes?below=lots"));
  REQUIRE(fixture.runUntil([&] { return !answerJson(client.received()).is_discarded(); }));
  CHECK(client.received().starts_with("HTTP/1.1 400 Bad Request\r\n"));
}
