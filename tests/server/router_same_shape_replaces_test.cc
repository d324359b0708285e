// Two patterns of the same shape (the same literals and wildcards in the same places) match the
// same paths, so for one method the later registration replaces the earlier one, names and all,
// as a second registration of an exact path does; other methods keep their own names.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "server/router.h"

using closewise::protocol::PathValue;
using closewise::server::Handler;
using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::Router;

namespace {

struct Tagged {
  std::string tag;
  void operator()(const Request&, Responder) const {}
};

std::string tagOf(const Router::Match& match) {
  return match.handler == nullptr ? "none" : match.handler->target<Tagged>()->tag;
}

}  // namespace

TEST_CASE("the same shape with other names replaces the route of that method", "[router]") {
  Router router;
  router.on("GET", "/users/{id}", Tagged{"first"});
  router.on("DELETE", "/users/{uid}", Tagged{"delete"});
  router.on("GET", "/users/{name}", Tagged{"second"});
  std::vector<PathValue> values;
  CHECK(tagOf(router.find("GET", "/users/7", &values)) == "second");
  REQUIRE(values.size() == 1);
  CHECK(values[0].name == "name");
  CHECK(tagOf(router.find("DELETE", "/users/7", &values)) == "delete");
  REQUIRE(values.size() == 1);
  CHECK(values[0].name == "uid");
}

TEST_CASE("an exact path registered again replaces its route", "[router]") {
  Router router;
  router.on("GET", "/items", Tagged{"first"});
  router.on("GET", "/items", Tagged{"second"});
  CHECK(tagOf(router.find("GET", "/items")) == "second");
}

TEST_CASE("another literal is another shape", "[router]") {
  Router router;
  router.on("GET", "/users/{id}", Tagged{"users"});
  router.on("GET", "/groups/{id}", Tagged{"groups"});
  CHECK(tagOf(router.find("GET", "/users/1")) == "users");
  CHECK(tagOf(router.find("GET", "/groups/1")) == "groups");
}
