// A small router: router.on("GET", "/path", handler) for one path, router.on("GET", "/files/*",
// handler) for every path under /files/ (a subtree, as a trailing '/' is in Go's ServeMux).
//
// Lookup is by the path (the target without its query): an exact route first, else the subtree
// with the longest prefix. A path that is known but not for this method answers 405 with an Allow
// header (RFC 9110 section 15.5.6); an unknown path answers 404. The handler reads the rest of the
// path from the request itself.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/handler.h"

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
  // method "*" matches every method. A path ending in "/*" names the subtree under it ("/files/*"
  // matches "/files/a" and "/files/a/b", not "/files"). A later registration of the same method
  // and path replaces the earlier one.
  Router& on(std::string_view method, std::string_view path, Handler handler,
             RouteOptions options = {});

  struct Match {
    const Handler* handler = nullptr;  // nullptr when nothing matched
    RouteOptions options;              // the matched route's
    int status = 0;                    // 404 or 405 when handler is nullptr
    std::string allow;                 // for 405
  };
  Match find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    Handler handler;
    RouteOptions options;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using Routes = std::vector<Route>;
  // Adds a route, or replaces the handler of the same method.
  static void place(Routes& routes, std::string_view method, Handler handler, RouteOptions options);
  static Match choose(const Routes& routes, std::string_view method);
  const Routes* subtreeOf(std::string_view path) const;

  std::unordered_map<std::string, Routes, StringHash, std::equal_to<>> routes_;
  // Subtrees by prefix ("/files/"), longest first, so the most specific one wins; a handful at
  // most, so a walk beats a trie.
  std::vector<std::pair<std::string, Routes>> subtrees_;
};

}  // namespace closewise::server
