// appendChunk writes one chunk of RFC 9112 7.1 (size in hex, CRLF, data, CRLF); empty data
// writes nothing, since a zero-size chunk is the last chunk.
#include <catch2/catch.hpp>
#include <string>

#include "protocol/response_writer.h"

using namespace closewise::protocol;

TEST_CASE("chunks are hex-sized and CRLF-terminated, and the last chunk ends the body") {
  std::string out;
  appendChunk(out, "hello");
  REQUIRE(out == "5\r\nhello\r\n");
  appendChunk(out, "");
  REQUIRE(out == "5\r\nhello\r\n");
  appendChunk(out, std::string(255, 'x'));
  REQUIRE(out.substr(10, 4) == "ff\r\n");
  REQUIRE(out.size() == 10 + 4 + 255 + 2);
  REQUIRE(out.substr(out.size() - 2) == "\r\n");
  out.clear();
  appendChunk(out, std::string(4096, 'y'));
  REQUIRE(out.substr(0, 6) == "1000\r\n");
  out.clear();
  appendLastChunk(out);
  REQUIRE(out == "0\r\n\r\n");
}
