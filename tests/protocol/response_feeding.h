#pragma once

// Feeds a response to a ResponseParser the way an upstream connection does, whole or one byte
// at a time, and records what the caller sees. parseResponse() does both and requires the same
// outcome, so every test of the response parser checks each rule at every split as well.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/response_parser.h"
#include "tests/protocol/feeding.h"

namespace closewise::testing {

struct ResponseTranscript {
  // What the caller saw, in order: "interim 103", "head 200", "body" (consecutive pieces
  // collapse into one), "complete keep-alive" or "complete close", "error <reason>".
  std::vector<std::string> events;
  protocol::Response response;  // at the end (at the error, for one that failed)
  std::string body;             // every piece of body, joined
  std::size_t bodyPieces = 0;
  std::size_t consumed = 0;  // bytes the parser took, of those fed
  bool keepAlive = false;
  bool anyByteReceived = false;
};

struct FeedOptions {
  std::string_view method = "GET";
  protocol::ResponseLimits limits;
  bool eofAtEnd = false;  // the upstream closes after the input: call finish()
};

// One read's worth of bytes in a heap block of exactly their size, freed as soon as the parser
// is done with it: ASan then reports a view kept into an old read buffer, as a real connection
// reuses its buffer.
inline ResponseTranscript feedResponse(std::string_view input, Feeding feeding,
                                       const FeedOptions& options = {}) {
  protocol::ResponseParser parser{options.limits};
  parser.expect(options.method);
  ResponseTranscript t;
  bool done = false;
  auto record = [&](protocol::ResponseStatus status) {
    using protocol::ResponseStatus;
    const protocol::Response& r = parser.response();
    switch (status) {
      case ResponseStatus::NeedMore:
        return;
      case ResponseStatus::Interim:
        t.events.push_back("interim " + std::to_string(r.status));
        return;
      case ResponseStatus::HeadComplete:
        t.events.push_back("head " + std::to_string(r.status));
        return;
      case ResponseStatus::Body:
        if (t.events.empty() || t.events.back() != "body") t.events.emplace_back("body");
        t.body.append(parser.body());
        ++t.bodyPieces;
        return;
      case ResponseStatus::MessageComplete:
        t.events.push_back(parser.keepAlive() ? "complete keep-alive" : "complete close");
        done = true;
        return;
      case ResponseStatus::Error:
        t.events.push_back("error " + std::string(parser.error()));
        done = true;
        return;
    }
  };
  const std::size_t step = feeding == Feeding::Whole ? input.size() : 1;
  for (std::size_t offset = 0; offset < input.size() && !done; offset += step) {
    const std::size_t size = std::min(step, input.size() - offset);
    const auto read = std::make_unique<char[]>(size);
    std::memcpy(read.get(), input.data() + offset, size);
    const char* data = read.get();
    std::size_t len = size;
    int idle = 0;  // results in a row that consumed nothing
    while (!done) {
      const protocol::ResponseResult r = parser.feed(data, len);
      REQUIRE(r.consumed <= len);
      if (r.status == protocol::ResponseStatus::Body) {
        // The piece is a view into these very bytes: nothing was copied.
        REQUIRE_FALSE(parser.body().empty());
        REQUIRE(parser.body().data() >= data);
        REQUIRE(parser.body().data() + parser.body().size() <= data + r.consumed);
      }
      idle = r.consumed == 0 ? idle + 1 : 0;
      REQUIRE(idle < 3);  // a caller that feeds again must make progress
      data += r.consumed;
      len -= r.consumed;
      t.consumed += r.consumed;
      record(r.status);
      if (r.status == protocol::ResponseStatus::NeedMore) {
        REQUIRE(len == 0);
        break;
      }
    }
  }
  if (!done && options.eofAtEnd) record(parser.finish());
  t.response = parser.response();
  t.keepAlive = parser.keepAlive();
  t.anyByteReceived = parser.anyByteReceived();
  return t;
}

// Both ways, which must agree; returns the transcript.
inline ResponseTranscript parseResponse(std::string_view input, const FeedOptions& options = {}) {
  const ResponseTranscript whole = feedResponse(input, Feeding::Whole, options);
  const ResponseTranscript bytes = feedResponse(input, Feeding::ByteByByte, options);
  INFO("input: " << input);
  REQUIRE(bytes.events == whole.events);
  REQUIRE(bytes.body == whole.body);
  // An error may be noticed a few bytes later when they come one by one (a field name is
  // checked when it ends), and what was parsed of the failed response up to it may differ: the
  // rest is compared only for a response that did not fail.
  if (!whole.events.empty() && whole.events.back().rfind("error ", 0) == 0) return whole;
  REQUIRE(bytes.consumed == whole.consumed);
  REQUIRE(bytes.keepAlive == whole.keepAlive);
  REQUIRE(bytes.response.status == whole.response.status);
  REQUIRE(bytes.response.reason == whole.response.reason);
  REQUIRE(bytes.response.versionMinor == whole.response.versionMinor);
  REQUIRE(bytes.response.framing == whole.response.framing);
  REQUIRE(bytes.response.contentLength == whole.response.contentLength);
  REQUIRE(bytes.response.headers.size() == whole.response.headers.size());
  for (std::size_t i = 0; i < whole.response.headers.size(); ++i) {
    REQUIRE(bytes.response.headers[i].name == whole.response.headers[i].name);
    REQUIRE(bytes.response.headers[i].value == whole.response.headers[i].value);
  }
  REQUIRE(bytes.response.trailers.size() == whole.response.trailers.size());
  for (std::size_t i = 0; i < whole.response.trailers.size(); ++i) {
    REQUIRE(bytes.response.trailers[i].name == whole.response.trailers[i].name);
    REQUIRE(bytes.response.trailers[i].value == whole.response.trailers[i].value);
  }
  return whole;
}

// The error a response ends in, both ways ("" when it ends without one).
inline std::string responseError(std::string_view input, const FeedOptions& options = {}) {
  const ResponseTranscript t = parseResponse(input, options);
  if (t.events.empty() || t.events.back().rfind("error ", 0) != 0) return {};
  return t.events.back().substr(6);
}

}  // namespace closewise::testing
