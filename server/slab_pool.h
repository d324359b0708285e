// Fixed-size blocks for one type, carved from slabs and recycled through a free list.
//
// Connections are allocated here rather than with plain new: a block costs exactly sizeof(T),
// without the allocator's per-chunk header, and a connection accepted after one closed reuses
// its block at the cost of a pointer pop, without a trip through malloc's bins. The free list is
// threaded through the free blocks themselves (as in nginx's ngx_pool and libuv's own free
// lists), so the pool's bookkeeping costs nothing per block: a side vector of free pointers cost
// 8 bytes per connection, and its regrowth left freed chunks between the slabs.
//
// Like nginx's connection array, memory taken for a peak is kept for the next one, not returned.
// Under AddressSanitizer a free block is poisoned except for its link, so a use after free is
// still reported.
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
    assert(freeCount_ == slabs_.size() * kBlocksPerSlab);
    for (auto& slab : slabs_) CLOSEWISE_UNPOISON(slab.get(), sizeof(Block) * kBlocksPerSlab);
  }

  // Storage for one T, uninitialized: construct it with placement new.
  void* allocate() {
    if (free_ == nullptr) grow();
    Block* block = free_;
    free_ = block->next;
    --freeCount_;
    CLOSEWISE_UNPOISON(block, sizeof(Block));
    return block;
  }

  // Takes back storage from allocate() whose T has been destroyed.
  void deallocate(void* storage) noexcept {
    auto* block = static_cast<Block*>(storage);
    push(block);
  }

  std::size_t freeBlocks() const noexcept { return freeCount_; }
  std::size_t capacity() const noexcept { return slabs_.size() * kBlocksPerSlab; }

 private:
  union alignas(T) Block {
    Block* next;  // while free
    std::byte bytes[sizeof(T)];
  };

  void push(Block* block) noexcept {
    CLOSEWISE_UNPOISON(block, sizeof(Block::next));
    block->next = free_;
    free_ = block;
    ++freeCount_;
    if constexpr (sizeof(Block) > sizeof(Block*)) {
      CLOSEWISE_POISON(reinterpret_cast<std::byte*>(block) + sizeof(Block*),
                       sizeof(Block) - sizeof(Block*));
    }
  }

  void grow() {
    slabs_.reserve(slabs_.size() + 1);  // the only step that can throw, before anything changes
    auto slab = std::make_unique<Block[]>(kBlocksPerSlab);
    // Pushed from the back, so the first block of the slab is the first handed out.
    for (std::size_t i = kBlocksPerSlab; i-- > 0;) push(&slab[i]);
    slabs_.push_back(std::move(slab));
  }

  std::vector<std::unique_ptr<Block[]>> slabs_;
  Block* free_ = nullptr;
  std::size_t freeCount_ = 0;
};

}  // namespace closewise::server
