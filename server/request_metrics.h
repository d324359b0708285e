// The request-duration and response-size histograms of one worker: each exchange counted once,
// when it ends (Connection::finishExchange), by method and status class. Single writer (the
// worker's loop thread), any reader: plain relaxed loads and stores as in lifecycle::Tally, and
// the admin sums the workers' snapshots.
//
// Duration is from the complete request (head and any body, which closewise reads before the
// handler runs) to the last byte of the answer handed to the kernel: the handler's time and the
// time the client took to take the answer, not the time it took to send the request (a slow
// upload is the client's, and the body deadlines police it). Size is the bytes of the answer,
// head included, as they went out.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace closewise::server {

// Upper bounds in seconds: 5 ms to 10 s, the Prometheus clients' default buckets, which fit a
// backend whose answers take milliseconds and whose balancer gives up after tens of seconds.
inline constexpr std::array<double, 11> kDurationBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                        0.5,   1.0,  2.5,   5.0,  10.0};
// Upper bounds in bytes: 100 B to 100 MB by decades.
inline constexpr std::array<double, 7> kSizeBounds{1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

// Methods are a label, and a label must not take whatever a client sends: the methods of RFC 9110
// section 9 that services use, and "other" for the rest.
inline constexpr std::array<std::string_view, 8> kMethodClasses{
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"};
std::size_t methodClass(std::string_view method) noexcept;
inline constexpr std::array<std::string_view, 5> kStatusClasses{"1xx", "2xx", "3xx", "4xx", "5xx"};

// One histogram's counts: buckets[i] counts observations in (bounds[i-1], bounds[i]], the last
// one those above every bound. Not cumulative; the exposition adds them up.
template <std::size_t Bounds>
struct HistogramCounts {
  std::array<std::int64_t, Bounds + 1> buckets{};
  double sum = 0.0;
  std::int64_t count() const noexcept {
    std::int64_t total = 0;
    for (const std::int64_t n : buckets) total += n;
    return total;
  }
  HistogramCounts& operator+=(const HistogramCounts& other) noexcept {
    for (std::size_t i = 0; i < buckets.size(); ++i) buckets[i] += other.buckets[i];
    sum += other.sum;
    return *this;
  }
};

struct RequestMetricsSnapshot {
  using Duration = HistogramCounts<kDurationBounds.size()>;
  using Size = HistogramCounts<kSizeBounds.size()>;
  // [method class][status class]
  std::array<std::array<Duration, kStatusClasses.size()>, kMethodClasses.size()> duration{};
  std::array<std::array<Size, kStatusClasses.size()>, kMethodClasses.size()> size{};
  RequestMetricsSnapshot& operator+=(const RequestMetricsSnapshot& other) noexcept;
};

class RequestMetrics {
 public:
  // A status outside 100..599 is not counted (no exchange ends with one).
  void record(std::string_view method, int status, double seconds, std::uint64_t bytes) noexcept;
  RequestMetricsSnapshot snapshot() const noexcept;

 private:
  template <std::size_t Bounds>
  struct Histogram {
    std::array<std::atomic<std::int64_t>, Bounds + 1> buckets{};
    std::atomic<double> sum{0.0};
  };
  template <std::size_t Bounds>
  static void observe(Histogram<Bounds>& histogram, const std::array<double, Bounds>& bounds,
                      double value) noexcept;
  template <std::size_t Bounds>
  static HistogramCounts<Bounds> read(const Histogram<Bounds>& histogram) noexcept;

  std::array<std::array<Histogram<kDurationBounds.size()>, kStatusClasses.size()>,
             kMethodClasses.size()>
      duration_{};
  std::array<std::array<Histogram<kSizeBounds.size()>, kStatusClasses.size()>,
             kMethodClasses.size()>
      size_{};
};

}  // namespace closewise::server
