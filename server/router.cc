#include "server/router.h"

namespace closewise::server {

Router& Router::on(std::string_view method, std::string_view path, Handler handler) {
  auto& routes = routes_[std::string(path)];
  for (auto& route : routes) {
    if (route.method == method) {
      route.handler = std::move(handler);
      return *this;
    }
  }
  routes.push_back(Route{std::string(method), std::move(handler)});
  return *this;
}

Router::Match Router::find(std::string_view method, std::string_view path) const {
  Match match;
  auto it = routes_.find(path);
  if (it == routes_.end()) {
    match.status = 404;
    return match;
  }
  for (const auto& route : it->second) {
    if (route.method == "*" || route.method == method) {
      match.handler = &route.handler;
      return match;
    }
  }
  match.status = 405;
  for (const auto& route : it->second) {
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += route.method;
  }
  return match;
}

}  // namespace closewise::server
