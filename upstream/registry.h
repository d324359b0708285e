// Where a handler finds the pool it calls: each worker loop has its own pools (one per configured
// upstream, an Upstreams), and the Registry maps a loop to them.
//
// The Registry is filled while the workers are built, before any of their threads starts, and
// only read afterwards, so a handler on any worker looks its pool up without a lock. Each loop's
// pools are used only from that loop's thread (pool.h).
#pragma once

#include <uv.h>

#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "upstream/options.h"
#include "upstream/pool.h"

namespace closewise::upstream {

// The pools of one loop, by name.
class Upstreams {
 public:
  Upstreams(uv_loop_t* loop, const std::vector<UpstreamSpec>& specs);
  Upstreams(const Upstreams&) = delete;
  Upstreams& operator=(const Upstreams&) = delete;

  // nullptr when no upstream has that name.
  Pool* find(std::string_view name) const noexcept;
  // Every pool closes its idle connections now and takes no new request; those in flight finish.
  void drain();
  // Every pool closes all it has; closed() once the loop has run the close callbacks.
  void shutdown();
  bool closed() const noexcept;
  const std::vector<std::unique_ptr<Pool>>& pools() const noexcept { return pools_; }

 private:
  std::vector<std::unique_ptr<Pool>> pools_;  // a handful: a walk beats a hash
};

class Registry {
 public:
  explicit Registry(std::vector<UpstreamSpec> specs);
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Makes the pools of `loop`. Once per loop, before any thread that reads the registry starts.
  Upstreams& open(uv_loop_t* loop);
  // The pool toward `name` on `loop` (a handler passes Responder::loop()); nullptr when the loop
  // has no pools or no upstream has that name.
  Pool* pool(uv_loop_t* loop, std::string_view name) const noexcept;
  // Visits every pool of every loop, for their books: snapshot() and sockets() may be read from
  // any thread once the workers run.
  template <typename Fn>
  void forEachPool(Fn&& fn) const {
    for (const auto& [loop, upstreams] : byLoop_) {
      for (const auto& pool : upstreams->pools()) fn(static_cast<const Pool&>(*pool));
    }
  }
  const std::vector<UpstreamSpec>& specs() const noexcept { return specs_; }
  bool empty() const noexcept { return specs_.empty(); }

 private:
  std::vector<UpstreamSpec> specs_;
  std::unordered_map<uv_loop_t*, std::unique_ptr<Upstreams>> byLoop_;
};

}  // namespace closewise::upstream
