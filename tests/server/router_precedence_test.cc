// The most specific route wins, as in Go 1.22's ServeMux: an exact path, then more literal
// segments, then, segment by segment from the left, a literal before {name}, {name} before a
// subtree, a subtree before {name...}; whatever the order of registration.
#include <catch2/catch.hpp>
#include <string>

#include "server/router.h"

using closewise::server::Handler;
using closewise::server::Request;
using closewise::server::Responder;
using closewise::server::Router;

namespace {

// A handler that knows the pattern it was registered for, so a test can ask which one won.
struct Tagged {
  std::string pattern;
  void operator()(const Request&, Responder) const {}
};

// Registers each pattern, in the order given, and names the one find() chooses for a path.
class Named {
 public:
  explicit Named(std::initializer_list<const char*> patterns) {
    for (const char* pattern : patterns) router_.on("GET", pattern, Tagged{pattern});
  }
  std::string winner(std::string_view path) const {
    const Handler* handler = router_.find("GET", path).handler;
    return handler == nullptr ? "none" : handler->target<Tagged>()->pattern;
  }

 private:
  Router router_;
};

}  // namespace

TEST_CASE("an exact path beats every pattern", "[router]") {
  for (const Named& named : {Named{"/{rest...}", "/users/{id}", "/users/new", "/users/*"},
                             Named{"/users/new", "/users/*", "/users/{id}", "/{rest...}"}}) {
    CHECK(named.winner("/users/new") == "/users/new");
    CHECK(named.winner("/users/7") == "/users/{id}");
    CHECK(named.winner("/users/7/x") == "/users/*");
    CHECK(named.winner("/other") == "/{rest...}");
  }
}

TEST_CASE("more literal segments win", "[router]") {
  for (const Named& named : {Named{"/a/{x}/{y}", "/a/{x}/c", "/a/b/{rest...}", "/a/*"},
                             Named{"/a/*", "/a/b/{rest...}", "/a/{x}/c", "/a/{x}/{y}"}}) {
    CHECK(named.winner("/a/z/c") == "/a/{x}/c");
    CHECK(named.winner("/a/z/d") == "/a/{x}/{y}");
    CHECK(named.winner("/a/b/d") == "/a/b/{rest...}");  // two literals against one
    CHECK(named.winner("/a/z/d/e") == "/a/*");
  }
}

TEST_CASE("as many literals: the leftmost more specific segment wins", "[router]") {
  for (const Named& named : {Named{"/f/{rest...}", "/f/*", "/f/{x}", "/f/{x}/{rest...}"},
                             Named{"/f/{x}/{rest...}", "/f/{x}", "/f/*", "/f/{rest...}"}}) {
    CHECK(named.winner("/f/a") == "/f/{x}");              // {name} before a subtree
    CHECK(named.winner("/f/a/b") == "/f/{x}/{rest...}");  // {name} before a subtree again
    CHECK(named.winner("/f/") == "/f/{rest...}");         // only {name...} takes nothing
  }
  for (const Named& named :
       {Named{"/{x}/b/{y}", "/a/{x}/{y}"}, Named{"/a/{x}/{y}", "/{x}/b/{y}"}}) {
    // Go refuses these two as conflicting; here the literal further left decides.
    CHECK(named.winner("/a/b/c") == "/a/{x}/{y}");
  }
}

TEST_CASE("a subtree beats {name...}: it takes only a non-empty rest", "[router]") {
  for (const Named& named : {Named{"/s/{rest...}", "/s/*"}, Named{"/s/*", "/s/{rest...}"}}) {
    CHECK(named.winner("/s/a/b") == "/s/*");
    CHECK(named.winner("/s/") == "/s/{rest...}");
  }
}
