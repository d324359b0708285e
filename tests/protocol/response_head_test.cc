// appendResponseHead writes exact bytes: status line, Date, Server, the framing the body needs,
// Connection as the exchange needs (RFC 9112 9.3, 9.6), the handler's headers, the empty line.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "protocol/response_writer.h"

using namespace closewise::protocol;

namespace {

constexpr std::string_view kDate = "Sun, 06 Nov 1994 08:49:37 GMT";

std::string headOf(const ResponseHead& head) {
  std::string out = "prefix|";  // appendResponseHead appends; it never clears.
  appendResponseHead(out, head, kDate);
  REQUIRE(out.substr(0, 7) == "prefix|");
  return out.substr(7);
}

}  // namespace

TEST_CASE("a keep-alive HTTP/1.1 response with a length") {
  ResponseHead head;
  head.contentLength = 12;
  head.headers = {{"Content-Type", "text/plain"}};
  REQUIRE(headOf(head) ==
          "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: closewise\r\n"
          "Content-Length: 12\r\nContent-Type: text/plain\r\n\r\n");
  REQUIRE(keepsConnectionOpen(head));
  REQUIRE(bodyFraming(head) == BodyFraming::ContentLength);
}

TEST_CASE("a streamed HTTP/1.1 response that closes") {
  ResponseHead head;
  head.status = 503;
  head.keepAlive = false;
  REQUIRE(headOf(head) ==
          "HTTP/1.1 503 Service Unavailable\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
          "Server: closewise\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  REQUIRE_FALSE(keepsConnectionOpen(head));
  REQUIRE(bodyFraming(head) == BodyFraming::Chunked);
}

TEST_CASE("an HTTP/1.0 keep-alive response says so") {
  ResponseHead head;
  head.requestVersionMinor = 0;
  head.contentLength = 0;
  REQUIRE(headOf(head) ==
          "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: closewise\r\n"
          "Content-Length: 0\r\nConnection: keep-alive\r\n\r\n");
  REQUIRE(keepsConnectionOpen(head));
}

TEST_CASE("an HTTP/1.0 response of unknown length is close-delimited") {
  ResponseHead head;
  head.requestVersionMinor = 0;
  REQUIRE(headOf(head) ==
          "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: closewise\r\n"
          "Connection: close\r\n\r\n");
  REQUIRE_FALSE(keepsConnectionOpen(head));
  REQUIRE(bodyFraming(head) == BodyFraming::CloseDelimited);
}

TEST_CASE("a HEAD response carries the GET framing headers") {
  ResponseHead head;
  head.headRequest = true;
  head.contentLength = 1234;
  REQUIRE(headOf(head) ==
          "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: closewise\r\n"
          "Content-Length: 1234\r\n\r\n");
  head.contentLength.reset();
  REQUIRE(headOf(head) ==
          "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: closewise\r\n"
          "Transfer-Encoding: chunked\r\n\r\n");
  REQUIRE(bodyFraming(head) == BodyFraming::None);
}

TEST_CASE("204 and 304 carry no framing headers and no body") {
  ResponseHead head;
  head.status = 204;
  head.contentLength = 5;
  REQUIRE(headOf(head) ==
          "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
          "Server: closewise\r\n\r\n");
  REQUIRE(bodyFraming(head) == BodyFraming::None);
  head.status = 304;
  head.contentLength.reset();
  REQUIRE(headOf(head) ==
          "HTTP/1.1 304 Not Modified\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
          "Server: closewise\r\n\r\n");
  REQUIRE(bodyFraming(head) == BodyFraming::None);
  // HTTP/1.0 with no length would be close-delimited, were a body allowed at all.
  head.requestVersionMinor = 0;
  REQUIRE(bodyFraming(head) == BodyFraming::None);
  REQUIRE(keepsConnectionOpen(head));
}

TEST_CASE("1xx answers have no body, whatever length they are given") {
  for (const int status : {100, 101, 103, 199}) {
    INFO(status);
    ResponseHead head;
    head.status = status;
    head.contentLength = 10;
    REQUIRE(bodyFraming(head) == BodyFraming::None);
    head.contentLength.reset();
    REQUIRE(bodyFraming(head) == BodyFraming::None);
    REQUIRE(headOf(head).find("Transfer-Encoding") == std::string::npos);
  }
}

TEST_CASE("handler headers cannot override framing or split the response") {
  ResponseHead head;
  head.contentLength = 2;
  head.headers = {{"content-length", "99"},
                  {"Transfer-Encoding", "chunked"},
                  {"Connection", "upgrade"},
                  {"X-Evil", "a\r\nSet-Cookie: x=1"},
                  {"X-Ok", "yes"}};
  REQUIRE(headOf(head) ==
          "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: closewise\r\n"
          "Content-Length: 2\r\nX-Ok: yes\r\n\r\n");
}

TEST_CASE("reason phrases, and an empty one for an unknown status") {
  REQUIRE(reasonPhrase(413) == "Content Too Large");
  REQUIRE(reasonPhrase(431) == "Request Header Fields Too Large");
  REQUIRE(reasonPhrase(505) == "HTTP Version Not Supported");
  REQUIRE(reasonPhrase(299).empty());
  ResponseHead head;
  head.status = 299;
  head.contentLength = 0;
  REQUIRE(headOf(head).substr(0, 15) == "HTTP/1.1 299 \r\n");
}

TEST_CASE("simpleResponse is a complete response") {
  REQUIRE(simpleResponse(400, "bad request\n", false, kDate) ==
          "HTTP/1.1 400 Bad Request\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
          "Server: closewise\r\nContent-Type: text/plain; charset=utf-8\r\n"
          "Content-Length: 12\r\nConnection: close\r\n\r\nbad request\n");
  REQUIRE(simpleResponse(200, "", true, kDate) ==
          "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
          "Server: closewise\r\nContent-Type: text/plain; charset=utf-8\r\n"
          "Content-Length: 0\r\n\r\n");
}
