// A route ending in "/*" serves the subtree under it: exact routes first, then the longest
// prefix; a known subtree with another method is 405 with Allow, a path outside every route 404.
#include <catch2/catch.hpp>

#include "server/router.h"

using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::Router;

namespace {

// A handler that answers nothing: the tests compare which one the router found.
void none(const Request&, Responder) {}

}  // namespace

TEST_CASE("a subtree route matches every path under it, not its own root", "[router]") {
  Router router;
  router.on("GET", "/files/*", none);
  CHECK(router.find("GET", "/files/a").handler != nullptr);
  CHECK(router.find("GET", "/files/a/b/c").handler != nullptr);
  CHECK(router.find("GET", "/files/").status == 404);  // nothing under it
  CHECK(router.find("GET", "/files").status == 404);
  CHECK(router.find("GET", "/filesx").status == 404);
}

TEST_CASE("an exact route beats a subtree, and the longest subtree wins", "[router]") {
  Router router;
  router.on("GET", "/a/*", none);
  router.on("GET", "/a/b/*", none);
  router.on("GET", "/a/b/exact", none);
  const auto* shallow = router.find("GET", "/a/x").handler;
  const auto* deep = router.find("GET", "/a/b/x").handler;
  const auto* exact = router.find("GET", "/a/b/exact").handler;
  REQUIRE(shallow != nullptr);
  REQUIRE(deep != nullptr);
  REQUIRE(exact != nullptr);
  CHECK(shallow != deep);
  CHECK(exact != deep);
  CHECK(router.find("GET", "/a/bx").handler == shallow);
}

TEST_CASE("a subtree with another method is 405 with the methods it has", "[router]") {
  Router router;
  router.on("GET", "/api/*", none);
  router.on("POST", "/api/*", none);
  const auto match = router.find("DELETE", "/api/items/7");
  CHECK(match.handler == nullptr);
  CHECK(match.status == 405);
  CHECK(match.allow == "GET, HEAD, POST");  // HEAD with GET (RFC 9110 section 9.3.2)
  CHECK(router.find("POST", "/api/items").handler != nullptr);
}
