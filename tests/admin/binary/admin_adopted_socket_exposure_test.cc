// The exposure rule (non-loopback needs a token) applies to where the admin listener really is.
// An admin socket adopted from a predecessor (CLOSEWISE_ADMIN_FD, the SIGUSR2 handoff) or from
// systemd is used instead of --admin, so its own bound address decides: a socket on 0.0.0.0 is
// refused at start-up with exit code 2 however loopback --admin looks, unless a token is set; a
// loopback one starts as before.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "admin/options.h"
#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"

using namespace closewise::test;
using closewise::kernel::UniqueFd;
using namespace std::chrono_literals;

namespace {

// A listening socket on `host`:0, inheritable (no FD_CLOEXEC), as a predecessor passes it.
UniqueFd listeningSocket(const char* host) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  inet_pton(AF_INET, host, &address.sin_addr);
  if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd.get(), 16) != 0) {
    return UniqueFd{};
  }
  return fd;
}

std::string adminFdVariable(const UniqueFd& fd) {
  return "CLOSEWISE_ADMIN_FD=" + std::to_string(fd.get());
}

}  // namespace

TEST_CASE("an adopted admin socket on 0.0.0.0 without a token is refused at start-up",
          "[routes][binary]") {
  UniqueFd adminSocket = listeningSocket("0.0.0.0");
  REQUIRE(adminSocket.valid());
  // --admin names loopback: the old check, which read only the flag, let this start.
  ClosewiseProcess server(basicArgs(), /*waitForPorts=*/false, {adminFdVariable(adminSocket)});
  const auto code = server.waitExit(20s);
  REQUIRE(code);
  CHECK(*code == 2);
  INFO(server.log());
  CHECK(server.log().find("the inherited admin socket (fd " + std::to_string(adminSocket.get()) +
                          "), bound to 0.0.0.0:") != std::string::npos);
  CHECK(server.log().find("is not a loopback address: set --admin-token") != std::string::npos);
}

TEST_CASE("an adopted admin socket on 0.0.0.0 with a token serves", "[routes][binary]") {
  UniqueFd adminSocket = listeningSocket("0.0.0.0");
  REQUIRE(adminSocket.valid());
  ClosewiseProcess server(basicArgs({"--admin-token", "t0ken"}), true,
                          {adminFdVariable(adminSocket)});
  REQUIRE(server.adminPort() != 0);
  CHECK(server.log().find("admin on 0.0.0.0:") != std::string::npos);
  auto health = get(server.adminPort(), "/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  auto stats = get(server.adminPort(), "/stats");
  REQUIRE(stats);
  CHECK(stats->status == 401);
}

TEST_CASE("an adopted loopback admin socket needs no token", "[routes][binary]") {
  UniqueFd adminSocket = listeningSocket("127.0.0.1");
  REQUIRE(adminSocket.valid());
  // --admin names 0.0.0.0, but the adopted socket is what listens, and it is on loopback.
  ClosewiseProcess server({"--listen", "127.0.0.1:0", "--admin", "0.0.0.0:0"}, true,
                          {adminFdVariable(adminSocket)});
  REQUIRE(server.adminPort() != 0);
  auto stats = get(server.adminPort(), "/stats");
  REQUIRE(stats);
  CHECK(stats->status == 200);
}

TEST_CASE("checkAdminExposure reads the adopted socket's address", "[routes]") {
  closewise::admin::Options config;  // --admin 127.0.0.1:9901, no token
  UniqueFd wildcard = listeningSocket("0.0.0.0");
  UniqueFd loopback = listeningSocket("127.0.0.1");
  REQUIRE(wildcard.valid());
  REQUIRE(loopback.valid());
  CHECK_FALSE(closewise::admin::checkAdminExposure(config, -1));
  CHECK(closewise::admin::checkAdminExposure(config, wildcard.get()));
  CHECK_FALSE(closewise::admin::checkAdminExposure(config, loopback.get()));
  config.token = "t";
  CHECK_FALSE(closewise::admin::checkAdminExposure(config, wildcard.get()));
  config.token.clear();
  config.listen.reset();  // --admin off: the adopted socket is closed unused
  CHECK_FALSE(closewise::admin::checkAdminExposure(config, wildcard.get()));
  // Not a socket at all: refused with the reason, rather than adopted blindly.
  config.listen = closewise::server::ListenAddress{"127.0.0.1", 9901};
  int pipeFds[2];
  REQUIRE(pipe2(pipeFds, O_CLOEXEC) == 0);
  const UniqueFd readEnd(pipeFds[0]);
  const UniqueFd writeEnd(pipeFds[1]);
  const auto problem = closewise::admin::checkAdminExposure(config, readEnd.get());
  REQUIRE(problem);
  CHECK(problem->find("getsockname") != std::string::npos);
}
