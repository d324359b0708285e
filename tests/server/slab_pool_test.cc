// The pool Connections come from: blocks are handed out one slab at a time, come back through a
// free list threaded through the blocks themselves, and are reused most recently freed first
// (the block freshest in cache), without the pool taking any memory per block beyond the block.
#include "server/slab_pool.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

using closewise::server::SlabPool;

namespace {

struct Widget {
  explicit Widget(int v) : value(v), name(std::to_string(v)) {}
  int value;
  std::string name;  // a member with a destructor and its own heap allocation
  alignas(32) unsigned char aligned[8]{};
};

}  // namespace

TEST_CASE("a slab pool grows one slab at a time and hands out distinct aligned blocks",
          "[slab_pool]") {
  SlabPool<Widget, 4> pool;
  CHECK(pool.capacity() == 0);
  std::vector<Widget*> widgets;
  std::set<void*> seen;
  for (int i = 0; i < 9; ++i) {
    void* storage = pool.allocate();
    CHECK(reinterpret_cast<std::uintptr_t>(storage) % alignof(Widget) == 0);
    CHECK(seen.insert(storage).second);
    widgets.push_back(new (storage) Widget(i));
  }
  CHECK(pool.capacity() == 12);  // three slabs of four
  CHECK(pool.freeBlocks() == 3);
  for (int i = 0; i < 9; ++i) CHECK(widgets[i]->name == std::to_string(i));
  for (Widget* widget : widgets) {
    widget->~Widget();
    pool.deallocate(widget);
  }
  CHECK(pool.freeBlocks() == 12);
}

TEST_CASE("a slab pool reuses the most recently freed block first and grows no further",
          "[slab_pool]") {
  SlabPool<Widget, 4> pool;
  void* a = pool.allocate();
  void* b = pool.allocate();
  pool.deallocate(a);
  pool.deallocate(b);
  CHECK(pool.allocate() == b);
  CHECK(pool.allocate() == a);
  // Churn: as many allocations and frees as you like within one slab take no new memory.
  for (int round = 0; round < 100; ++round) {
    void* c = pool.allocate();
    auto* widget = new (c) Widget(round);
    widget->~Widget();
    pool.deallocate(c);
  }
  CHECK(pool.capacity() == 4);
  pool.deallocate(a);
  pool.deallocate(b);
  CHECK(pool.freeBlocks() == 4);
}
