// What operators do keeps working: `curl -X POST http://127.0.0.1:9901/drain` (no Origin, no
// body, not even a Content-Length) starts the drain, as the docs show; so does a script of the
// admin origin itself (the dashboard) that adds X-Closewise-Admin, as a browser sends it.
#include <catch2/catch.hpp>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"

using namespace closewise::test;
using closewise::kernel::UniqueFd;
using namespace std::chrono_literals;

namespace {

// POST /drain with exactly these fields, and the answer.
std::optional<HttpResponse> postDrain(std::uint16_t port, const std::string& fields) {
  UniqueFd fd = connectLoopback(port);
  if (!fd.valid()) return std::nullopt;
  if (!sendAll(fd.get(), "POST /drain HTTP/1.1\r\n" + fields + "\r\n")) return std::nullopt;
  return readResponse(fd.get());
}

void expectDrainStarted(ClosewiseProcess& server, const std::string& fields) {
  auto drain = postDrain(server.adminPort(), fields);
  REQUIRE(drain);
  CHECK(drain->status == 202);
  CHECK(drain->body == "drain started\n");
  const auto code = server.waitExit(20s);
  REQUIRE(code);
  CHECK(*code == 0);
}

}  // namespace

TEST_CASE("curl -X POST /drain drains", "[policy][binary]") {
  ClosewiseProcess server(basicArgs({"--drain-timeout", "2s"}));
  REQUIRE(server.adminPort() != 0);
  // Byte for byte what curl 7.88 sends for `curl -X POST http://127.0.0.1:PORT/drain`.
  expectDrainStarted(server, "Host: " + loopbackHost(server.adminPort()) +
                                 "\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n");
}

TEST_CASE("a same-origin script with X-Closewise-Admin drains", "[policy][binary]") {
  ClosewiseProcess server(basicArgs({"--drain-timeout", "2s"}));
  REQUIRE(server.adminPort() != 0);
  const std::string port = std::to_string(server.adminPort());
  // What Chromium sends for fetch("/drain", {method: "POST", headers: {"X-Closewise-Admin":
  // "1"}}) from the page at http://localhost:PORT/ (after no preflight: same origin).
  expectDrainStarted(server, "Host: localhost:" + port +
                                 "\r\nContent-Length: 0\r\nOrigin: http://localhost:" + port +
                                 "\r\nSec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: cors\r\n"
                                 "Sec-Fetch-Dest: empty\r\nX-Closewise-Admin: 1\r\n");
}
