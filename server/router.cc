#include "server/router.h"

#include <algorithm>
#include <stdexcept>

#include "protocol/percent_decoding.h"

namespace closewise::server {

namespace {

using protocol::PercentForm;

[[noreturn]] void refuse(std::string_view pattern, std::string_view why) {
  throw std::invalid_argument("route pattern \"" + std::string(pattern) +
                              "\": " + std::string(why));
}

// Go's ServeMux wants a Go identifier; letters, digits and '_' is the same set in ASCII, and
// enough for a name a handler spells in pathValue().
bool validName(std::string_view name) noexcept {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Takes the next segment off `rest` (what follows a '/'), and says in `more` whether another
// follows it: "a/b" gives "a" and leaves "b"; "a/" gives "a" and leaves an empty last segment.
std::string_view takeSegment(std::string_view& rest, bool& more) noexcept {
  const std::size_t slash = rest.find('/');
  const std::string_view segment = rest.substr(0, slash);
  more = slash != std::string_view::npos;
  rest = more ? rest.substr(slash + 1) : std::string_view{};
  return segment;
}

// Walks `path` ("/a/b") segment by segment along `segments`, calling visit(segment, raw) for
// each wildcard with the raw text it covers: one segment for {name}, the rest of the path for a
// subtree or {name...}. A literal segment matches a path segment that percent-decodes to it. True
// when the whole path is covered and every visit returned true.
template <typename Segments, typename Visit>
bool walk(const Segments& segments, std::string_view path, Visit&& visit) {
  if (segments.empty() || !path.starts_with('/')) return false;
  std::string_view rest = path.substr(1);
  bool more = true;  // a segment remains, possibly empty ("/a/" has "a" and "")
  for (const auto& segment : segments) {
    using K = std::decay_t<decltype(segment.kind)>;
    if (segment.kind == K::Rest || segment.kind == K::Subtree) {
      // {name...} takes what follows its '/', even nothing; a subtree needs something under it.
      if (!more || (segment.kind == K::Subtree && rest.empty())) return false;
      return visit(segment, rest);
    }
    if (!more) return false;
    const std::string_view raw = takeSegment(rest, more);
    if (segment.kind == K::Literal) {
      if (!protocol::percentDecodedEquals(raw, segment.text, PercentForm::Path)) return false;
    } else if (raw.empty() || !visit(segment, raw)) {
      return false;
    }
  }
  return !more;
}

}  // namespace

bool Router::Pattern::matches(std::string_view path) const noexcept {
  return walk(segments, path, [](const Segment&, std::string_view) { return true; });
}

bool Router::Pattern::capture(std::string_view path, const Route& route,
                              std::vector<protocol::PathValue>& values) const {
  std::size_t next = 0;  // the next of route.names
  return walk(segments, path, [&](const Segment& segment, std::string_view raw) {
    if (segment.kind == Segment::Kind::Subtree) return true;  // unnamed: nothing to keep
    protocol::PathValue& value = values.emplace_back();
    value.name = route.names[next++];
    return protocol::percentDecodeAppend(raw, PercentForm::Path, value.value);
  });
}

const Router::Route* Router::Pattern::routeFor(std::string_view method) const noexcept {
  for (const Route& route : routes) {
    if (route.method == method) return &route;
  }
  if (method == "HEAD") {
    for (const Route& route : routes) {
      if (route.method == "GET") return &route;
    }
  }
  for (const Route& route : routes) {
    if (route.method == "*") return &route;
  }
  return nullptr;
}

bool Router::moreSpecific(const Pattern& a, const Pattern& b) noexcept {
  if (a.literals != b.literals) return a.literals > b.literals;
  // The leftmost segment where the two differ in kind decides (Kind lists the most specific
  // first). A pattern that is a prefix of the other in kinds never matches the same path, so
  // ordering it first only keeps this a strict weak order.
  return std::lexicographical_compare(
      a.segments.begin(), a.segments.end(), b.segments.begin(), b.segments.end(),
      [](const Segment& x, const Segment& y) { return x.kind < y.kind; });
}

// Turns a registration's path into its segments, and the names of its wildcards into `names`;
// throws std::invalid_argument naming the pattern and what is wrong with it.
std::unique_ptr<Router::Pattern> Router::parse(std::string_view path,
                                               std::vector<std::string>& names) {
  auto pattern = std::make_unique<Pattern>();
  if (path.starts_with('/')) {
    std::string_view rest = path.substr(1);
    bool more = true;
    while (more) {
      const std::string_view text = takeSegment(rest, more);
      if (!more && text == "*") {
        pattern->segments.push_back({Segment::Kind::Subtree, {}});
      } else if (text.starts_with('{')) {
        if (!text.ends_with('}')) {
          refuse(path, text.find('}') == std::string_view::npos
                           ? "unclosed brace"
                           : "a wildcard must be a whole segment");
        }
        std::string_view name = text.substr(1, text.size() - 2);
        Segment::Kind kind = Segment::Kind::Param;
        if (name.ends_with("...")) {
          name.remove_suffix(3);
          kind = Segment::Kind::Rest;
          if (more) refuse(path, "{name...} must be the last segment");
        }
        if (name.empty()) refuse(path, "a wildcard needs a name");
        if (!validName(name)) refuse(path, "a wildcard's name is letters, digits and '_'");
        if (std::find(names.begin(), names.end(), name) != names.end()) {
          refuse(path, "the name \"" + std::string(name) + "\" appears twice");
        }
        names.emplace_back(name);
        pattern->segments.push_back({kind, {}});
      } else {
        if (text.find_first_of("{}") != std::string_view::npos) {
          refuse(path, "a wildcard must be a whole segment");
        }
        // A literal is written as the path reads decoded, as Go's ServeMux takes it.
        auto literal = protocol::percentDecode(text, PercentForm::Path);
        if (!literal) refuse(path, "malformed percent-escape");
        pattern->segments.push_back({Segment::Kind::Literal, std::move(*literal)});
        ++pattern->literals;
      }
    }
  } else if (path.find_first_of("{}") != std::string_view::npos) {
    refuse(path, "a pattern with wildcards starts with '/'");
  }
  pattern->exact = pattern->literals == static_cast<int>(pattern->segments.size());
  return pattern;
}

Router& Router::on(std::string_view method, std::string_view path, Handler handler,
                   RouteOptions options) {
  std::vector<std::string> names;
  std::unique_ptr<Pattern> pattern = parse(path, names);

  // The same shape (as Go calls two patterns that match the same paths) holds one route per
  // method; a new route of a method it has replaces the old one.
  Pattern* same = nullptr;
  if (pattern->exact) {
    if (const auto it = exact_.find(path); it != exact_.end()) same = it->second;
  } else {
    const auto it = std::find_if(patterns_.begin(), patterns_.end(), [&](const auto& p) {
      return std::equal(p->segments.begin(), p->segments.end(), pattern->segments.begin(),
                        pattern->segments.end(), [](const Segment& x, const Segment& y) {
                          return x.kind == y.kind && x.text == y.text;
                        });
    });
    if (it != patterns_.end()) same = it->get();
  }
  if (same == nullptr) {
    // After every pattern at least as specific, so among equals the first registered is tried
    // first.
    const auto at =
        std::upper_bound(patterns_.begin(), patterns_.end(), pattern,
                         [](const auto& a, const auto& b) { return moreSpecific(*a, *b); });
    same = patterns_.insert(at, std::move(pattern))->get();
    if (same->exact) exact_.emplace(std::string(path), same);
  }
  for (Route& route : same->routes) {
    if (route.method == method) {
      route = Route{std::string(method), std::move(handler), options, std::move(names)};
      return *this;
    }
  }
  same->routes.push_back(Route{std::string(method), std::move(handler), options, std::move(names)});
  return *this;
}

Router::Match Router::found(const Route& route) {
  Match match;
  match.handler = &route.handler;
  match.options = route.options;
  return match;
}

Router::Match Router::find(std::string_view method, std::string_view path,
                           std::vector<protocol::PathValue>* values) const {
  if (values != nullptr) values->clear();
  // The common request: an exact path with its method, one hash lookup and nothing allocated.
  const auto exact = exact_.find(path);
  if (exact != exact_.end()) {
    if (const Route* route = exact->second->routeFor(method)) return found(*route);
  }
  // Escapes may hide an exact path ("/it%65ms"), which the lookup above could not see.
  const bool encoded = path.find('%') != std::string_view::npos;
  std::vector<protocol::PathValue> unwanted;
  for (const auto& pattern : patterns_) {
    if (pattern->exact && !encoded) continue;
    const Route* route = pattern->routeFor(method);
    if (route == nullptr || !pattern->matches(path)) continue;
    // A subtree names nothing: no second walk to capture.
    if (!route->names.empty() &&
        !pattern->capture(path, *route, values != nullptr ? *values : unwanted)) {
      // The route is known, but what the handler would read is not: "%zz" says no octet.
      // RFC 9112 section 3: an invalid request-line (here its target) is answered 400.
      if (values != nullptr) values->clear();
      Match match;
      match.status = 400;
      return match;
    }
    return found(*route);
  }

  // No route has this method: 405 if one has the path, naming every method the path has.
  std::vector<std::string_view> methods;
  const auto collect = [&methods](const Pattern& pattern) {
    for (const Route& route : pattern.routes) {
      if (std::find(methods.begin(), methods.end(), route.method) == methods.end()) {
        methods.push_back(route.method);
      }
    }
  };
  if (exact != exact_.end()) collect(*exact->second);
  for (const auto& pattern : patterns_) {
    if ((!pattern->exact || encoded) && pattern->matches(path)) collect(*pattern);
  }
  Match match;
  match.status = methods.empty() ? 404 : 405;
  const bool hasHead = std::find(methods.begin(), methods.end(), "HEAD") != methods.end();
  for (const std::string_view m : methods) {
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += m;
    // RFC 9110 section 9.3.2: a server that answers GET answers HEAD; Allow says so.
    if (m == "GET" && !hasHead) match.allow += ", HEAD";
  }
  return match;
}

Router& Router::use(Middleware middleware) {
  middleware_.push_back(std::move(middleware));
  return *this;
}

}  // namespace closewise::server
