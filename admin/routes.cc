#include "admin/routes.h"

#include <arpa/inet.h>

#include <cstring>

namespace closewise::admin {

namespace {

bool isLoopback(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

// Constant-time comparison, so the token cannot be guessed a byte at a time from timings.
bool sameToken(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// Wraps a handler with the bearer-token check when a token is configured.
server::Handler guarded(const std::string& token, server::Handler handler) {
  if (token.empty()) return handler;
  return [token, handler = std::move(handler)](const server::Request& request,
                                               server::Responder responder) {
    const std::string* auth = request.header("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth == nullptr || auth->size() < kBearer.size() ||
        !sameToken(std::string_view(*auth).substr(kBearer.size()), token) ||
        auth->compare(0, kBearer.size(), kBearer) != 0) {
      responder.send(401, "admin token required\n", {{"WWW-Authenticate", "Bearer"}});
      return;
    }
    handler(request, std::move(responder));
  };
}

}  // namespace

std::optional<std::string> checkAdminExposure(const server::Config& config) {
  if (!config.admin || isLoopback(config.admin->host) || !config.adminToken.empty()) {
    return std::nullopt;
  }
  return "--admin " + config.admin->text() +
         " is not a loopback address: set --admin-token TOKEN (or --admin-token-file FILE), "
         "or bind the admin listener to 127.0.0.1 or [::1]";
}

void registerAdminRoutes(server::Router& router, server::Server& server) {
  const std::string& token = server.config().adminToken;
  const auto text = std::vector<server::Header>{{"Content-Type", "text/plain"}};

  // Liveness: the admin loop answering at all is the proof the process serves its loops.
  router.on("GET", "/healthz", guarded(token, [text](const server::Request&,
                                                     server::Responder responder) {
              responder.send(200, "ok\n", text);
            }));
  // Readiness for load balancers: 503 from the moment a drain begins.
  router.on("GET", "/readyz", guarded(token, [&server, text](const server::Request&,
                                                             server::Responder responder) {
              if (server.ready()) {
                responder.send(200, "ready\n", text);
              } else {
                responder.send(503, server.draining() ? "draining\n" : "starting\n", text);
              }
            }));
  router.on("POST", "/drain", guarded(token, [&server, text](const server::Request&,
                                                             server::Responder responder) {
              const bool already = server.draining();
              if (!already) server.requestDrain("POST /drain");
              responder.send(202, already ? "already draining\n" : "drain started\n", text);
            }));
}

}  // namespace closewise::admin
