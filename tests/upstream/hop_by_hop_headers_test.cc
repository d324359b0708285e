// A proxy forwards end-to-end fields only: Connection, the fields it names, Keep-Alive, TE,
// Transfer-Encoding, Upgrade and Proxy-* are dropped (RFC 9110 section 7.6.1).
#include <catch2/catch.hpp>

#include "upstream/hop_by_hop.h"

using namespace closewise;

TEST_CASE("hop-by-hop fields and those Connection names are not forwarded", "[hop]") {
  const std::vector<protocol::Header> in = {
      {"Host", "example"},
      {"connection", "X-Trace , close,,keep-alive"},
      {"Keep-Alive", "timeout=5"},
      {"TE", "trailers"},
      {"Transfer-Encoding", "chunked"},
      {"Upgrade", "websocket"},
      {"Proxy-Authorization", "Basic x"},
      {"Proxy-Connection", "keep-alive"},
      {"x-trace", "abc"},
      {"Accept", "*/*"},
      {"Trailer", "Expires"},
      {"Proxy", "not a prefix match"},
  };
  const auto out = upstream::endToEndHeaders(in);
  std::vector<std::string> names;
  for (const auto& h : out) names.push_back(h.name);
  CHECK(names == std::vector<std::string>{"Host", "Accept", "Trailer", "Proxy"});
}

TEST_CASE("the fixed hop-by-hop names, case-insensitive", "[hop]") {
  for (const char* n : {"Connection", "KEEP-ALIVE", "te", "Transfer-Encoding", "upgrade",
                        "Proxy-Authenticate", "proxy-authorization"})
    CHECK(upstream::isHopByHop(n));
  for (const char* n : {"Host", "Trailer", "Content-Length", "Proxy", "X-Proxy-Id"})
    CHECK_FALSE(upstream::isHopByHop(n));
}
