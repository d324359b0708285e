#include "lifecycle/rate_window.h"

#include <limits>

namespace closewise::lifecycle {

RateWindow::Verdict RateWindow::judge(TimePoint now, std::uint64_t transferred, std::uint64_t floor,
                                      Duration length) noexcept {
  if (!due(now, length)) return Verdict::Pending;
  const auto elapsedMs = static_cast<std::uint64_t>((now - openedAt_).count());
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  // floor * elapsedMs / 1000 bytes are owed; a product that would overflow is owed in full.
  const std::uint64_t owed =
      floor != 0 && elapsedMs > kMax / floor ? kMax : floor * elapsedMs / 1000;
  const std::uint64_t moved =
      transferred >= transferredAtOpen_ ? transferred - transferredAtOpen_ : 0;
  if (moved < owed) return Verdict::TooSlow;
  open(now, transferred);
  return Verdict::Enough;
}

}  // namespace closewise::lifecycle
