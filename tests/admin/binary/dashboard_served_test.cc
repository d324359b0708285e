// GET / on the admin listener serves the dashboard: one self-contained HTML page (no external
// scripts, styles or fonts, so it works offline) that reads /stats.
#include <catch2/catch.hpp>

#include "tests/admin/closewise_process.h"
#include "tests/admin/http_client.h"

using namespace closewise::test;

TEST_CASE("GET / serves the self-contained dashboard page", "[dashboard][binary]") {
  ClosewiseProcess server(basicArgs());
  auto page = get(server.adminPort(), "/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->header("Content-Type") == "text/html; charset=utf-8");
  CHECK(page->body.starts_with("<!doctype html>"));
  CHECK(page->body.find("id=\"diagram\"") != std::string::npos);
  CHECK(page->body.find("fetch(\"/stats\"") != std::string::npos);
  // Nothing is loaded from elsewhere.
  for (const char* external :
       {"src=\"http", "href=\"http", "src=\"//", "href=\"//", "@import", "url(http", "url(//"}) {
    INFO(external);
    CHECK(page->body.find(external) == std::string::npos);
  }
  // The same page is not on the public port.
  auto publicRoot = get(server.publicPort(), "/");
  REQUIRE(publicRoot);
  CHECK(publicRoot->body.find("id=\"diagram\"") == std::string::npos);
}
