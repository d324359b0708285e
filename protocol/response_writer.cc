#include "protocol/response_writer.h"

#include <charconv>

namespace closewise::protocol {

namespace {

constexpr std::string_view kCrlf = "\r\n";

bool hasNoBodyByStatus(int status) noexcept {
  // RFC 9110 6.4.1: 1xx, 204 and 304 answers never include content. RFC 9110 8.6 / RFC 9112 6.1:
  // 1xx and 204 carry no Content-Length or Transfer-Encoding either, and a 304's Content-Length
  // would describe the selected representation, which this writer does not know.
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

void appendUnsigned(std::string& out, std::uint64_t v, int base = 10) {
  char buf[20];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, base);
  (void)ec;  // 20 digits hold any 64-bit value in base 10 or 16.
  out.append(buf, static_cast<std::size_t>(end - buf));
}

void appendStatusLine(std::string& out, int status) {
  out.append("HTTP/1.1 ");
  appendUnsigned(out, static_cast<std::uint64_t>(status));
  out.push_back(' ');
  out.append(reasonPhrase(status));
  out.append(kCrlf);
}

void appendCommonHeaders(std::string& out, std::string_view date) {
  out.append("Date: ");
  out.append(date);
  out.append("\r\nServer: closewise\r\n");
}

bool isSafeFieldText(std::string_view s) noexcept {
  for (const char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool isWriterOwned(std::string_view name) noexcept {
  return equalsIgnoreCase(name, "content-length") || equalsIgnoreCase(name, "transfer-encoding") ||
         equalsIgnoreCase(name, "connection") || equalsIgnoreCase(name, "date") ||
         equalsIgnoreCase(name, "server");
}

}  // namespace

std::string_view reasonPhrase(int status) noexcept {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

BodyFraming bodyFraming(const ResponseHead& head) noexcept {
  if (head.headRequest || hasNoBodyByStatus(head.status)) return BodyFraming::None;
  if (head.contentLength) return BodyFraming::ContentLength;
  return head.requestVersionMinor >= 1 ? BodyFraming::Chunked : BodyFraming::CloseDelimited;
}

bool keepsConnectionOpen(const ResponseHead& head) noexcept {
  return head.keepAlive && bodyFraming(head) != BodyFraming::CloseDelimited;
}

void appendResponseHead(std::string& out, const ResponseHead& head, std::string_view date) {
  appendStatusLine(out, head.status);
  appendCommonHeaders(out, date);
  if (!hasNoBodyByStatus(head.status)) {
    if (head.contentLength) {
      out.append("Content-Length: ");
      appendUnsigned(out, *head.contentLength);
      out.append(kCrlf);
    } else if (head.requestVersionMinor >= 1) {
      // RFC 9110 9.3.2: a HEAD response carries the header fields a GET would, so a HEAD of a
      // streamed response announces chunked too, though no chunk follows.
      out.append("Transfer-Encoding: chunked\r\n");
    }
  }
  if (head.status == 101) {
    // RFC 9110 section 7.8: a 101 names the protocol it switches to in Upgrade (the handler's
    // header), and "upgrade" is a connection option, so Connection carries it.
    out.append("Connection: Upgrade\r\n");
  } else if (!keepsConnectionOpen(head)) {
    out.append("Connection: close\r\n");  // RFC 9112 9.6: announce the close we will make.
  } else if (head.requestVersionMinor == 0) {
    out.append("Connection: keep-alive\r\n");  // RFC 9112 9.3: 1.0 persists only if told so.
  }
  for (const Header& h : head.headers) {
    if (h.name.empty() || isWriterOwned(h.name) || !isSafeFieldText(h.name) ||
        !isSafeFieldText(h.value)) {
      continue;
    }
    out.append(h.name);
    out.append(": ");
    out.append(h.value);
    out.append(kCrlf);
  }
  out.append(kCrlf);
}

void appendChunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  appendUnsigned(out, data.size(), 16);
  out.append(kCrlf);
  out.append(data);
  out.append(kCrlf);
}

void appendLastChunk(std::string& out) {
  out.append("0\r\n\r\n");
}

std::string simpleResponse(int status, std::string_view body, bool keepAlive,
                           std::string_view date) {
  std::string out;
  out.reserve(160 + body.size());
  appendStatusLine(out, status);
  appendCommonHeaders(out, date);
  out.append("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
  appendUnsigned(out, body.size());
  out.append(kCrlf);
  if (!keepAlive) out.append("Connection: close\r\n");
  out.append(kCrlf);
  out.append(body);
  return out;
}

}  // namespace closewise::protocol
