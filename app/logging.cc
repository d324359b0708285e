#include "app/logging.h"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <string>

#include "protocol/utf8.h"

namespace closewise::app {

namespace {

// The words of --log-level, by spdlog's level numbers (critical is not a flag value; closewise
// never logs at it).
std::string_view levelName(spdlog::level::level_enum level) {
  static constexpr std::array<std::string_view, 7> kNames{"trace", "debug",    "info", "warn",
                                                          "error", "critical", "off"};
  const auto index = static_cast<std::size_t>(level);
  return index < kNames.size() ? kNames[index] : "unknown";
}

// %* in the text pattern: the level as --log-level spells it.
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view name = levelName(msg.level);
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelFlag>();
  }
};

// "2026-12-05T19:30:00.123+00:00": RFC 3339, UTC, milliseconds.
void appendTime(spdlog::log_clock::time_point when, spdlog::memory_buf_t& dest) {
  const auto sinceEpoch = when.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(sinceEpoch).count();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(sinceEpoch).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  fmt::format_to(std::back_inserter(dest), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+00:00",
                 utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                 utc.tm_sec, millis);
}

// Length of the valid UTF-8 sequence at text[at], or 0 if the bytes there are not one. The
// sequence is the shortest run from `at` that protocol's validator finds complete.
std::size_t utf8Length(std::string_view text, std::size_t at) {
  protocol::Utf8Validator validator;
  for (std::size_t end = at; end < text.size() && end - at < 4; ++end) {
    if (!validator.feed(text.data() + end, 1)) return 0;
    if (validator.complete()) return end - at + 1;
  }
  return 0;
}

// A JSON string's contents: quotes, backslashes and control bytes escaped, and bytes that are
// not UTF-8 (a request target may hold any) replaced by U+FFFD, so every line parses.
void appendJsonText(std::string_view text, spdlog::memory_buf_t& dest) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      dest.push_back('\\');
      dest.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      fmt::format_to(std::back_inserter(dest), "\\u{:04x}", c);
    } else if (c >= 0x80) {
      const std::size_t length = utf8Length(text, i);
      if (length == 0) {
        fmt::format_to(std::back_inserter(dest), "\\ufffd");
        ++i;
        continue;
      }
      dest.append(text.data() + i, text.data() + i + length);
      i += length;
      continue;
    } else {
      dest.push_back(static_cast<char>(c));
    }
    ++i;
  }
}

bool isKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || c == '_';
}

bool isNumber(std::string_view value) {
  if (value.empty() || value.size() > 15) return false;
  bool dot = false;
  for (const char c : value) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return value.front() != '.' && value.back() != '.';
}

// Appends ,"key":value for each key=value or key="value" of the message, in order. A quoted value
// ends at the next unescaped '"'.
void appendFields(std::string_view message, spdlog::memory_buf_t& dest) {
  std::size_t at = 0;
  while (at < message.size()) {
    const std::size_t start = at;
    while (at < message.size() && isKeyChar(message[at])) ++at;
    if (at == start || at + 1 >= message.size() || message[at] != '=' ||
        (start > 0 && message[start - 1] != ' ')) {
      at = message.find(' ', at);
      if (at == std::string_view::npos) return;
      ++at;
      continue;
    }
    const std::string_view key = message.substr(start, at - start);
    ++at;  // '='
    std::string value;
    bool quoted = message[at] == '"';
    if (quoted) {
      for (++at; at < message.size() && message[at] != '"'; ++at) {
        if (message[at] == '\\' && at + 1 < message.size()) ++at;
        value += message[at];
      }
      ++at;
    } else {
      const std::size_t end = std::min(message.find(' ', at), message.size());
      value = message.substr(at, end - at);
      at = end;
    }
    dest.append(std::string_view(",\""));
    dest.append(key.data(), key.data() + key.size());
    dest.append(std::string_view("\":"));
    if (!quoted && isNumber(value)) {
      dest.append(value.data(), value.data() + value.size());
    } else {
      dest.push_back('"');
      appendJsonText(value, dest);
      dest.push_back('"');
    }
    while (at < message.size() && message[at] == ' ') ++at;
  }
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view message(msg.payload.data(), msg.payload.size());
    dest.append(std::string_view("{\"time\":\""));
    appendTime(msg.time, dest);
    dest.append(std::string_view("\",\"level\":\""));
    const std::string_view level = levelName(msg.level);
    dest.append(level.data(), level.data() + level.size());
    dest.append(std::string_view("\",\"msg\":\""));
    appendJsonText(message, dest);
    dest.push_back('"');
    appendFields(message, dest);
    dest.append(std::string_view("}\n"));
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> textFormatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<LevelFlag>('*');
  formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%*%$ %v");
  return formatter;
}

std::unique_ptr<spdlog::formatter> jsonFormatter() {
  return std::make_unique<JsonFormatter>();
}

void setUpLogging(std::string_view level, std::string_view format) {
  // One thread, and room for a burst: 8192 lines of a few hundred bytes each.
  spdlog::init_thread_pool(8192, 1);
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  sink->set_formatter(format == "json" ? jsonFormatter() : textFormatter());
  auto logger =
      std::make_shared<spdlog::async_logger>("closewise", std::move(sink), spdlog::thread_pool(),
                                             spdlog::async_overflow_policy::overrun_oldest);
  spdlog::set_default_logger(std::move(logger));
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
}

void finishLogging() {
  spdlog::shutdown();
}

}  // namespace closewise::app
