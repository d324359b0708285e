#include "admin/upstream_books.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

namespace closewise::admin {

void addPoolSnapshot(upstream::PoolSnapshot& sum, const upstream::PoolSnapshot& pool) noexcept {
  sum.connections += pool.connections;
  sum.queued += pool.queued;
  sum.retries += pool.retries;
  sum.cancelled += pool.cancelled;
  for (std::size_t i = 0; i < sum.errorsByKind.size(); ++i) {
    sum.errorsByKind[i] += pool.errorsByKind[i];
  }
}

FirstCloser firstCloser(lifecycle::CloseReason reason) noexcept {
  using lifecycle::CloseReason;
  switch (reason) {
    case CloseReason::UpstreamClosed:
    case CloseReason::UpstreamRequested:
      return FirstCloser::Upstream;
    case CloseReason::None:
    case CloseReason::UpstreamReset:
    case CloseReason::IoError:
    case CloseReason::ConnectRefused:
    case CloseReason::ConnectTimeout:
    case CloseReason::PortsExhausted:
      return FirstCloser::Neither;
    default:
      return FirstCloser::Us;
  }
}

FirstCloses firstCloses(const lifecycle::OutboundTallySnapshot& books) noexcept {
  FirstCloses split;
  for (std::size_t i = 0; i < lifecycle::kCloseReasonCount; ++i) {
    switch (firstCloser(static_cast<lifecycle::CloseReason>(i))) {
      case FirstCloser::Us:
        split.us += books.closedByReason[i];
        break;
      case FirstCloser::Upstream:
        split.upstream += books.closedByReason[i];
        break;
      case FirstCloser::Neither:
        break;
    }
  }
  return split;
}

std::vector<UpstreamBooks> gatherUpstreamBooks(const upstream::Registry& registry) {
  std::vector<UpstreamBooks> books;
  books.reserve(registry.specs().size());
  for (const auto& spec : registry.specs()) {
    UpstreamBooks line;
    line.name = spec.name;
    line.url = spec.url;
    books.push_back(std::move(line));
  }
  registry.forEachPool([&books](const upstream::Pool& pool) {
    // A handful of upstreams: a walk beats a map.
    for (auto& line : books) {
      if (line.name == pool.name()) addPoolSnapshot(line.pool, pool.snapshot());
    }
  });
  return books;
}

namespace {

// An IP literal and a port as a sockaddr; nullopt when the host is not a literal.
std::optional<sockaddr_storage> literalEndpoint(const upstream::Origin& origin) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, origin.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(origin.port);
  } else if (inet_pton(AF_INET6, origin.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(origin.port);
  } else {
    return std::nullopt;
  }
  return storage;
}

// Same family, address and port (an IPv6 endpoint's flow label and scope do not tell two apart).
bool sameEndpoint(const sockaddr_storage& a, const sockaddr_storage& b) noexcept {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
  const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
  return x.sin6_port == y.sin6_port &&
         std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
}

}  // namespace

UpstreamEndpoints::UpstreamEndpoints(const upstream::Registry& registry) {
  for (const auto& spec : registry.specs()) {
    names_.push_back(spec.name);
    if (const auto endpoint = literalEndpoint(spec.origin)) add(names_.size() - 1, *endpoint);
  }
}

void UpstreamEndpoints::learn(const upstream::Registry& registry) {
  registry.forEachPool([this](const upstream::Pool& pool) {
    const auto named = std::find(names_.begin(), names_.end(), pool.name());
    if (named == names_.end()) return;
    const auto owner = static_cast<std::size_t>(named - names_.begin());
    for (const auto& socket : pool.sockets()) add(owner, socket.remote);
  });
}

void UpstreamEndpoints::add(std::size_t owner, const sockaddr_storage& endpoint) {
  if (endpoint.ss_family != AF_INET && endpoint.ss_family != AF_INET6) return;
  std::size_t mine = 0;
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    if (sameEndpoint(endpoints_[i], endpoint)) return;
    if (owners_[i] == owner) ++mine;
  }
  if (mine >= kMaxPerUpstream) return;
  endpoints_.push_back(endpoint);
  owners_.push_back(owner);
}

void addKernelCounts(std::vector<UpstreamBooks>& books, const UpstreamEndpoints& endpoints,
                     const kernel::RemoteView& view) {
  for (std::size_t i = 0; i < view.byRemote.size() && i < endpoints.owners().size(); ++i) {
    const std::size_t owner = endpoints.owners()[i];
    if (owner >= books.size()) continue;
    for (std::size_t s = 0; s < kernel::kTcpStateSlots; ++s)
      books[owner].kernel[s] += view.byRemote[i][s];
  }
}

}  // namespace closewise::admin
