// JSON for handlers: read a request body as JSON, answer with JSON.
//
// Every function here answers the client itself when it must refuse (415, 400), so a handler's
// JSON route is three lines: parse, act, send. None of them lets an exception out: a handler runs
// inside a libuv callback, and nlohmann-json's own errors (a syntax error, a string that is not
// UTF-8) are exceptions unless asked otherwise. The functions are for routes whose body is read
// whole (the default); a streamed body (RouteOptions::streamBody) is empty when the handler runs.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "server/handler.h"

namespace closewise::server {

// True for a Content-Type value naming JSON: application/json, or any type with the structured
// syntax suffix +json (RFC 6839 section 3.1: application/problem+json, application/vnd.x+json).
// Case-insensitive (RFC 9110 section 8.3.1); parameters (charset=utf-8) are ignored, as RFC 8259
// section 11 defines none and JSON is UTF-8 whatever one says.
bool isJsonMediaType(std::string_view contentType) noexcept;

// The request body as JSON, or nullopt once the client has been answered:
//   415 (RFC 9110 section 15.5.16) when Content-Type is missing or not JSON (isJsonMediaType),
//   400 when the body is empty or is not JSON; the error names the problem and the byte offset
//       where the parser stopped ({"error": "...", "offset": 12}), counted from 1 as nlohmann
//       counts (parse_error::byte), so a client can find the mistake in what it sent.
// Both answers are JSON error bodies (sendJsonError). The handler only returns on nullopt.
std::optional<nlohmann::json> parseJsonBody(const Request& request, Responder& responder);

// Answers `status` with `body` serialized as JSON, Content-Type application/json unless `headers`
// names another (application/problem+json, say). A string that is not UTF-8 (a path, a header or
// an upstream's bytes copied into the document) is written with U+FFFD in place of each bad byte
// where nlohmann-json would throw. Returns what Responder::send returns.
bool sendJson(Responder& responder, int status, const nlohmann::json& body,
              std::vector<Header> headers = {});

// {"error": message}, the shape of every error closewise's JSON helpers answer.
bool sendJsonError(Responder& responder, int status, std::string_view message);

}  // namespace closewise::server
