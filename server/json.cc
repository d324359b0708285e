#include "server/json.h"

#include <cstddef>
#include <string>
#include <utility>

#include "protocol/request.h"

namespace closewise::server {
namespace {

using nlohmann::json;
using protocol::equalsIgnoreCase;

// nlohmann-json parses any depth without recursing, but copying, comparing and dumping a value
// recurse once per level: a 1 MiB body of '[' parses into a document whose first copy overflows
// the worker's stack. Real documents are shallow; serde_json refuses beyond 128 levels too.
constexpr std::size_t kMaxDepth = 128;

std::string_view trimmed(std::string_view text) noexcept {
  // OWS is spaces and horizontal tabs (RFC 9110 section 5.6.3).
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool endsWithIgnoreCase(std::string_view text, std::string_view suffix) noexcept {
  return text.size() >= suffix.size() &&
         equalsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

// The 1-based offset of the byte that opens the first array or object nested deeper than
// kMaxDepth, or 0 if none does. Brackets inside strings do not count; the scan stops caring about
// anything else, since the parser reports every other fault with its own offset.
std::size_t tooDeepAt(std::string_view body) noexcept {
  std::size_t depth = 0;
  bool inString = false;
  bool escaped = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        inString = false;
      }
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return i + 1;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return 0;
}

// nlohmann's messages start with their own identifier ("[json.exception.parse_error.101] "),
// which means nothing to a client.
std::string withoutIdentifier(const char* what) {
  const std::string_view message(what);
  const auto end = message.find("] ");
  return std::string(message.starts_with("[json.exception.") && end != std::string_view::npos
                         ? message.substr(end + 2)
                         : message);
}

void refuseBody(Responder& responder, std::string message, std::size_t offset) {
  json error = {{"error", std::move(message)}};
  if (offset != 0) error["offset"] = offset;
  sendJson(responder, 400, error);
}

}  // namespace

bool isJsonMediaType(std::string_view contentType) noexcept {
  // media-type = type "/" subtype parameters (RFC 9110 section 8.3.1)
  const std::string_view mediaType = trimmed(contentType.substr(0, contentType.find(';')));
  const auto slash = mediaType.find('/');
  if (slash == 0 || slash == std::string_view::npos) return false;
  const std::string_view type = mediaType.substr(0, slash);
  const std::string_view subtype = mediaType.substr(slash + 1);
  if (equalsIgnoreCase(type, "application") && equalsIgnoreCase(subtype, "json")) return true;
  // RFC 6839 section 3.1: a subtype ending in "+json" is JSON whatever comes before the '+',
  // which must itself be a name, so "+json" alone is not one.
  return subtype.size() > 5 && endsWithIgnoreCase(subtype, "+json");
}

std::optional<json> parseJsonBody(const Request& request, Responder& responder) {
  const std::string* contentType = request.header("Content-Type");
  if (contentType == nullptr || !isJsonMediaType(*contentType)) {
    // RFC 9110 section 15.5.16: 415 when the content is in a format the target does not take.
    sendJson(responder, 415,
             {{"error",
               "the body must be JSON (Content-Type application/json or a +json type), "
               "not " +
                   (contentType != nullptr ? "'" + *contentType + "'" : std::string("untyped"))},
              {"expected", "application/json"}});
    return std::nullopt;
  }
  if (request.body.empty()) {
    refuseBody(responder, "the body is empty; a JSON value was expected", 0);
    return std::nullopt;
  }
  if (const std::size_t offset = tooDeepAt(request.body); offset != 0) {
    refuseBody(
        responder,
        "the body nests arrays and objects deeper than " + std::to_string(kMaxDepth) + " levels",
        offset);
    return std::nullopt;
  }
  // The exceptions stop here: this runs inside a libuv callback, which one must not cross.
  try {
    return json::parse(request.body);
  } catch (const json::parse_error& e) {
    refuseBody(responder, "the body is not valid JSON: " + withoutIdentifier(e.what()), e.byte);
  } catch (const json::exception& e) {
    // A number too large for a double (out_of_range.406) is the one other fault parse() throws.
    refuseBody(responder, "the body is not usable JSON: " + withoutIdentifier(e.what()), 0);
  }
  return std::nullopt;
}

bool sendJson(Responder& responder, int status, const json& body, std::vector<Header> headers) {
  // JSON text is UTF-8 (RFC 8259 section 8.1). replace writes U+FFFD for each byte that is not,
  // where the default (strict) throws type_error.316 in the middle of a libuv callback.
  std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
  // A trailing newline, so curl's output ends its line; JSON allows whitespace after the value.
  text += '\n';
  bool typed = false;
  for (const Header& header : headers)
    typed = typed || equalsIgnoreCase(header.name, "Content-Type");
  if (!typed) headers.push_back({"Content-Type", "application/json"});
  return responder.send(status, text, std::move(headers));
}

bool sendJsonError(Responder& responder, int status, std::string_view message) {
  return sendJson(responder, status, json{{"error", message}});
}

}  // namespace closewise::server
