#include "upstream/hop_by_hop.h"

#include <strings.h>

#include <string>

#include "protocol/field_syntax.h"

namespace closewise::upstream {

namespace {

bool sameName(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The comma-separated tokens of a Connection field value (RFC 9110 section 7.6.1), OWS trimmed.
std::vector<std::string_view> connectionOptions(std::string_view value) {
  std::vector<std::string_view> options;
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && protocol::isOws(item.front())) item.remove_prefix(1);
    while (!item.empty() && protocol::isOws(item.back())) item.remove_suffix(1);
    if (!item.empty()) options.push_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return options;
}

}  // namespace

bool isHopByHop(std::string_view name) noexcept {
  for (const std::string_view hop :
       {"Connection", "Keep-Alive", "TE", "Transfer-Encoding", "Upgrade"}) {
    if (sameName(name, hop)) return true;
  }
  constexpr std::string_view kProxy = "Proxy-";
  return name.size() > kProxy.size() && sameName(name.substr(0, kProxy.size()), kProxy);
}

std::vector<protocol::Header> endToEndHeaders(const std::vector<protocol::Header>& headers) {
  std::vector<std::string_view> named;
  for (const auto& h : headers) {
    if (!sameName(h.name, "Connection")) continue;
    for (const std::string_view option : connectionOptions(h.value)) named.push_back(option);
  }
  std::vector<protocol::Header> kept;
  for (const auto& h : headers) {
    if (isHopByHop(h.name)) continue;
    bool listed = false;
    for (const std::string_view option : named) listed = listed || sameName(h.name, option);
    if (!listed) kept.push_back(h);
  }
  return kept;
}

}  // namespace closewise::upstream
