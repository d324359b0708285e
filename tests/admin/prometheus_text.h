// A strict reader of the Prometheus text exposition format (version 0.0.4), for the tests of
// GET /metrics. It accepts only what the format allows and reports the first violation, so a
// malformed line fails a test instead of being skipped the way a lenient scraper might skip it.
//
// Rules checked: every line ends in '\n'; comment lines are "# HELP name text" or
// "# TYPE name type" with a known type; a family has at most one TYPE, given before its first
// sample; every sample belongs to a family with a TYPE; a family's samples are adjacent; metric
// and label names match [a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]*; label values are
// double-quoted with only \\, \" and \n escapes; no label name repeats in a sample; no series
// repeats; values parse as floats (or NaN, +Inf, -Inf); a counter's sample name ends in _total;
// a histogram's samples are its _bucket (with le), _sum and _count series.
#pragma once

#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace closewise::test {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0.0;
};

struct PromDocument {
  std::map<std::string, std::string> types;  // family -> type
  std::vector<PromSample> samples;
  std::string error;  // empty when the text is valid

  // The value of the sample with this name and exactly these labels; NaN when absent.
  double value(std::string_view name, const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::strtod("nan", nullptr);
  }
};

namespace detail {

inline bool metricNameChar(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

inline bool labelNameChar(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

// Reads a name at `text[at]` with `valid`; returns it and moves `at`, or "" if none.
template <typename Valid>
std::string readName(std::string_view text, std::size_t& at, Valid valid) {
  const std::size_t start = at;
  while (at < text.size() && valid(text[at], at == start)) ++at;
  return std::string(text.substr(start, at - start));
}

inline bool parseValue(std::string_view text, double& value) {
  if (text == "NaN" || text == "+Inf" || text == "-Inf") {
    value = std::strtod(std::string(text).c_str(), nullptr);
    return true;
  }
  if (text.empty()) return false;
  const std::string copy(text);
  char* end = nullptr;
  value = std::strtod(copy.c_str(), &end);
  // strtod would accept "inf", "nan" and hex; the format's floats are Go ParseFloat's decimal ones.
  for (const char c : copy) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' ||
          c == 'e' || c == 'E')) {
      return false;
    }
  }
  return end == copy.c_str() + copy.size();
}

}  // namespace detail

inline PromDocument parsePrometheusText(std::string_view text) {
  static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                               "untyped"};
  PromDocument doc;
  std::set<std::string> helped;
  std::set<std::string> finished;  // families whose samples have ended
  std::set<std::string> series;
  std::string current;  // family of the previous sample
  std::size_t lineNo = 0;
  auto fail = [&](const std::string& why) {
    doc.error = "line " + std::to_string(lineNo) + ": " + why;
    return doc;
  };
  if (!text.empty() && text.back() != '\n') return fail("the text does not end in a line feed");
  while (!text.empty()) {
    ++lineNo;
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::size_t at = 1;
      if (line.substr(0, 7) == "# HELP " || line.substr(0, 7) == "# TYPE ") {
        const bool isType = line[2] == 'T';
        at = 7;
        const std::string name = detail::readName(line, at, detail::metricNameChar);
        if (name.empty() || at >= line.size() || line[at] != ' ') {
          return fail("bad metric name in comment");
        }
        const std::string_view rest = line.substr(at + 1);
        if (isType) {
          if (!kTypes.count(std::string(rest))) return fail("unknown type " + std::string(rest));
          if (doc.types.count(name)) return fail("second TYPE for " + name);
          if (finished.count(name) || current == name) return fail("TYPE after samples: " + name);
          doc.types[name] = std::string(rest);
        } else {
          if (helped.count(name)) return fail("second HELP for " + name);
          helped.insert(name);
        }
      }
      continue;  // other comments are allowed and ignored
    }
    std::size_t at = 0;
    PromSample sample;
    sample.name = detail::readName(line, at, detail::metricNameChar);
    if (sample.name.empty()) return fail("a sample line must start with a metric name");
    if (at < line.size() && line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        const std::string label = detail::readName(line, at, detail::labelNameChar);
        if (label.empty()) return fail("bad label name");
        if (at + 1 >= line.size() || line[at] != '=' || line[at + 1] != '"') {
          return fail("label " + label + " needs =\"value\"");
        }
        at += 2;
        std::string value;
        for (;;) {
          if (at >= line.size()) return fail("unterminated label value");
          const char c = line[at++];
          if (c == '"') break;
          if (c == '\\') {
            if (at >= line.size()) return fail("dangling escape");
            const char e = line[at++];
            if (e == 'n') {
              value += '\n';
            } else if (e == '\\' || e == '"') {
              value += e;
            } else {
              return fail("bad escape in label value");
            }
          } else {
            value += c;
          }
        }
        if (!sample.labels.emplace(label, value).second) return fail("label repeated: " + label);
        if (at < line.size() && line[at] == ',') ++at;
      }
      if (at >= line.size()) return fail("unterminated label set");
      ++at;  // '}'
    }
    if (at >= line.size() || line[at] != ' ') return fail("a single space must precede the value");
    ++at;
    std::string_view valueText = line.substr(at);
    if (const std::size_t space = valueText.find(' '); space != std::string_view::npos) {
      const std::string_view timestamp = valueText.substr(space + 1);
      valueText = valueText.substr(0, space);
      double ignored = 0;
      if (!detail::parseValue(timestamp, ignored)) return fail("bad timestamp");
    }
    if (!detail::parseValue(valueText, sample.value)) {
      return fail("value is not a number: " + std::string(valueText));
    }
    // The sample's family: its own name, or for a histogram's _bucket, _sum and _count series
    // the name without the suffix (a _bucket sample must carry le).
    std::string family = sample.name;
    for (const std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      const std::string base = sample.name.substr(0, sample.name.size() - suffix.size());
      const auto baseType = doc.types.find(base);
      if (sample.name.ends_with(suffix) && baseType != doc.types.end() &&
          baseType->second == "histogram") {
        family = base;
        if (suffix == "_bucket" && !sample.labels.count("le")) return fail("bucket without le");
      }
    }
    auto type = doc.types.find(family);
    if (type == doc.types.end()) return fail("sample before (or without) TYPE: " + family);
    if (type->second == "counter" && !family.ends_with("_total")) {
      return fail("counter without _total: " + family);
    }
    if (family != current) {
      if (finished.count(family)) return fail("samples of " + family + " are not adjacent");
      if (!current.empty()) finished.insert(current);
      current = family;
    }
    std::string key = sample.name;
    for (const auto& [k, v] : sample.labels) key += "|" + k + "=" + v;
    if (!series.insert(key).second) return fail("series repeated: " + key);
    doc.samples.push_back(std::move(sample));
  }
  return doc;
}

}  // namespace closewise::test
