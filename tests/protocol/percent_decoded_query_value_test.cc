// Request::queryValue decodes what queryParam returns raw: keys are compared decoded, '+' is a
// space (the form encoding), and a pair with a malformed escape is skipped as Go's URL.Query()
// drops it.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "protocol/request.h"

using namespace closewise::protocol;

TEST_CASE("queryValue decodes values and compares keys decoded") {
  Request req;
  req.query = "name=a%20b+c&k%65y=v&flag&empty=&plus%2B=1&=x&name=second";
  CHECK(req.queryValue("name") == std::optional<std::string>{"a b c"});
  CHECK(req.queryValue("key") == std::optional<std::string>{"v"});
  CHECK(req.queryValue("k%65y") == std::nullopt);  // the key asked for is already decoded
  CHECK(req.queryValue("flag") == std::optional<std::string>{""});
  CHECK(req.queryValue("empty") == std::optional<std::string>{""});
  CHECK(req.queryValue("plus+") == std::optional<std::string>{"1"});
  CHECK(req.queryValue("") == std::optional<std::string>{"x"});
  CHECK(req.queryValue("nam") == std::nullopt);
  CHECK(req.queryParam("name") == std::optional<std::string_view>{"a%20b+c"});  // still raw
}

TEST_CASE("queryValue skips a pair with a malformed escape and finds a later one") {
  Request req;
  req.query = "a=%zz&a=ok&b%=1&c=%4";
  CHECK(req.queryValue("a") == std::optional<std::string>{"ok"});
  CHECK(req.queryValue("b%") == std::nullopt);
  CHECK(req.queryValue("b") == std::nullopt);
  CHECK(req.queryValue("c") == std::nullopt);
}
