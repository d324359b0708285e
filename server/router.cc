#include "server/router.h"

#include <algorithm>

namespace closewise::server {

void Router::place(Routes& routes, std::string_view method, Handler handler, RouteOptions options) {
  for (auto& route : routes) {
    if (route.method == method) {
      route.handler = std::move(handler);
      route.options = options;
      return;
    }
  }
  routes.push_back(Route{std::string(method), std::move(handler), options});
}

Router& Router::on(std::string_view method, std::string_view path, Handler handler,
                   RouteOptions options) {
  if (!path.ends_with("/*")) {
    place(routes_[std::string(path)], method, std::move(handler), options);
    return *this;
  }
  const std::string_view prefix = path.substr(0, path.size() - 1);  // keeps the '/'
  auto it = std::find_if(subtrees_.begin(), subtrees_.end(),
                         [prefix](const auto& subtree) { return subtree.first == prefix; });
  if (it == subtrees_.end()) {
    // Longest first: insert before the first shorter prefix.
    it = std::find_if(subtrees_.begin(), subtrees_.end(), [prefix](const auto& subtree) {
      return subtree.first.size() < prefix.size();
    });
    it = subtrees_.emplace(it, std::string(prefix), Routes{});
  }
  place(it->second, method, std::move(handler), options);
  return *this;
}

const Router::Routes* Router::subtreeOf(std::string_view path) const {
  for (const auto& [prefix, routes] : subtrees_) {
    if (path.starts_with(prefix) && path.size() > prefix.size()) return &routes;
  }
  return nullptr;
}

Router::Match Router::choose(const Routes& routes, std::string_view method) {
  Match match;
  for (const auto& route : routes) {
    if (route.method == "*" || route.method == method) {
      match.handler = &route.handler;
      match.options = route.options;
      return match;
    }
  }
  match.status = 405;
  for (const auto& route : routes) {
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += route.method;
  }
  return match;
}

Router::Match Router::find(std::string_view method, std::string_view path) const {
  if (const auto it = routes_.find(path); it != routes_.end()) return choose(it->second, method);
  if (const Routes* subtree = subtreeOf(path)) return choose(*subtree, method);
  Match match;
  match.status = 404;
  return match;
}

}  // namespace closewise::server
