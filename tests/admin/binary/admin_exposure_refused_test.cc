// A non-loopback admin listener without a token is refused at start-up with exit code 2 and a
// message naming the fix; with a token, or on loopback, the same check passes.
#include <catch2/catch.hpp>

#include "admin/options.h"
#include "tests/admin/closewise_process.h"

using namespace closewise::test;
using namespace std::chrono_literals;

TEST_CASE("the binary refuses a non-loopback admin listener without a token", "[routes][binary]") {
  ClosewiseProcess server({"--listen", "127.0.0.1:0", "--admin", "0.0.0.0:0"},
                          /*waitForPorts=*/false);
  const auto code = server.waitExit(20s);
  REQUIRE(code);
  CHECK(*code == 2);
  CHECK(server.log().find("is not a loopback address: set --admin-token") != std::string::npos);
}

TEST_CASE("checkAdminExposure passes loopback, a token, or no admin listener", "[routes]") {
  closewise::admin::Options config;
  config.listen = closewise::server::ListenAddress{"10.1.2.3", 9901};
  CHECK(closewise::admin::checkAdminExposure(config, -1));
  config.listen = closewise::server::ListenAddress{"::", 9901};
  CHECK(closewise::admin::checkAdminExposure(config, -1));
  config.token = "t";
  CHECK_FALSE(closewise::admin::checkAdminExposure(config, -1));
  config.token.clear();
  config.listen = closewise::server::ListenAddress{"127.0.0.2", 9901};
  CHECK_FALSE(closewise::admin::checkAdminExposure(config, -1));
  config.listen = closewise::server::ListenAddress{"::1", 9901};
  CHECK_FALSE(closewise::admin::checkAdminExposure(config, -1));
  // A dual-stack socket can be bound to IPv4 loopback written as IPv4-mapped IPv6.
  config.listen = closewise::server::ListenAddress{"::ffff:127.0.0.1", 9901};
  CHECK_FALSE(closewise::admin::checkAdminExposure(config, -1));
  config.listen = closewise::server::ListenAddress{"::ffff:10.1.2.3", 9901};
  CHECK(closewise::admin::checkAdminExposure(config, -1));
  config.listen.reset();
  CHECK_FALSE(closewise::admin::checkAdminExposure(config, -1));
}
