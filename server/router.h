// A small exact-path router: router.on("GET", "/path", handler).
//
// Lookup is by exact path (the target without its query). A path that is known but not for this
// method answers 405 with an Allow header (RFC 9110 section 15.5.6); an unknown path answers 404.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/handler.h"

namespace closewise::server {

class Router {
 public:
  // method "*" matches every method. A later registration of the same method and path replaces
  // the earlier one.
  Router& on(std::string_view method, std::string_view path, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // nullptr when nothing matched
    int status = 0;                    // 404 or 405 when handler is nullptr
    std::string allow;                 // for 405
  };
  Match find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    Handler handler;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::vector<Route>, StringHash, std::equal_to<>> routes_;
};

}  // namespace closewise::server
