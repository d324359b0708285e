#include "protocol/websocket_handshake.h"

#include <openssl/evp.h>

#include <array>

#include "protocol/field_syntax.h"

namespace closewise::protocol {

namespace {

constexpr std::string_view kNotGet = "websocket handshake not a GET";
constexpr std::string_view kNotHttp11 = "websocket handshake not HTTP/1.1";
constexpr std::string_view kNoHost = "websocket handshake without host";
constexpr std::string_view kNoUpgrade = "no upgrade to websocket";
constexpr std::string_view kNoConnectionUpgrade = "no upgrade connection option";
constexpr std::string_view kNoVersion = "no sec-websocket-version";
constexpr std::string_view kTwoVersions = "more than one sec-websocket-version";
constexpr std::string_view kWrongVersion = "unsupported websocket version";
constexpr std::string_view kNoKey = "no sec-websocket-key";
constexpr std::string_view kTwoKeys = "more than one sec-websocket-key";
constexpr std::string_view kBadKey = "sec-websocket-key not 16 bytes in base64";
constexpr std::string_view kBadSubprotocol = "invalid sec-websocket-protocol";
constexpr std::string_view kNoAccept = "cannot compute sec-websocket-accept";

// RFC 6455 1.3: the GUID every server appends to the key.
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
// The key is 16 random bytes (RFC 6455 4.1), so 24 base64 characters, the last two "=".
constexpr std::size_t kKeyBytes = 16;
constexpr std::size_t kKeyChars = 24;

// Every field with this name, in order.
std::vector<const Header*> fieldsNamed(const Request& request, std::string_view name) {
  std::vector<const Header*> found;
  for (const Header& h : request.headers) {
    if (equalsIgnoreCase(h.name, name)) found.push_back(&h);
  }
  return found;
}

// Whether any field with this name holds `element` in its comma-separated list,
// case-insensitively.
bool listHas(const Request& request, std::string_view name, std::string_view element) {
  bool found = false;
  for (const Header* h : fieldsNamed(request, name)) {
    forEachListElement(h->value, [&](std::string_view e) {
      if (equalsIgnoreCase(e, element)) found = true;
    });
  }
  return found;
}

// RFC 6455 4.2.1 item 5: the key must decode to exactly 16 bytes. EVP_DecodeBlock rejects
// characters outside the alphabet, but counts padding as zero bytes and accepts a non-zero
// remainder in the last character; encoding the 16 decoded bytes again and comparing catches
// both, and anything else not in the one canonical form.
bool isValidKey(std::string_view key) {
  // First, and not only as a shortcut: EVP_DecodeBlock writes 3 bytes for every 4 characters,
  // so only a key of this length fits the buffer below.
  if (key.size() != kKeyChars) return false;
  std::array<unsigned char, kKeyChars / 4 * 3> decoded{};
  const int n = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(key.data()),
                                static_cast<int>(key.size()));
  if (n != static_cast<int>(decoded.size())) return false;
  std::array<unsigned char, kKeyChars + 1> encoded{};  // EVP_EncodeBlock adds a NUL
  const int m = EVP_EncodeBlock(encoded.data(), decoded.data(), static_cast<int>(kKeyBytes));
  return m == static_cast<int>(kKeyChars) &&
         std::string_view(reinterpret_cast<const char*>(encoded.data()), kKeyChars) == key;
}

WsHandshake refuse(int status, std::string_view reason) {
  WsHandshake answer;
  answer.status = status;
  answer.reason = reason;
  if (status == 426) {
    answer.headers = {{"Sec-WebSocket-Version", "13"}, {"Upgrade", "websocket"}};
  }
  return answer;
}

}  // namespace

std::optional<std::string> wsAcceptValue(std::string_view key) {
  std::string input;
  input.reserve(key.size() + kGuid.size());
  input.append(key).append(kGuid);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digestLength = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &digestLength, EVP_sha1(), nullptr) !=
      1) {
    return std::nullopt;
  }
  std::array<char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> encoded{};
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), digest.data(),
                                static_cast<int>(digestLength));
  if (n <= 0) return std::nullopt;
  return std::string(encoded.data(), static_cast<std::size_t>(n));
}

WsHandshake checkWsHandshake(const Request& request) {
  // RFC 6455 4.2.1 items 1-2: a GET in HTTP/1.1 (or later, which this server does not speak),
  // with a Host.
  if (request.method != "GET") return refuse(400, kNotGet);
  if (!(request.versionMajor == 1 && request.versionMinor >= 1)) return refuse(400, kNotHttp11);
  if (request.header("host") == nullptr) return refuse(400, kNoHost);
  // Items 3-4: Upgrade holds "websocket" and Connection the option "upgrade", each
  // case-insensitively and in a list (RFC 9110 7.8, 7.6.1).
  if (!listHas(request, "upgrade", "websocket")) return refuse(400, kNoUpgrade);
  if (!listHas(request, "connection", "upgrade")) return refuse(400, kNoConnectionUpgrade);
  // Item 6, and 4.4: another version gets a 426 naming the one we speak, so a client that
  // speaks several can retry; a missing one is a broken handshake.
  const std::vector<const Header*> versions = fieldsNamed(request, "sec-websocket-version");
  if (versions.empty()) return refuse(400, kNoVersion);
  if (versions.size() > 1) return refuse(400, kTwoVersions);
  if (versions.front()->value != "13") return refuse(426, kWrongVersion);
  // Item 5: one key, 16 bytes in base64 (RFC 6455 11.3.1: it must not appear twice).
  const std::vector<const Header*> keys = fieldsNamed(request, "sec-websocket-key");
  if (keys.empty()) return refuse(400, kNoKey);
  if (keys.size() > 1) return refuse(400, kTwoKeys);
  const std::string& key = keys.front()->value;
  if (!isValidKey(key)) return refuse(400, kBadKey);

  WsHandshake answer;
  // Item 8, and 4.1: the offered subprotocols are tokens in a list, possibly over several
  // field lines.
  bool tokens = true;
  for (const Header* h : fieldsNamed(request, "sec-websocket-protocol")) {
    forEachListElement(h->value, [&](std::string_view p) {
      tokens = tokens && isToken(p);
      answer.subprotocols.emplace_back(p);
    });
  }
  if (!tokens) return refuse(400, kBadSubprotocol);

  std::optional<std::string> accept = wsAcceptValue(key);
  if (!accept) return refuse(500, kNoAccept);
  answer.status = 101;
  answer.headers = {{"Upgrade", "websocket"},
                    {"Connection", "Upgrade"},
                    {"Sec-WebSocket-Accept", std::move(*accept)}};
  return answer;
}

}  // namespace closewise::protocol
