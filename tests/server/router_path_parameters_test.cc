// "/users/{id}" takes one whole, non-empty segment and "/files/{rest...}" the rest of the path,
// possibly empty, as Go 1.22's ServeMux does. The path is split on '/' as it came, so "%2F" stays
// inside its segment, and each value is percent-decoded before the handler reads it.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "server/router.h"

using closewise::protocol::PathValue;
using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::Router;

namespace {

void none(const Request&, Responder) {}

// The values find() leaves for `path`, as "name=value" strings; "no match" when it finds no route.
std::vector<std::string> valuesOf(const Router& router, std::string_view path) {
  std::vector<PathValue> values;
  if (router.find("GET", path, &values).handler == nullptr) return {"no match"};
  std::vector<std::string> out;
  for (const auto& v : values) out.push_back(v.name + "=" + v.value);
  return out;
}

using Values = std::vector<std::string>;

}  // namespace

TEST_CASE("{name} takes one whole, non-empty segment", "[router]") {
  Router router;
  router.on("GET", "/users/{id}", none);
  router.on("GET", "/users/{id}/posts/{post}", none);
  CHECK(valuesOf(router, "/users/7") == Values{"id=7"});
  CHECK(valuesOf(router, "/users/7/posts/x") == Values{"id=7", "post=x"});
  CHECK(valuesOf(router, "/users/") == Values{"no match"});
  CHECK(valuesOf(router, "/users") == Values{"no match"});
  CHECK(valuesOf(router, "/users/7/") == Values{"no match"});
  CHECK(valuesOf(router, "/users/7/posts") == Values{"no match"});
  CHECK(valuesOf(router, "/users//posts/x") == Values{"no match"});
}

TEST_CASE("{name...} takes the rest of the path, even nothing, but not a missing '/'", "[router]") {
  Router router;
  router.on("GET", "/files/{rest...}", none);
  CHECK(valuesOf(router, "/files/a/b/c") == Values{"rest=a/b/c"});
  CHECK(valuesOf(router, "/files/") == Values{"rest="});
  CHECK(valuesOf(router, "/files/a/") == Values{"rest=a/"});
  CHECK(valuesOf(router, "/files") == Values{"no match"});
  CHECK(valuesOf(router, "/filesx/a") == Values{"no match"});
}

TEST_CASE("values are decoded after the split, so an escaped '/' stays in its segment",
          "[router]") {
  Router router;
  router.on("GET", "/users/{id}", none);
  router.on("GET", "/files/{rest...}", none);
  CHECK(valuesOf(router, "/users/a%2Fb") == Values{"id=a/b"});
  CHECK(valuesOf(router, "/users/caf%C3%A9%20x+y") == Values{"id=caf\xC3\xA9 x+y"});
  CHECK(valuesOf(router, "/files/a%2Fb/c%20d") == Values{"rest=a/b/c d"});
}

TEST_CASE("a literal segment matches a path segment that decodes to it", "[router]") {
  Router router;
  router.on("GET", "/items", none);
  router.on("GET", "/items/{id}/tags", none);
  CHECK(router.find("GET", "/it%65ms").handler != nullptr);
  CHECK(valuesOf(router, "/it%65ms/3/t%61gs") == Values{"id=3"});
  CHECK(router.find("GET", "/items%2F").status == 404);  // "items/" is not the segment "items"
}

TEST_CASE("find() empties the values first, and a subtree leaves none", "[router]") {
  Router router;
  router.on("GET", "/users/{id}", none);
  router.on("GET", "/static/*", none);
  std::vector<PathValue> values = {{"stale", "x"}};
  REQUIRE(router.find("GET", "/static/app.js", &values).handler != nullptr);
  CHECK(values.empty());
  REQUIRE(router.find("GET", "/users/1", &values).handler != nullptr);
  REQUIRE(router.find("GET", "/users/2", &values).handler != nullptr);
  REQUIRE(values.size() == 1);
  CHECK(values[0].value == "2");
}

TEST_CASE(
    "Request::pathValue reads the router's values, and clear() forgets them but keeps capacity",
    "[router]") {
  Router router;
  router.on("GET", "/users/{id}/{rest...}", none);
  Request request;
  REQUIRE(router.find("GET", "/users/7/a/b", &request.pathValues).handler != nullptr);
  CHECK(request.pathValue("id") == "7");
  CHECK(request.pathValue("rest") == "a/b");
  CHECK(request.pathValue("other").empty());
  const auto capacity = request.pathValues.capacity();
  request.clear();
  CHECK(request.pathValue("id").empty());
  CHECK(request.pathValues.capacity() == capacity);  // a keep-alive connection reuses it
}
