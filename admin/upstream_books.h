// The books of each upstream as the admin shows them: every worker's pool toward one upstream
// summed into one line, and the kernel's count of the sockets toward that upstream beside it.
//
// A pool is per worker (upstream/registry.h), but an operator asks about an upstream, so the
// pools are summed by name, in the order the upstreams were configured.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "kernel/sock_diag.h"
#include "upstream/pool.h"
#include "upstream/registry.h"

namespace closewise::admin {

struct UpstreamBooks {
  std::string name;
  std::string url;
  upstream::PoolSnapshot pool;  // summed over the workers' pools
  // Sockets toward the upstream's addresses by kernel state (slot = kernel number), ours only:
  // those the pools hold, and those the kernel finishes alone after we closed (TIME_WAIT).
  std::array<std::uint64_t, kernel::kTcpStateSlots> kernel{};
};

// Adds one pool's books into a sum.
void addPoolSnapshot(upstream::PoolSnapshot& sum, const upstream::PoolSnapshot& pool) noexcept;

// One line per configured upstream, its pools' books summed; the kernel counts are left at zero.
std::vector<UpstreamBooks> gatherUpstreamBooks(const upstream::Registry& registry);

// The remote endpoints each upstream's sockets have gone to, by upstream (in the registry's
// order), remembered across readings: a socket in TIME_WAIT after we closed it is no longer the
// pool's, and is found by the endpoint it went to. An IP-literal origin's endpoint is known from
// the start; a named one's addresses are learnt from the pools' sockets as they connect.
class UpstreamEndpoints {
 public:
  explicit UpstreamEndpoints(const upstream::Registry& registry);

  // Learns the endpoints of the sockets the pools hold now.
  void learn(const upstream::Registry& registry);
  // Every endpoint once, and for each the index of its upstream.
  const std::vector<sockaddr_storage>& endpoints() const noexcept { return endpoints_; }
  const std::vector<std::size_t>& owners() const noexcept { return owners_; }

 private:
  // DNS may move a name about; past this many endpoints per upstream the oldest are kept.
  static constexpr std::size_t kMaxPerUpstream = 16;
  void add(std::size_t owner, const sockaddr_storage& endpoint);

  std::vector<std::string> names_;
  std::vector<sockaddr_storage> endpoints_;
  std::vector<std::size_t> owners_;
};

// Adds each endpoint's kernel counts into its upstream's books.
void addKernelCounts(std::vector<UpstreamBooks>& books, const UpstreamEndpoints& endpoints,
                     const kernel::RemoteView& view);

}  // namespace closewise::admin
