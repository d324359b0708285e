// Names are resolved on the loop (uv_getaddrinfo), cached, refreshed once older than the bound,
// forgotten on demand (after a connect failure), and lookups under way are shared.
#include <catch2/catch.hpp>

#include "kernel/address.h"
#include "tests/upstream/loop_fixture.h"
#include "upstream/origin.h"

using namespace closewise;
using namespace closewise::testing;

TEST_CASE("a name is looked up once, shared, cached, refreshed and forgotten", "[origin]") {
  LoopFixture fx;
  auto parsed = upstream::parseOrigin("http://localhost:8123");
  REQUIRE(parsed.origin);
  upstream::Resolver resolver(fx.loop(), *parsed.origin, 10'000ms);

  int answers = 0;
  int status = 1;
  std::vector<std::string> seen;
  auto record = [&](int st, const upstream::Resolver::Addresses& addresses) {
    ++answers;
    status = st;
    seen.clear();
    for (const auto& a : addresses) seen.push_back(kernel::formatSocketAddress(a));
  };
  resolver.resolve(record);
  resolver.resolve(record);  // joins the lookup under way
  CHECK(resolver.busy());
  REQUIRE(fx.runUntil([&] { return answers == 2; }));
  CHECK(status == 0);
  REQUIRE_FALSE(seen.empty());
  CHECK((seen.front() == "127.0.0.1:8123" || seen.front() == "[::1]:8123"));
  CHECK(resolver.lookups() == 1);

  resolver.resolve(record);  // fresh: answered at once from the cache
  CHECK(answers == 3);
  CHECK(resolver.lookups() == 1);

  resolver.forget();
  resolver.resolve(record);
  REQUIRE(fx.runUntil([&] { return answers == 4; }));
  CHECK(resolver.lookups() == 2);
}

TEST_CASE("a cache older than its bound is looked up again", "[origin]") {
  LoopFixture fx;
  upstream::Resolver resolver(fx.loop(), *upstream::parseOrigin("http://127.0.0.1:1").origin, 20ms);
  int answers = 0;
  auto count = [&](int, const upstream::Resolver::Addresses&) { ++answers; };
  resolver.resolve(count);
  REQUIRE(fx.runUntil([&] { return answers == 1; }));
  resolver.resolve(count);
  CHECK(answers == 2);  // still fresh
  fx.runFor(30ms);
  resolver.resolve(count);
  REQUIRE(fx.runUntil([&] { return answers == 3; }));
  CHECK(resolver.lookups() == 2);
}

TEST_CASE("a name that does not resolve is an error, not a hang", "[origin]") {
  LoopFixture fx;
  upstream::Resolver resolver(
      fx.loop(), *upstream::parseOrigin("http://no-such-host.invalid").origin, 10'000ms);
  int status = 1;
  resolver.resolve([&](int st, const upstream::Resolver::Addresses&) { status = st; });
  REQUIRE(fx.runUntil([&] { return status != 1; }, 10s));
  CHECK(status < 0);
}
