#include "admin/request_policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cassert>

namespace closewise::admin {

namespace {

using protocol::equalsIgnoreCase;

// RFC 3986 section 3.2.3: port = *DIGIT. An empty port is allowed by the grammar (and means the
// scheme's default); more than five digits cannot be a TCP port.
bool isPort(std::string_view text) {
  if (text.size() > 5) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  return value <= 65535;
}

bool isAddress(int family, std::string_view text) {
  // inet_pton is strict: no "127.1", no octal or hex parts, no IPv6 zone ("%eth0"). A browser
  // normalises such spellings in its URL parser before it writes Host, so refusing them costs
  // nothing.
  std::array<unsigned char, 16> buffer{};
  return inet_pton(family, std::string(text).c_str(), buffer.data()) == 1;
}

bool endsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         equalsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

// RFC 6761 section 6.3: `localhost` and every name under `.localhost` resolve to loopback and
// never reach DNS, so no attacker can point them anywhere.
bool isLocalhostName(std::string_view name) {
  constexpr std::string_view kSuffix = ".localhost";
  return equalsIgnoreCase(name, "localhost") ||
         (name.size() > kSuffix.size() && endsWithIgnoreCase(name, kSuffix));
}

bool isSafeMethod(std::string_view method) {
  // RFC 9110 section 9.2.1: GET and HEAD change nothing; every other method may (POST /drain).
  return method == "GET" || method == "HEAD";
}

// The media type of a Content-Type value without its parameters and surrounding whitespace
// (RFC 9110 section 8.3.1: media-type = type "/" subtype parameters).
std::string_view mediaType(std::string_view value) {
  value = value.substr(0, value.find(';'));
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = value.find_last_not_of(" \t");
  return value.substr(first, last - first + 1);
}

// The three types an HTML form can send, which are also the only ones a no-cors fetch may put
// in Content-Type (Fetch standard, "CORS-safelisted request-header").
bool isFormContentType(std::string_view value) {
  const std::string_view type = mediaType(value);
  return equalsIgnoreCase(type, "application/x-www-form-urlencoded") ||
         equalsIgnoreCase(type, "multipart/form-data") || equalsIgnoreCase(type, "text/plain");
}

}  // namespace

bool isAcceptableHost(std::string_view host, const std::vector<std::string>& allowedHosts) {
  if (host.starts_with('[')) {
    // IP-literal (RFC 3986 section 3.2.2), then an optional port.
    const auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !isPort(rest.substr(1)))) return false;
    return isAddress(AF_INET6, host.substr(1, close - 1));
  }
  std::string_view name = host;
  if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
    if (!isPort(name.substr(colon + 1))) return false;
    name = name.substr(0, colon);
  }
  if (name.empty() || name.find(':') != std::string_view::npos) return false;
  // An address literal is safe: rebinding needs a name the attacker's DNS answers for. This is
  // what keeps a kubelet probe (Host is the pod's IP) and a scrape by IP working.
  if (isAddress(AF_INET, name) || isLocalhostName(name)) return true;
  return std::any_of(allowedHosts.begin(), allowedHosts.end(), [name](const std::string& allowed) {
    return equalsIgnoreCase(name, allowed);
  });
}

Verdict admitAdminRequest(const protocol::Request& request,
                          const std::vector<std::string>& allowedHosts) {
  // A request without Host (HTTP/1.0 only: the parser answers 400 to an HTTP/1.1 one) cannot come
  // from a browser, which always sends it, so it cannot be a rebinding; HAProxy's `option
  // httpchk` sends exactly that to /readyz.
  const std::string* host = request.header("Host");
  if (host != nullptr && !isAcceptableHost(*host, allowedHosts)) return Verdict::ForeignHost;
  if (isSafeMethod(request.method)) return Verdict::Allowed;

  // Browsers send Origin with every POST (Fetch standard, "append a request Origin header"), and
  // "null" for an opaque origin (a sandboxed frame, a data: URL), which is never ours.
  const std::string* origin = request.header("Origin");
  if (origin != nullptr && (host == nullptr || !equalsIgnoreCase(*origin, "http://" + *host))) {
    return Verdict::ForeignOrigin;
  }
  // Fetch Metadata: same-site is still another origin (another port or subdomain); none is a
  // request the user started, which a state-changing request never is.
  const std::string* site = request.header("Sec-Fetch-Site");
  if (site != nullptr && !equalsIgnoreCase(*site, "same-origin") &&
      !equalsIgnoreCase(*site, "none")) {
    return Verdict::CrossSiteFetch;
  }
  // Refused whoever sends it: an old browser may send a form without Origin, and no admin route
  // takes a body, so nothing legitimate needs these types.
  if (const std::string* type = request.header("Content-Type");
      type != nullptr && isFormContentType(*type)) {
    return Verdict::FormContentType;
  }
  const bool fromBrowser =
      origin != nullptr || site != nullptr || request.header("Sec-Fetch-Mode") != nullptr;
  if (fromBrowser && request.header(kAdminRequestHeader) == nullptr) {
    return Verdict::NoAdminHeader;
  }
  return Verdict::Allowed;
}

Refusal refusalFor(Verdict verdict) {
  switch (verdict) {
    case Verdict::Allowed:
      break;  // not a refusal: the caller serves the route instead
    case Verdict::ForeignHost:
      // RFC 9110 section 15.5.20: the request was directed at a server that will not produce an
      // authoritative answer for that host.
      return {421,
              "misdirected request: the admin listener answers to IP addresses, localhost and "
              "the names given with --admin-allowed-host\n"};
    case Verdict::ForeignOrigin:
      return {403, "cross-origin request refused: Origin is not this admin listener\n"};
    case Verdict::CrossSiteFetch:
      return {403, "cross-site request refused (Sec-Fetch-Site)\n"};
    case Verdict::FormContentType:
      return {403, "form content type refused: admin routes take no body\n"};
    case Verdict::NoAdminHeader:
      return {403, "a browser must send X-Closewise-Admin: 1 with this request\n"};
  }
  assert(false && "refusalFor(Verdict::Allowed)");
  return {};
}

}  // namespace closewise::admin
