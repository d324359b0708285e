#include "app/worker_upstreams.h"

namespace closewise::app {

void attachUpstreams(server::Server& srv, upstream::Registry& upstreams) {
  srv.addWorkerCompanion([&upstreams](uv_loop_t* loop, unsigned) {
    upstream::Upstreams& pools = upstreams.open(loop);
    return server::WorkerCompanion{[&pools] { pools.drain(); }, [&pools] { pools.shutdown(); }};
  });
}

}  // namespace closewise::app
