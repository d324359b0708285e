#include "protocol/request.h"

namespace closewise::protocol {

const std::string* Request::header(std::string_view name) const noexcept {
  for (const Header& h : headers) {
    if (equalsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

std::optional<std::string_view> Request::queryParam(std::string_view key) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    if (name == key) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
  }
  return std::nullopt;
}

void Request::clear() noexcept {
  method.clear();
  target.clear();
  path.clear();
  query.clear();
  versionMajor = 1;
  versionMinor = 1;
  headers.clear();
  trailers.clear();
  body.clear();
  keepAlive = true;
  expectContinue = false;
  chunked = false;
  contentLength.reset();
}

}  // namespace closewise::protocol
