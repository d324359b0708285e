#include "upstream/registry.h"

#include <spdlog/spdlog.h>

#include <cassert>

namespace closewise::upstream {

Upstreams::Upstreams(uv_loop_t* loop, const std::vector<UpstreamSpec>& specs) {
  pools_.reserve(specs.size());
  for (const UpstreamSpec& spec : specs) {
    pools_.push_back(std::make_unique<Pool>(loop, spec.name, spec.origin, spec.pool));
  }
}

Pool* Upstreams::find(std::string_view name) const noexcept {
  for (const auto& pool : pools_) {
    if (pool->name() == name) return pool.get();
  }
  return nullptr;
}

void Upstreams::drain() {
  for (const auto& pool : pools_) {
    Pool* p = pool.get();
    p->drain([p] { SPDLOG_DEBUG("upstream {}: drained", p->name()); });
  }
}

void Upstreams::shutdown() {
  for (const auto& pool : pools_) pool->shutdown();
}

bool Upstreams::closed() const noexcept {
  for (const auto& pool : pools_) {
    if (!pool->closed()) return false;
  }
  return true;
}

Registry::Registry(std::vector<UpstreamSpec> specs) : specs_(std::move(specs)) {}

Upstreams& Registry::open(uv_loop_t* loop) {
  auto [it, added] = byLoop_.try_emplace(loop, nullptr);
  assert(added && "one Upstreams per loop");
  (void)added;
  it->second = std::make_unique<Upstreams>(loop, specs_);
  return *it->second;
}

Pool* Registry::pool(uv_loop_t* loop, std::string_view name) const noexcept {
  const auto it = byLoop_.find(loop);
  return it == byLoop_.end() ? nullptr : it->second->find(name);
}

}  // namespace closewise::upstream
