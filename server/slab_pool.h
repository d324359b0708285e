// Fixed-size blocks for one type, carved from slabs and recycled through a free list.
//
// Connections are allocated here rather than with plain new: a block costs exactly sizeof(T),
// without the allocator's per-chunk header, and a connection accepted after one closed reuses
// its block at the cost of a vector pop, without a trip through malloc's bins.
//
// Like nginx's connection array, memory taken for a peak is kept for the next one, not returned.
// Under AddressSanitizer a free block is poisoned, so a use after free is still reported.
#pragma once

#include <cassert>
#include <cstddef>
#include <memory>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define CLOSEWISE_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define CLOSEWISE_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define CLOSEWISE_POISON(p, n) ((void)(p), (void)(n))
#define CLOSEWISE_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace closewise::server {

template <typename T, std::size_t kBlocksPerSlab = 256>
class SlabPool {
 public:
  SlabPool() = default;
  SlabPool(const SlabPool&) = delete;
  SlabPool& operator=(const SlabPool&) = delete;
  ~SlabPool() {
    // Every block must have come back: a missing one is an object that was never destroyed.
    assert(free_.size() == slabs_.size() * kBlocksPerSlab);
    for (Block* block : free_) CLOSEWISE_UNPOISON(block, sizeof(Block));
  }

  // Storage for one T, uninitialized: construct it with placement new.
  void* allocate() {
    if (free_.empty()) grow();
    Block* block = free_.back();
    free_.pop_back();
    CLOSEWISE_UNPOISON(block, sizeof(Block));
    return block;
  }

  // Takes back storage from allocate() whose T has been destroyed.
  void deallocate(void* storage) noexcept {
    auto* block = static_cast<Block*>(storage);
    CLOSEWISE_POISON(block, sizeof(Block));
    free_.push_back(block);  // cannot throw: grow() reserved room for every block
  }

 private:
  struct alignas(T) Block {
    std::byte bytes[sizeof(T)];
  };

  void grow() {
    auto slab = std::make_unique<Block[]>(kBlocksPerSlab);
    free_.reserve((slabs_.size() + 1) * kBlocksPerSlab);
    for (std::size_t i = kBlocksPerSlab; i-- > 0;) {
      CLOSEWISE_POISON(&slab[i], sizeof(Block));
      free_.push_back(&slab[i]);
    }
    slabs_.push_back(std::move(slab));
  }

  std::vector<std::unique_ptr<Block[]>> slabs_;
  std::vector<Block*> free_;
};

}  // namespace closewise::server
