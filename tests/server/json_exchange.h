// For the JSON tests: a request with a body of a given Content-Type, and the body of the answer
// read back as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace closewise::testing {

// A complete POST with a Content-Length body; no Content-Type field when contentType is empty.
inline std::string post(std::string_view path, std::string_view body,
                        std::string_view contentType = "application/json") {
  std::string request = "POST ";
  request += path;
  request += " HTTP/1.1\r\nHost: test\r\n";
  if (!contentType.empty()) {
    request += "Content-Type: ";
    request += contentType;
    request += "\r\n";
  }
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  request += body;
  return request;
}

// The body of the one answer in `received`, parsed; discarded (is_discarded()) if it is not JSON.
inline nlohmann::json answerJson(std::string_view received) {
  const auto start = received.find("\r\n\r\n");
  if (start == std::string_view::npos) return nlohmann::json::value_t::discarded;
  return nlohmann::json::parse(received.substr(start + 4), nullptr, false);
}

}  // namespace closewise::testing
