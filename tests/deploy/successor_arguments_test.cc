// The successor started on SIGUSR2 gets this process's command line with its own fd numbers in
// --inherit-fds, and none of ours (server/socket_handoff.h, successorArguments).
#include <catch2/catch.hpp>

#include "server/socket_handoff.h"

using closewise::server::successorArguments;
using Args = std::vector<std::string>;

TEST_CASE("the command line is kept and --inherit-fds names the child's fds", "[handoff]") {
  const Args argv{"/usr/local/bin/closewise", "serve", "--listen", "127.0.0.1:0", "--workers", "2"};
  CHECK(successorArguments(argv, {3, 4}) == Args{"/usr/local/bin/closewise", "serve", "--listen",
                                                 "127.0.0.1:0", "--workers", "2", "--inherit-fds",
                                                 "3,4"});
}

TEST_CASE("a previous --inherit-fds, in either form, is dropped", "[handoff]") {
  // After one handoff our own command line already carries --inherit-fds with our numbers.
  const Args argv{"closewise", "--inherit-fds", "7,8", "--admin", "127.0.0.1:0", "--inherit-fds=9"};
  CHECK(successorArguments(argv, {3}) ==
        Args{"closewise", "--admin", "127.0.0.1:0", "--inherit-fds", "3"});
}
