// The kernel section of /stats agrees with `ss` for ESTABLISHED and TIME_WAIT on the public port.
// TIME_WAIT lands on the server's side because closewise closes first when a client asks it to
// (Connection: close): RFC 9293 section 3.6, the side that sends the first FIN waits 2MSL.
#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"
#include "tests/support/loopback_sockets.h"

using namespace closewise::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Sockets `ss` lists in `state` with local port `port`; -1 if ss could not run.
long ssCount(const char* state, std::uint16_t port) {
  const std::string command = "ss -Htn state " + std::string(state) +
                              " '( sport = :" + std::to_string(port) + " )' 2>/dev/null | wc -l";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  long count = -1;
  if (std::fscanf(pipe, "%ld", &count) != 1) count = -1;
  return ::pclose(pipe) == 0 ? count : -1;
}

}  // namespace

TEST_CASE("/stats kernel counts match ss for ESTABLISHED and TIME_WAIT", "[stats][binary]") {
  ClosewiseProcess server(basicArgs({"--idle-timeout", "60s"}));
  const std::uint16_t port = server.publicPort();
  REQUIRE(port != 0);

  // Five requests with Connection: close: closewise sends the first FIN, so five TIME_WAIT.
  // The client waits for that FIN before closing, so its own FIN cannot cross ours and leave
  // the server's socket in LAST_ACK instead.
  for (int i = 0; i < 5; ++i) {
    auto fd = connectLoopback(port);
    REQUIRE(sendAll(fd.get(), "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
    auto response = readResponse(fd.get());
    REQUIRE(response);
    REQUIRE(response->status == 200);
    REQUIRE(readUntilEof(fd.get()));
  }
  std::vector<closewise::kernel::UniqueFd> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(idleConnection(port));

  // Both views are read until they agree; the sockets are stable (TIME_WAIT lasts 60 s on
  // Linux, the idle ones 60 s), so disagreement that persists is a real mismatch.
  json kernel;
  long ssEstablished = -2;
  long ssTimeWait = -2;
  const bool agreed = eventually(
      [&] {
        auto response = get(server.adminPort(), "/stats");
        if (!response) return false;
        kernel = json::parse(response->body)["kernel"];
        ssEstablished = ssCount("established", port);
        ssTimeWait = ssCount("time-wait", port);
        return kernel["tcp_states"]["ESTABLISHED"] == ssEstablished &&
               kernel["tcp_states"]["TIME_WAIT"] == ssTimeWait && ssTimeWait >= 5;
      },
      10s);
  INFO("stats: " << kernel.dump() << " ss established " << ssEstablished << " time-wait "
                 << ssTimeWait);
  REQUIRE(ssEstablished >= 0);
  CHECK(agreed);
  CHECK(ssEstablished == 3);
  CHECK(kernel["source"] == "sock_diag");
}
