#include "app/worker_upstreams.h"

#include "kernel/address.h"

namespace closewise::app {

namespace {

// The pools' connections of one worker as /connections rows, marked outbound and named by
// upstream. The server adds the worker's index and the kernel's view of each socket.
void listOutbound(const upstream::Upstreams& pools, std::vector<server::ConnectionInfo>& out) {
  std::vector<upstream::PoolConnectionView> views;
  for (const auto& pool : pools.pools()) {
    views.clear();
    pool->describeConnections(views);
    for (const auto& view : views) {
      server::ConnectionInfo info;
      info.id = view.id;
      info.direction = server::ConnectionInfo::kOutbound;
      info.upstream = pool->name();
      info.peer = kernel::formatSocketAddress(view.remote);
      info.local = kernel::formatSocketAddress(view.local);
      info.phase = lifecycle::phaseName(view.phase);
      info.ageMs = static_cast<std::uint64_t>(view.age.count());
      info.idleMs = static_cast<std::uint64_t>(view.inPhase.count());
      info.requests = view.requests;
      info.fd = view.fd;
      out.push_back(std::move(info));
    }
  }
}

}  // namespace

void attachUpstreams(server::Server& srv, upstream::Registry& upstreams) {
  srv.addWorkerCompanion([&upstreams](uv_loop_t* loop, unsigned) {
    upstream::Upstreams& pools = upstreams.open(loop);
    return server::WorkerCompanion{
        [&pools] { pools.drain(); }, [&pools] { pools.shutdown(); },
        [&pools](std::vector<server::ConnectionInfo>& out) { listOutbound(pools, out); }};
  });
}

}  // namespace closewise::app
