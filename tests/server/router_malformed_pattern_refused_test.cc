// A malformed pattern is refused when it is registered, before the server starts, with an
// exception that names it: a typo in a route must stop the service from starting, not surface as
// a 404 in production.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "server/router.h"

using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::Router;

namespace {

void none(const Request&, Responder) {}

// The message of the exception on() throws for `pattern`, or "accepted".
std::string refusal(const char* pattern) {
  Router router;
  try {
    router.on("GET", pattern, none);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("malformed patterns are refused with a message naming them", "[router]") {
  CHECK(refusal("/users/{id") == "route pattern \"/users/{id\": unclosed brace");
  CHECK(refusal("/users/{id/x}") == "route pattern \"/users/{id/x}\": unclosed brace");
  CHECK(refusal("/{}") == "route pattern \"/{}\": a wildcard needs a name");
  CHECK(refusal("/{...}") == "route pattern \"/{...}\": a wildcard needs a name");
  CHECK(refusal("/{a}/{a}") == "route pattern \"/{a}/{a}\": the name \"a\" appears twice");
  CHECK(refusal("/{a}/{a...}") == "route pattern \"/{a}/{a...}\": the name \"a\" appears twice");
  CHECK(refusal("/{rest...}/x") ==
        "route pattern \"/{rest...}/x\": {name...} must be the last segment");
  CHECK(refusal("/{rest...}/") ==
        "route pattern \"/{rest...}/\": {name...} must be the last segment");
  CHECK(refusal("/user{id}") == "route pattern \"/user{id}\": a wildcard must be a whole segment");
  CHECK(refusal("/{id}.json") ==
        "route pattern \"/{id}.json\": a wildcard must be a whole segment");
  CHECK(refusal("/a}") == "route pattern \"/a}\": a wildcard must be a whole segment");
  CHECK(refusal("/{a-b}") ==
        "route pattern \"/{a-b}\": a wildcard's name is letters, digits and '_'");
  CHECK(refusal("/{a}}") ==
        "route pattern \"/{a}}\": a wildcard's name is letters, digits and '_'");
  CHECK(refusal("/100%") == "route pattern \"/100%\": malformed percent-escape");
  CHECK(refusal("users/{id}") ==
        "route pattern \"users/{id}\": a pattern with wildcards starts with '/'");
}

TEST_CASE("well-formed patterns are accepted", "[router]") {
  for (const char* pattern :
       {"/", "/users/{id}", "/users/{user_id2}/posts/{Post}", "/files/{rest...}", "/{rest...}",
        "/files/*", "/*", "/a/{x}/*", "/a%20b", "/users/{id}/"}) {
    INFO(pattern);
    CHECK(refusal(pattern) == "accepted");
  }
}
