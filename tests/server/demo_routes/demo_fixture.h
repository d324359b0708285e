// The fixture for the demo routes' own tests: the in-process server with the demo routes the
// binary ships (server/demo_routes.cc), registered after the test routes and so in place of those
// at the same paths (/, /echo, /delay, /bytes).
#pragma once

#include "server/demo_routes.h"
#include "tests/support/fixture.h"

namespace closewise::testing {

class DemoFixture : public ServerFixture {
 public:
  DemoFixture() : ServerFixture({}, server::registerDemoRoutes) {}
};

}  // namespace closewise::testing
