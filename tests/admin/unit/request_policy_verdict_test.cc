// The admin request policy, case by case: a foreign Host is refused on every route (421); a
// state-changing request (anything but GET and HEAD) is refused (403) when a page of another
// origin could have sent it: a foreign or "null" Origin, Sec-Fetch-Site other than same-origin,
// a form-encodable Content-Type, or a browser marker without X-Closewise-Admin. What operators
// send (curl without Origin or body, probes, the dashboard's own fetches) passes.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "admin/request_policy.h"

using closewise::admin::admitAdminRequest;
using closewise::admin::refusalFor;
using closewise::admin::Verdict;
using closewise::protocol::Header;
using closewise::protocol::Request;

namespace {

struct Case {
  const char* what;
  const char* method;
  std::vector<Header> headers;
  Verdict verdict;
};

Request requestOf(const Case& c) {
  Request request;
  request.method = c.method;
  request.target = request.path = "/drain";
  request.headers = c.headers;
  return request;
}

const Header kHost{"Host", "127.0.0.1:9901"};
const Header kOwnOrigin{"Origin", "http://127.0.0.1:9901"};
const Header kSameOrigin{"Sec-Fetch-Site", "same-origin"};
const Header kCors{"Sec-Fetch-Mode", "cors"};
const Header kAdmin{"X-Closewise-Admin", "1"};

}  // namespace

TEST_CASE("which admin requests the policy admits, and why it refuses the others",
          "[policy][verdict]") {
  const std::vector<Case> cases = {
      // What operators and their tools send.
      {"curl -X POST (no Origin, no body)", "POST", {kHost}, Verdict::Allowed},
      {"curl with a JSON body",
       "POST",
       {kHost, {"Content-Type", "application/json"}},
       Verdict::Allowed},
      {"HTTP/1.0 without Host (HAProxy's httpchk)", "GET", {}, Verdict::Allowed},
      {"a probe by pod IP", "GET", {{"Host", "10.1.2.3:9901"}}, Verdict::Allowed},
      {"localhost", "POST", {{"Host", "localhost:9901"}}, Verdict::Allowed},
      {"the dashboard's own fetch of /stats",
       "GET",
       {kHost, kSameOrigin, kCors, kOwnOrigin},
       Verdict::Allowed},
      {"a same-origin script with the admin header",
       "POST",
       {kHost, kOwnOrigin, kSameOrigin, kCors, kAdmin},
       Verdict::Allowed},
      {"same-origin, Origin in another case",
       "POST",
       {{"Host", "LOCALHOST:9901"}, {"Origin", "http://localhost:9901"}, kAdmin},
       Verdict::Allowed},
      // GET and HEAD act on nothing, so only their Host is checked.
      {"a cross-site GET", "GET", {kHost, {"Origin", "http://evil.example"}}, Verdict::Allowed},
      {"a cross-site HEAD", "HEAD", {kHost, {"Sec-Fetch-Site", "cross-site"}}, Verdict::Allowed},

      // DNS rebinding: the attacker's name in Host, on any method.
      {"rebinding GET", "GET", {{"Host", "evil.example:9901"}}, Verdict::ForeignHost},
      {"rebinding POST",
       "POST",
       {{"Host", "evil.example:9901"}, {"Origin", "http://evil.example:9901"}},
       Verdict::ForeignHost},

      // Another origin's page.
      {"foreign Origin",
       "POST",
       {kHost, {"Origin", "http://evil.example"}},
       Verdict::ForeignOrigin},
      {"Origin: null (sandboxed frame, data: URL)",
       "POST",
       {kHost, {"Origin", "null"}},
       Verdict::ForeignOrigin},
      {"another port of the same host",
       "POST",
       {kHost, {"Origin", "http://127.0.0.1:8080"}},
       Verdict::ForeignOrigin},
      {"https is another origin",
       "POST",
       {kHost, {"Origin", "https://127.0.0.1:9901"}},
       Verdict::ForeignOrigin},
      {"Origin without Host", "POST", {kOwnOrigin, kAdmin}, Verdict::ForeignOrigin},
      {"foreign Origin even with the admin header",
       "POST",
       {kHost, {"Origin", "http://evil.example"}, kAdmin},
       Verdict::ForeignOrigin},
      {"Sec-Fetch-Site: cross-site",
       "POST",
       {kHost, {"Sec-Fetch-Site", "cross-site"}, kAdmin},
       Verdict::CrossSiteFetch},
      {"Sec-Fetch-Site: same-site",
       "POST",
       {kHost, {"Sec-Fetch-Site", "same-site"}, kAdmin},
       Verdict::CrossSiteFetch},
      {"Sec-Fetch-Site: an unknown value",
       "POST",
       {kHost, {"Sec-Fetch-Site", "bogus"}, kAdmin},
       Verdict::CrossSiteFetch},

      // What an HTML form (or a no-cors fetch) can send, whoever sends it.
      {"text/plain", "POST", {kHost, {"Content-Type", "text/plain"}}, Verdict::FormContentType},
      {"text/plain with a charset",
       "POST",
       {kHost, {"Content-Type", "text/plain;charset=UTF-8"}},
       Verdict::FormContentType},
      {"urlencoded, any case",
       "POST",
       {kHost, {"Content-Type", "Application/X-WWW-Form-Urlencoded"}},
       Verdict::FormContentType},
      {"multipart with a boundary",
       "POST",
       {kHost, {"Content-Type", "multipart/form-data; boundary=x"}},
       Verdict::FormContentType},
      {"form type from a same-origin script",
       "POST",
       {kHost, kOwnOrigin, kAdmin, {"Content-Type", " text/plain ; a=b"}},
       Verdict::FormContentType},

      // A browser that sends nothing a simple request could not: the admin header is missing.
      {"same-origin script without the admin header",
       "POST",
       {kHost, kOwnOrigin, kSameOrigin},
       Verdict::NoAdminHeader},
      {"Sec-Fetch-Mode alone marks a browser",
       "POST",
       {kHost, {"Sec-Fetch-Mode", "no-cors"}},
       Verdict::NoAdminHeader},
      {"Sec-Fetch-Site: none (typed by the user)",
       "POST",
       {kHost, {"Sec-Fetch-Site", "none"}},
       Verdict::NoAdminHeader},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK(admitAdminRequest(requestOf(c), {}) == c.verdict);
  }
}

TEST_CASE("a refused request is answered 421 for its Host and 403 for the rest",
          "[policy][verdict]") {
  CHECK(refusalFor(Verdict::ForeignHost).status == 421);
  for (Verdict v : {Verdict::ForeignOrigin, Verdict::CrossSiteFetch, Verdict::FormContentType,
                    Verdict::NoAdminHeader}) {
    const auto refusal = refusalFor(v);
    CHECK(refusal.status == 403);
    CHECK_FALSE(refusal.body.empty());
    CHECK(refusal.body.back() == '\n');
  }
  CHECK(refusalFor(Verdict::NoAdminHeader).body.find("X-Closewise-Admin: 1") != std::string::npos);
}
