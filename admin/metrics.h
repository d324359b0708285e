// The body of GET /metrics: the same numbers as /stats in the Prometheus text exposition format
// (version 0.0.4), so a scraper can graph and alert on them without a JSON exporter.
//
// Every family has its # HELP and # TYPE lines before its samples, and all samples of a family are
// adjacent, as the format requires. Totals since start are counters (names end in _total); counts
// of what exists now are gauges.
#pragma once

#include <string>
#include <string_view>

#include "admin/stats.h"

namespace closewise::admin {

// The Content-Type a Prometheus server expects for this format.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string metricsText(const AdminSnapshot& snapshot);

// A label value with backslash, double quote and line feed escaped, as the format requires.
std::string escapeLabelValue(std::string_view value);

}  // namespace closewise::admin
