// A minimal intrusive doubly linked list. A connection sits in exactly one list at a time (the
// list of its current deadline kind), so moving it costs two pointer swaps and no allocation.
#pragma once

namespace closewise::server {

struct ListHook {
  ListHook* prev = nullptr;
  ListHook* next = nullptr;

  bool linked() const noexcept { return next != nullptr; }
  void unlink() noexcept {
    if (!linked()) return;
    prev->next = next;
    next->prev = prev;
    prev = next = nullptr;
  }
};

// A circular list with a sentinel; the owner type embeds a ListHook and finds itself from it
// (Connection::fromHook). Entries are pushed at the tail, so a list whose entries all get the
// same timeout stays ordered by deadline and only its head needs checking; one whose deadline may
// be older than the tail's is put in its place with insertAfter (Worker::schedule).
class HookList {
 public:
  HookList() noexcept { head_.prev = head_.next = &head_; }
  HookList(const HookList&) = delete;
  HookList& operator=(const HookList&) = delete;

  bool empty() const noexcept { return head_.next == &head_; }
  ListHook* front() noexcept { return empty() ? nullptr : head_.next; }
  const ListHook* sentinel() const noexcept { return &head_; }
  ListHook* first() noexcept { return head_.next; }
  ListHook* end() noexcept { return &head_; }
  ListHook* last() noexcept { return head_.prev; }  // end() when empty

  void pushBack(ListHook& hook) noexcept {
    hook.unlink();
    hook.prev = head_.prev;
    hook.next = &head_;
    head_.prev->next = &hook;
    head_.prev = &hook;
  }

  // Links `hook` right after `at`, an entry of this list or end() (then it becomes the front).
  void insertAfter(ListHook& hook, ListHook& at) noexcept {
    hook.unlink();
    hook.prev = &at;
    hook.next = at.next;
    at.next->prev = &hook;
    at.next = &hook;
  }

 private:
  ListHook head_;
};

}  // namespace closewise::server
