// POST /drain on the real admin listener is refused (403) when another page could have made the
// operator's browser send it: a foreign Origin, Origin: null, Sec-Fetch-Site: cross-site or
// same-site, a form-encodable Content-Type, or a browser's request without X-Closewise-Admin.
// None of them starts a drain: /readyz stays 200 and the public port keeps serving.
#include <catch2/catch.hpp>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"

using namespace closewise::test;

TEST_CASE("cross-site POST /drain is refused and the server keeps serving", "[policy][binary]") {
  ClosewiseProcess server(basicArgs());
  REQUIRE(server.adminPort() != 0);
  const std::string own = "Origin: http://127.0.0.1:" + std::to_string(server.adminPort()) + "\r\n";
  struct Attempt {
    const char* what;
    std::string headers;
  };
  const Attempt attempts[] = {
      {"a foreign Origin, as a no-cors fetch sends it",
       "Origin: http://evil.example\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Site: cross-site\r\n"},
      {"a foreign Origin alone", "Origin: http://evil.example\r\n"},
      {"Origin: null", "Origin: null\r\n"},
      {"Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: cross-site\r\nX-Closewise-Admin: 1\r\n"},
      {"Sec-Fetch-Site: same-site", "Sec-Fetch-Site: same-site\r\nX-Closewise-Admin: 1\r\n"},
      {"the form of the issue (text/plain)", "Content-Type: text/plain\r\n"},
      {"an urlencoded form", "Content-Type: application/x-www-form-urlencoded\r\n"},
      {"a multipart form", "Content-Type: multipart/form-data; boundary=b\r\n"},
      {"a same-origin browser request without the admin header",
       own + "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: cors\r\n"},
  };
  for (const Attempt& attempt : attempts) {
    INFO(attempt.what);
    auto drain = request(server.adminPort(), "POST", "/drain", attempt.headers);
    REQUIRE(drain);
    CHECK(drain->status == 403);
    CHECK(drain->header("Content-Type") == "text/plain");
    auto ready = get(server.adminPort(), "/readyz");
    REQUIRE(ready);
    CHECK(ready->status == 200);
  }
  auto served = get(server.publicPort(), "/");
  REQUIRE(served);
  CHECK(served->status == 200);
  CHECK(server.log().find("drain begins") == std::string::npos);
}
