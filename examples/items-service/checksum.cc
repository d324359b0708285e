#include "checksum.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "server/json.h"
#include "server/offload.h"

namespace items {

using closewise::server::Request;
using closewise::server::Responder;

namespace {

// A name POST /uploads makes: "upload-" and six letters or digits (mkstemp's). Anything else,
// "../" (decoded from %2E%2E%2F) first of all, names no upload.
bool isUploadName(std::string_view name) {
  constexpr std::string_view kPrefix = "upload-";
  if (!name.starts_with(kPrefix) || name.size() != kPrefix.size() + 6) return false;
  for (const char c : name.substr(kPrefix.size())) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum) return false;
  }
  return true;
}

struct Digest {
  std::uint64_t bytes = 0;
  std::string hex;  // empty: the file could not be read
};

// On a pool thread: blocking reads and a CPU-bound hash, the two things a loop must not do.
Digest hashFile(const std::string& path) {
  Digest digest;
  std::ifstream file(path, std::ios::binary);
  if (!file) return digest;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  std::array<char, 64 * 1024> buffer{};
  while (file.read(buffer.data(), buffer.size()) || file.gcount() > 0) {
    EVP_DigestUpdate(context, buffer.data(), static_cast<std::size_t>(file.gcount()));
    digest.bytes += static_cast<std::uint64_t>(file.gcount());
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> sum{};
  unsigned length = 0;
  EVP_DigestFinal_ex(context, sum.data(), &length);
  EVP_MD_CTX_free(context);
  if (file.bad()) return Digest{};
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned i = 0; i < length; ++i) {
    digest.hex += kHex[sum[i] >> 4];
    digest.hex += kHex[sum[i] & 0xf];
  }
  return digest;
}

}  // namespace

void startChecksum(const std::string& directory, const Request& request, Responder responder) {
  // Copied now: the job must not read the Request, which may hold another client's request by
  // the time it runs.
  std::string name(request.pathValue("file"));
  if (!isUploadName(name)) {
    closewise::server::sendJsonError(responder, 404, "no upload " + name);
    return;
  }
  std::string path = directory + "/" + name;
  closewise::server::offload(
      std::move(responder), [path = std::move(path)] { return hashFile(path); },
      [name = std::move(name)](Responder responder, Digest digest) {
        if (digest.hex.empty()) {
          closewise::server::sendJsonError(responder, 404, "no upload " + name);
          return;
        }
        closewise::server::sendJson(
            responder, 200, {{"file", name}, {"bytes", digest.bytes}, {"sha256", digest.hex}});
      });
}

}  // namespace items
