// The upstreams a program calls, as settings: `--upstream NAME=http://HOST:PORT` (repeatable) or
// a TOML table `[upstreams.NAME]` with `url` and any of the per-upstream keys below, and the
// defaults every upstream takes unless its table sets its own (--upstream-max-connections,
// --upstream-connect-timeout, --upstream-response-timeout, --upstream-idle-timeout,
// --upstream-queue-timeout). docs/configuration.md says why each default is what it is.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lifecycle/timeout_policy.h"
#include "settings/settings.h"
#include "upstream/origin.h"
#include "upstream/pool.h"

namespace closewise::upstream {

// What an upstream's own table set. Kept apart from the defaults until every source was read, so
// that an upstream's own value wins over a --upstream-* default whichever source gave which.
struct PoolOverrides {
  std::optional<std::size_t> maxConnections;
  std::optional<lifecycle::Duration> connect;
  std::optional<lifecycle::Duration> response;
  std::optional<lifecycle::Duration> idle;
  std::optional<lifecycle::Duration> queue;
};

// One named upstream: its origin and the settings of the pool each worker keeps toward it.
struct UpstreamSpec {
  std::string name;  // letters, digits, '-' and '_'; unique
  std::string url;   // as given, for --help, the reload log and the admin view
  Origin origin;
  PoolOverrides overrides;
  // The settings its pools use: the defaults with the overrides on top, once finishOptions() ran.
  PoolSettings pool;
};

struct Options {
  std::vector<UpstreamSpec> upstreams;
  // What an upstream takes for every setting its own table does not give.
  PoolSettings defaults;
};

// The upstream rows, in --help order: `upstream` (the list), then the defaults.
std::span<const settings::SettingRow<Options>> settingRows();

// The file's form of the list, one table per upstream: [upstreams.NAME]. The name of the list's
// row, of the table of tables, and the keys of each, as rows over one upstream; `url` is the one
// every table needs.
inline constexpr std::string_view kListSetting = "upstream";
inline constexpr std::string_view kTableName = "upstreams";
inline constexpr std::string_view kRequiredKey = "url";
std::span<const settings::SettingRow<UpstreamSpec>> upstreamKeys();

// Appends an upstream without a url yet, for a table's keys to fill. Refuses a name that is not
// letters, digits, '-' and '_', or one already listed.
settings::Expectation addUpstream(Options& options, std::string_view name);

// Runs once every source was applied: fills each upstream's pool settings from the defaults and
// its overrides. Returns what went wrong, worded for the user without the program's name.
std::optional<std::string> finishOptions(Options& options);

}  // namespace closewise::upstream
