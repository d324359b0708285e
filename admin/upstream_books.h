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

// Who ended an outbound connection, which decides where its TIME_WAIT lands: the side that sends
// the first FIN waits in TIME_WAIT for 2 MSL (RFC 9293 section 3.6), Linux's 60 s, holding the
// four-tuple. Ours holds one local port toward the upstream; the upstream's costs us nothing.
enum class FirstCloser : std::uint8_t {
  Us,        // we closed an open connection: idle in the pool too long, unfit for reuse, drained,
             // cancelled, timed out (closed with response bytes still unread, ours goes out as
             // RST and leaves no TIME_WAIT: this says where one lands, not that one does)
  Upstream,  // the upstream's FIN came first (upstream_closed), or it said it would close
             // (upstream_requested: a server that sends Connection: close, or answers HTTP/1.0
             // or with a close-delimited body, closes after the response, RFC 9112 section 9.6)
  Neither,   // no FIN exchange: reset by either side, or the connection was never established
};
FirstCloser firstCloser(lifecycle::CloseReason reason) noexcept;

// The pool's closes split by who closed first: /stats, /metrics and the dashboard all show this.
struct FirstCloses {
  std::int64_t us = 0;
  std::int64_t upstream = 0;
};
FirstCloses firstCloses(const lifecycle::OutboundTallySnapshot& books) noexcept;

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
