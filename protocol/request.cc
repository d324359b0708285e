#include "protocol/request.h"

#include <utility>

#include "protocol/percent_decoding.h"

namespace closewise::protocol {

const std::string* Request::header(std::string_view name) const noexcept {
  for (const Header& h : headers) {
    if (equalsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

namespace {

// One "name=value" of a query, as sent; value is nullopt for a name without '='.
struct QueryPair {
  std::string_view name;
  std::optional<std::string_view> value;
};

// Takes the first pair off `rest` ("a=1&b=2" leaves "b=2"). Both lookups below walk the query
// with it, so they split it the same way.
QueryPair takeQueryPair(std::string_view& rest) {
  const std::size_t amp = rest.find('&');
  const std::string_view pair = rest.substr(0, amp);
  rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
  const std::size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return {pair, std::nullopt};
  return {pair.substr(0, eq), pair.substr(eq + 1)};
}

}  // namespace

std::optional<std::string_view> Request::queryParam(std::string_view key) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const QueryPair pair = takeQueryPair(rest);
    if (pair.name == key) return pair.value.value_or(std::string_view{});
  }
  return std::nullopt;
}

std::optional<std::string> Request::queryValue(std::string_view key) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const QueryPair pair = takeQueryPair(rest);
    if (!percentDecodedEquals(pair.name, key, PercentForm::Query)) continue;
    if (!pair.value) return std::string{};
    // A pair with a bad escape is skipped, as Go's URL.Query() drops it.
    if (auto value = percentDecode(*pair.value, PercentForm::Query)) return value;
  }
  return std::nullopt;
}

std::string_view Request::pathValue(std::string_view name) const noexcept {
  for (const PathValue& p : pathValues) {
    if (p.name == name) return p.value;
  }
  return {};
}

namespace {

// Moves `from` into `to` emptied: its contents go, its capacity stays.
template <typename Buffer>
void takeEmptied(Buffer& to, Buffer& from) noexcept {
  from.clear();
  to = std::move(from);
}

}  // namespace

void Request::clear() noexcept {
  // Every field returns to its default by construction, so a field added to Request later cannot
  // keep the previous request's value for want of a line here. Only the buffers are carried over,
  // emptied, because their capacity is what lets a keep-alive connection stop allocating: a
  // buffer missing from this list loses its capacity, never its contents. Moving a string or a
  // vector hands over its pointer, and constructing the empty ones allocates nothing.
  Request fresh;
  takeEmptied(fresh.method, method);
  takeEmptied(fresh.target, target);
  takeEmptied(fresh.path, path);
  takeEmptied(fresh.query, query);
  takeEmptied(fresh.headers, headers);
  takeEmptied(fresh.trailers, trailers);
  takeEmptied(fresh.body, body);
  takeEmptied(fresh.pathValues, pathValues);
  *this = std::move(fresh);
}

}  // namespace closewise::protocol
