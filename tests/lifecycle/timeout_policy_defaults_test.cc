// The defaults are documented (and reasoned about in timeout_policy.h); changing one is a
// deliberate act that must update this test and the docs together.
#include <catch2/catch.hpp>

#include "lifecycle/timeout_policy.h"

using namespace closewise::lifecycle;
using namespace std::chrono_literals;

TEST_CASE("the timeout policy has its documented defaults", "[policy]") {
  const TimeoutPolicy p;
  CHECK(p.header == 10s);
  CHECK(p.body == 30s);
  CHECK(p.handler == 60s);
  CHECK(p.write == 30s);
  CHECK(p.idle == 75s);
  CHECK(p.linger == 5s);
  CHECK(p.lingerRead == 2s);
  CHECK(p.maxRequestsPerConnection == 0);
  CHECK(p.maxConnectionAge == 0s);
  // The idle gap must outlast a 60 s load balancer idle timeout.
  CHECK(p.idle > 60s);
}
