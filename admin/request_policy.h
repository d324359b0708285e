// Which requests the admin listener serves at all, before any route or token is looked at.
//
// The admin routes are reachable from the operator's browser (the dashboard is meant to be
// opened through `ssh -L 9901:...`), and so from any page that browser has open. Two attacks
// follow, and this policy closes both:
//
// - DNS rebinding: a page on a name the attacker controls re-points that name at 127.0.0.1 and
//   reads the answers as its own origin (/connections lists client addresses). The browser still
//   sends the attacker's name in Host, so only a Host that cannot be the attacker's is served: an
//   IP literal, `localhost` and names under `.localhost` (RFC 6761 section 6.3), and the names the
//   operator lists with --admin-allowed-host.
// - Cross-site requests: any page can make the browser send a POST (a form, or fetch() in no-cors
//   mode) without reading the answer, and POST /drain acts on arrival. A state-changing request
//   from a browser must come from the admin origin itself and carry a header no form and no
//   no-cors fetch can send (kAdminRequestHeader); a script of another origin that adds it triggers
//   a CORS preflight, which the admin listener never grants (an OPTIONS request is answered 405
//   without Access-Control-* fields). Requests with no browser marker at all (curl, scripts,
//   probes) pass as before.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request.h"

namespace closewise::admin {

// The header a browser must add to a state-changing admin request; any value will do (the
// documented one is `X-Closewise-Admin: 1`). It is not a CORS-safelisted request-header (Fetch
// standard, section 2.2.2), so a page of another origin can only send it after a preflight.
inline constexpr std::string_view kAdminRequestHeader = "X-Closewise-Admin";

// What the policy decided, most specific reason first. Every verdict but Allowed is a refusal.
enum class Verdict : std::uint8_t {
  Allowed,
  ForeignHost,      // Host names something that is not this listener: 421
  ForeignOrigin,    // state-changing, with an Origin other than http:// + Host (or "null"): 403
  CrossSiteFetch,   // state-changing, with Sec-Fetch-Site other than same-origin or none: 403
  FormContentType,  // state-changing, with a Content-Type an HTML form can send: 403
  NoAdminHeader,    // state-changing, from a browser, without kAdminRequestHeader: 403
};

// `allowedHosts` are the --admin-allowed-host names, in lower case, without a port.
Verdict admitAdminRequest(const protocol::Request& request,
                          const std::vector<std::string>& allowedHosts);

// The answer to a refusal (any verdict but Allowed): its status and a short text body that says
// what to change.
struct Refusal {
  int status = 0;
  std::string_view body;
};
Refusal refusalFor(Verdict verdict);

// True for a Host field value (RFC 9110 section 7.2: uri-host [":" port]) this listener answers
// to: an IPv4 literal or a bracketed IPv6 literal, `localhost` or a name under `.localhost`, or
// one of `allowedHosts`; with or without a port. Names compare case-insensitively.
bool isAcceptableHost(std::string_view host, const std::vector<std::string>& allowedHosts);

}  // namespace closewise::admin
