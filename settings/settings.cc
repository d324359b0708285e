#include "settings/settings.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "settings/duration.h"

namespace closewise::settings {

bool isList(Shape shape) {
  return shape == Shape::AddressList || shape == Shape::FdList || shape == Shape::NameList;
}

namespace {

// What a duration setting accepts, for the messages: "a duration greater than 0 and at most 168h
// like 250ms, 5s or 1m".
std::string durationForms(bool zeroAllowed) {
  return std::string(zeroAllowed ? "a duration of" : "a duration greater than 0 and") +
         " at most " + formatDuration(kMaxDuration) + " like 250ms, 5s or 1m";
}

std::optional<std::chrono::milliseconds> parseBoundedDuration(std::string_view text) {
  const auto value = parseDuration(text);
  if (!value || *value > kMaxDuration) return std::nullopt;
  return value;
}

}  // namespace

Expectation setPositiveDuration(std::chrono::milliseconds& target, std::string_view text) {
  const auto value = parseBoundedDuration(text);
  if (!value || value->count() == 0) {
    return durationForms(false);
  }
  target = *value;
  return std::nullopt;
}

Expectation setDuration(std::chrono::milliseconds& target, std::string_view text) {
  const auto value = parseBoundedDuration(text);
  if (!value) {
    return durationForms(true);
  }
  target = *value;
  return std::nullopt;
}

Expectation setOptionalDuration(std::chrono::milliseconds& target, std::string_view text) {
  const auto value = text == "off" ? std::chrono::milliseconds{0} : parseBoundedDuration(text);
  if (!value) {
    return durationForms(true) + ", or \"off\"";
  }
  target = *value;
  return std::nullopt;
}

Expectation setSize(std::size_t& target, std::string_view text, std::size_t min, std::size_t max) {
  const auto value = parseByteSize(text);
  if (!value || *value < min || *value > max) {
    return "a size from " + formatByteSize(min) + " to " + formatByteSize(max) +
           " like 16384, 16KiB or 1MiB";
  }
  target = *value;
  return std::nullopt;
}

// 1 GiB/s is beyond any floor worth setting (a floor is for the slowest honest client), and keeps
// floor x window far from overflowing.
Expectation setRate(std::uint64_t& target, std::string_view text) {
  const auto value = parseByteSize(text);
  if (!value || *value > (std::size_t{1} << 30)) {
    return "bytes per second from 0 (off) to 1GiB like 500 or 4KiB";
  }
  target = *value;
  return std::nullopt;
}

Expectation setSwitch(bool& target, std::string_view text) {
  if (text != "true" && text != "false" && text != "on" && text != "off") return "true or false";
  target = text == "true" || text == "on";
  return std::nullopt;
}

std::string showSwitch(bool value) {
  return value ? "on" : "off";
}

std::string showDuration(std::chrono::milliseconds value) {
  return formatDuration(value);
}

std::string showOptionalDuration(std::chrono::milliseconds value) {
  return value.count() == 0 ? "off" : formatDuration(value);
}

std::optional<std::string> readSettingFile(const std::string& path, std::string& contents) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return std::strerror(errno);
  std::ostringstream text;
  text << stream.rdbuf();
  if (stream.bad()) return std::strerror(errno);
  contents = std::move(text).str();
  return std::nullopt;
}

// Dot-separated labels of letters, digits and hyphens, 1 to 63 characters each, not starting or
// ending with a hyphen; 253 at most.
bool isHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto dot = std::min(name.find('.', start), name.size());
    const std::string_view label = name.substr(start, dot - start);
    const bool lettersDigitsHyphens = std::all_of(label.begin(), label.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (label.empty() || label.size() > 63 || !lettersDigitsHyphens || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    start = dot + 1;
  }
  return true;
}

}  // namespace closewise::settings
