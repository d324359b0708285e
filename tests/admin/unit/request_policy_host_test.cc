// The admin listener answers only to a Host that cannot be a name an attacker's DNS controls: an
// IP literal (v4, or v6 in brackets) with or without a port, `localhost` and names under
// `.localhost` (RFC 6761 section 6.3), and the names given with --admin-allowed-host. Anything
// else, including malformed values, is refused, so a DNS-rebinding page cannot read the views.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "admin/request_policy.h"

using closewise::admin::isAcceptableHost;

namespace {

struct Case {
  const char* host;
  bool accepted;
};

}  // namespace

TEST_CASE("Host values the admin listener answers to, and those it refuses", "[policy][host]") {
  const std::vector<std::string> allowed = {"metrics.example.internal"};
  const Case cases[] = {
      // Address literals: what kubelet probes (the pod's IP) and scrapes by IP send.
      {"127.0.0.1", true},
      {"127.0.0.1:9901", true},
      {"10.1.2.3:9901", true},
      {"0.0.0.0", true},
      {"[::1]", true},
      {"[::1]:9901", true},
      {"[2001:db8::7]:80", true},
      {"[::ffff:127.0.0.1]:9901", true},
      {"127.0.0.1:", true},  // RFC 3986: port = *DIGIT, so an empty port is well-formed
      // Loopback names that never reach DNS.
      {"localhost", true},
      {"localhost:9901", true},
      {"LocalHost:9901", true},
      {"dashboard.localhost:9901", true},
      {"a.b.LOCALHOST", true},
      // The operator's names, in any case, with or without a port.
      {"metrics.example.internal", true},
      {"Metrics.Example.Internal:9901", true},
      // Names an attacker can point at 127.0.0.1.
      {"evil.example", false},
      {"evil.example:9901", false},
      {"localhost.evil.example", false},
      {"evillocalhost", false},
      {".localhost", false},
      {"example.internal", false},
      {"metrics.example.internal.evil.example", false},
      // Malformed: refused rather than guessed at.
      {"", false},
      {":9901", false},
      {"::1", false},               // IPv6 must be bracketed in Host
      {"[::1", false},              // no closing bracket
      {"[::1]9901", false},         // no colon before the port
      {"[fe80::1%25eth0]", false},  // zone ids are not accepted
      {"[evil.example]", false},
      {"127.0.0.1:99999", false},
      {"127.0.0.1:80a", false},
      {"127.0.0.1:123456", false},
      {"127.1", false},  // inet_aton's shorthand; browsers send the full form
      {"0x7f.0.0.1", false},
      {"127.0.0.1.evil.example", false},
  };
  for (const Case& c : cases) {
    INFO("Host: \"" << c.host << "\"");
    CHECK(isAcceptableHost(c.host, allowed) == c.accepted);
  }
}

TEST_CASE("without --admin-allowed-host only literals and localhost names pass", "[policy][host]") {
  CHECK(isAcceptableHost("127.0.0.1:9901", {}));
  CHECK(isAcceptableHost("localhost", {}));
  CHECK_FALSE(isAcceptableHost("metrics.example.internal", {}));
}
