// GET /stats as parsed JSON, and the alerts in it, for the tests that run the real binary.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/admin/http_client.h"

namespace closewise::test {

// The parsed document, or null when the request failed or did not answer 200.
inline nlohmann::json stats(std::uint16_t adminPort) {
  auto response = get(adminPort, "/stats");
  if (!response || response->status != 200) return nlohmann::json();
  return nlohmann::json::parse(response->body);
}

// The active alert called `name` in a /stats document, or nullptr.
inline const nlohmann::json* findAlert(const nlohmann::json& document, const std::string& name) {
  if (document.is_null()) return nullptr;
  for (const auto& alert : document["alerts"]) {
    if (alert["name"] == name) return &alert;
  }
  return nullptr;
}

}  // namespace closewise::test
