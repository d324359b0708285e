// Every response this server writes, whatever produced it (a handler, the router, the parser's
// refusal, a deadline), carries Date (RFC 9110 section 6.6.1: an origin server with a clock MUST
// send it), "Server: closewise", and exactly one framing: Content-Length or chunked
// Transfer-Encoding (RFC 9112 section 6.3). Without a framing header a kept-alive client could not
// tell where the answer ends. Interim 1xx answers carry no framing by definition and are not
// covered here.
#include <catch2/catch.hpp>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/fixture.h"

using namespace closewise;
using namespace closewise::testing;

namespace {

struct Response {
  std::string statusLine;
  std::vector<protocol::Header> headers;
  std::string body;

  std::size_t count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& h : headers) n += protocol::equalsIgnoreCase(h.name, name) ? 1 : 0;
    return n;
  }
  std::string value(std::string_view name) const {
    for (const auto& h : headers) {
      if (protocol::equalsIgnoreCase(h.name, name)) return h.value;
    }
    return {};
  }
};

// Splits a stream of responses by their own framing, as a client would. Returns nullopt if a
// response has no framing or its framing does not match the bytes.
std::optional<std::vector<Response>> splitResponses(std::string_view wire) {
  std::vector<Response> responses;
  while (!wire.empty()) {
    const auto headEnd = wire.find("\r\n\r\n");
    if (headEnd == std::string_view::npos) return std::nullopt;
    std::string_view head = wire.substr(0, headEnd + 2);
    wire.remove_prefix(headEnd + 4);
    Response r;
    auto line = head.find("\r\n");
    r.statusLine = std::string(head.substr(0, line));
    head.remove_prefix(line + 2);
    while (!head.empty()) {
      line = head.find("\r\n");
      const std::string_view field = head.substr(0, line);
      head.remove_prefix(line + 2);
      const auto colon = field.find(": ");
      if (colon == std::string_view::npos) return std::nullopt;
      r.headers.push_back(
          {std::string(field.substr(0, colon)), std::string(field.substr(colon + 2))});
    }
    if (r.count("Content-Length") == 1) {
      std::size_t length = 0;
      const std::string text = r.value("Content-Length");
      std::from_chars(text.data(), text.data() + text.size(), length);
      if (wire.size() < length) return std::nullopt;
      r.body = std::string(wire.substr(0, length));
      wire.remove_prefix(length);
    } else if (r.value("Transfer-Encoding") == "chunked") {
      for (;;) {
        line = wire.find("\r\n");
        if (line == std::string_view::npos) return std::nullopt;
        std::size_t size = 0;
        std::from_chars(wire.data(), wire.data() + line, size, 16);
        wire.remove_prefix(line + 2);
        if (wire.size() < size + 2) return std::nullopt;
        r.body += wire.substr(0, size);
        wire.remove_prefix(size + 2);  // the data and its CRLF; after "0\r\n", the empty trailer
        if (size == 0) break;
      }
    } else {
      return std::nullopt;
    }
    responses.push_back(std::move(r));
  }
  return responses;
}

