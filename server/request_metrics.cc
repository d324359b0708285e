#include "server/request_metrics.h"

#include <algorithm>

namespace closewise::server {

std::size_t methodClass(std::string_view method) noexcept {
  const auto known = std::find(kMethodClasses.begin(), kMethodClasses.end() - 1, method);
  return static_cast<std::size_t>(known - kMethodClasses.begin());
}

RequestMetricsSnapshot& RequestMetricsSnapshot::operator+=(
    const RequestMetricsSnapshot& other) noexcept {
  for (std::size_t m = 0; m < kMethodClasses.size(); ++m) {
    for (std::size_t s = 0; s < kStatusClasses.size(); ++s) {
      duration[m][s] += other.duration[m][s];
      size[m][s] += other.size[m][s];
    }
  }
  return *this;
}

template <std::size_t Bounds>
void RequestMetrics::observe(Histogram<Bounds>& histogram, const std::array<double, Bounds>& bounds,
                             double value) noexcept {
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin());
  // Single writer: a plain load and store, no locked instruction on the request path.
  auto& counter = histogram.buckets[bucket];
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  histogram.sum.store(histogram.sum.load(std::memory_order_relaxed) + value,
                      std::memory_order_relaxed);
}

template <std::size_t Bounds>
HistogramCounts<Bounds> RequestMetrics::read(const Histogram<Bounds>& histogram) noexcept {
  HistogramCounts<Bounds> counts;
  for (std::size_t i = 0; i < counts.buckets.size(); ++i) {
    counts.buckets[i] = histogram.buckets[i].load(std::memory_order_relaxed);
  }
  counts.sum = histogram.sum.load(std::memory_order_relaxed);
  return counts;
}

void RequestMetrics::record(std::string_view method, int status, double seconds,
                            std::uint64_t bytes) noexcept {
  if (status < 100 || status > 599) return;
  const std::size_t m = methodClass(method);
  const auto s = static_cast<std::size_t>(status / 100 - 1);
  observe(duration_[m][s], kDurationBounds, seconds);
  observe(size_[m][s], kSizeBounds, static_cast<double>(bytes));
}

RequestMetricsSnapshot RequestMetrics::snapshot() const noexcept {
  RequestMetricsSnapshot snapshot;
  for (std::size_t m = 0; m < kMethodClasses.size(); ++m) {
    for (std::size_t s = 0; s < kStatusClasses.size(); ++s) {
      snapshot.duration[m][s] = read(duration_[m][s]);
      snapshot.size[m][s] = read(size_[m][s]);
    }
  }
  return snapshot;
}

}  // namespace closewise::server
