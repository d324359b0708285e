// A small router, matching as Go 1.22's ServeMux does. A route is a method and a pattern:
//
//   "/items"           exactly that path
//   "/users/{id}"      one whole, non-empty segment, named: request.pathValue("id")
//   "/files/{rest...}" the rest of the path after "/files/", possibly empty; it ends a pattern
//   "/files/*"         every path under /files/ (not "/files/" itself): a subtree, unnamed
//
// Lookup is by the path (the target without its query), split on '/' as it came, so an escaped
// "%2F" stays inside its segment; a literal segment matches a path segment that percent-decodes
// to it, and each captured value is percent-decoded (RFC 3986 section 2.1) before the handler
// sees it. A captured value holding a malformed escape ("%zz") is answered 400.
//
// The route that serves a request is the most specific one that matches its path and method:
// an exact path first; then the pattern with the most literal segments; between patterns with as
// many, the one whose leftmost differing segment is the more specific: a literal before {name},
// {name} before a subtree, a subtree before {name...}. Within one pattern, the route of the
// request's method first, then GET for a HEAD (RFC 9110 section 9.3.2: HEAD is GET without the
// body), then "*". A path some route matches but none with this method answers 405 with an Allow
// header naming every method of every route that matches it, HEAD with GET (RFC 9110 section
// 15.5.6); a path no route matches answers 404.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/handler.h"
#include "server/middleware.h"

namespace closewise::server {

// How a route takes its request.
struct RouteOptions {
  // The handler is called as soon as the head is in, with an empty request.body, and reads the
  // body in pieces through Responder::readBody() (docs/handler-api.md, "Streaming a request
  // body"). Without it the body is read whole, up to --max-body-bytes, before the handler runs.
  bool streamBody = false;
};

class Router {
 public:
  // method "*" matches every method. A later registration of the same method and the same
  // pattern shape (the same literals and wildcards in the same places, whatever the names)
  // replaces the earlier one. A malformed pattern (an unclosed brace, a wildcard that is not a
  // whole segment, an empty or repeated name, {name...} before the last segment) throws
  // std::invalid_argument naming it: routes are registered before the server starts.
  Router& on(std::string_view method, std::string_view path, Handler handler,
             RouteOptions options = {});

  struct Match {
    const Handler* handler = nullptr;  // nullptr when nothing matched
    RouteOptions options;              // the matched route's
    int status = 0;                    // 400, 404 or 405 when handler is nullptr
    std::string allow;                 // for 405
  };
  // The route for a request. When `values` is given, it receives the route's parameters (emptied
  // first). A request whose path is an exact route with its method allocates nothing here.
  Match find(std::string_view method, std::string_view path,
             std::vector<protocol::PathValue>* values = nullptr) const;

  // Middleware (server/middleware.h): they wrap whatever the matching decides, its 404 and 405
  // included. Adds one around every exchange that reaches the router, inside those added before
  // it. Register them before the server starts, as routes are.
  Router& use(Middleware middleware);
  const std::vector<Middleware>& middleware() const noexcept { return middleware_; }

 private:
  struct Segment {
    enum class Kind : unsigned char { Literal, Param, Subtree, Rest };  // most specific first
    Kind kind;
    std::string text;  // the literal, or "" for a wildcard
  };
  struct Route {
    std::string method;
    Handler handler;
    RouteOptions options;
    std::vector<std::string> names;  // of the pattern's wildcards, in order, as this route has them
  };
  struct Pattern {
    std::vector<Segment> segments;  // empty for an exact path that does not start with '/'
    int literals = 0;
    bool exact = false;  // no wildcard: also in exact_
    std::vector<Route> routes;
    bool matches(std::string_view path) const noexcept;
    const Route* routeFor(std::string_view method) const noexcept;
    // The decoded values of `route`'s wildcards; false on a malformed escape.
    bool capture(std::string_view path, const Route& route,
                 std::vector<protocol::PathValue>& values) const;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  static std::unique_ptr<Pattern> parse(std::string_view path, std::vector<std::string>& names);
  static bool moreSpecific(const Pattern& a, const Pattern& b) noexcept;
  static Match found(const Route& route);
  Match notFound(std::string_view path, bool encoded) const;

  // Every pattern, most specific first; a handful in a service, so a walk beats a trie. Held by
  // pointer so exact_ can point at them while the vector grows.
  std::vector<std::unique_ptr<Pattern>> patterns_;
  // The exact paths, so the common request costs one hash lookup.
  std::unordered_map<std::string, Pattern*, StringHash, std::equal_to<>> exact_;

  // Outermost first (use()).
  std::vector<Middleware> middleware_;
};

}  // namespace closewise::server