// IMF-fixdate, the only form a sender may generate (RFC 9110 section 5.6.7), in the shape of
// "Sun, 06 Nov 1994 08:49:37 GMT": a day name, then digits and punctuation at fixed places.
bool isImfFixdate(std::string_view date) {
  constexpr std::string_view kShape = "Www, 00 Mmm 0000 00:00:00 GMT";
  constexpr std::string_view kDays = "Mon Tue Wed Thu Fri Sat Sun";
  constexpr std::string_view kMonths = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec";
  if (date.size() != kShape.size()) return false;
  const auto named = [](std::string_view names, std::string_view name) {
    const auto at = names.find(name);
    return at != std::string_view::npos && at % 4 == 0;
  };
  if (!named(kDays, date.substr(0, 3)) || !named(kMonths, date.substr(8, 3))) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    if (i < 3 || (i >= 8 && i < 11)) continue;  // the names, checked above
    const bool digitWanted = kShape[i] == '0';
    const bool digit = date[i] >= '0' && date[i] <= '9';
    if (digitWanted ? !digit : date[i] != kShape[i]) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("every response carries Date, Server: closewise and exactly one framing header") {
  std::vector<server::Responder> held;  // the handler that never answers keeps its Responder here
  ServerFixture fixture(
      [](server::WorkerOptions& o) {
        o.limits.maxBodyBytes = 1024;
        o.timeouts.header = 150ms;
        o.timeouts.handler = 150ms;
      },
      [&](server::Router& router) {
        router.on("GET", "/chunked", [](const server::Request&, server::Responder r) {
          r.start(200);
          r.write("one");
          r.write("two");
          r.end();
        });
        router.on("GET", "/refuses",
                  [](const server::Request&, server::Responder r) { r.send(400, "refused\n"); });
        router.on("GET", "/drops", [](const server::Request&, server::Responder) {});
        router.on("GET", "/never", [&](const server::Request&, server::Responder r) {
          held.push_back(std::move(r));
        });
      });

  // Handler answers, router answers and a handler's own 400 on one kept-alive connection.
  RawClient& kept = fixture.connect();
  kept.send(get("/") + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi" +
            get("/delay?ms=1") + get("/bytes?n=10") + get("/chunked") + get("/nope") +
            "DELETE / HTTP/1.1\r\nHost: t\r\n\r\n" + get("/refuses") + get("/drops") +
            get("/", "Connection: close\r\n"));
  constexpr std::size_t kKeptAnswers = 10;

  // Answers that end their connection: the parser's refusals and the deadlines.
  const std::vector<std::string> closing = {
      "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: t\r\nX: " + std::string(20 * 1024, 'x') + "\r\n\r\n",  // 431
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2048\r\n\r\n",               // 413
      "GET / HTTP/2.0\r\nHost: t\r\n\r\n",                                            // 505
      "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",       // 501
      "GET / HTTP/1.1\r\nHost: t\r\n",                                                // 408
      get("/never"),                                                                  // 503
  };
  std::vector<RawClient*> closers;
  for (const auto& request : closing) {
    closers.push_back(&fixture.connect());
    closers.back()->send(request);
  }

  REQUIRE(fixture.runUntil(
      [&] {
        if (!kept.eof()) return false;
        for (RawClient* c : closers) {
          if (!c->eof() && c->readError() == 0) return false;
        }
        return true;
      },
      10s));

  std::vector<Response> all;
  auto keptResponses = splitResponses(kept.received());
  REQUIRE(keptResponses);
  CHECK(keptResponses->size() == kKeptAnswers);
  all = *keptResponses;
  for (std::size_t i = 0; i < closers.size(); ++i) {
    INFO("request " << closing[i].substr(0, 40));
    auto responses = splitResponses(closers[i]->received());
    REQUIRE(responses);
    CHECK(responses->size() == 1);
    all.insert(all.end(), responses->begin(), responses->end());
  }

  std::vector<std::string> statuses;
  for (const Response& r : all) {
    INFO(r.statusLine);
    statuses.push_back(r.statusLine.substr(9, 3));
    CHECK(r.count("Date") == 1);
    CHECK(isImfFixdate(r.value("Date")));
    CHECK(r.count("Server") == 1);
    CHECK(r.value("Server") == "closewise");
    // Exactly one framing: Content-Length xor chunked, never both (RFC 9112 section 6.1).
    CHECK(r.count("Content-Length") + r.count("Transfer-Encoding") == 1);
  }
  // The test covered what it meant to cover: each kind of answer once.
  CHECK(statuses == std::vector<std::string>{"200", "200", "200", "200", "200", "404", "405", "400",
                                             "500", "200", "400", "431", "413", "505", "501", "408",
                                             "503"});
}
