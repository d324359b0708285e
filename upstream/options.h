// The upstreams a program calls, as settings: `--upstream NAME=http://HOST:PORT` (repeatable) or
// a TOML table `[upstreams.NAME]` with `url` and any of the per-upstream keys below, and the
// defaults every upstream takes unless its table sets its own (--upstream-max-connections,
// --upstream-connect-timeout, --upstream-response-timeout, --upstream-idle-timeout,
// --upstream-queue-timeout). docs/configuration.md says why each default is what it is.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "settings/settings.h"
#include "upstream/origin.h"
#include "upstream/pool.h"

namespace closewise::upstream {

// One named upstream: its origin and the settings of the pool each worker keeps toward it.
struct UpstreamSpec {
  std::string name;  // letters, digits, '-' and '_'; unique
  std::string url;   // as given, for --help, the reload log and the admin view
  Origin origin;
  PoolSettings pool;
};

struct Options {
  std::vector<UpstreamSpec> upstreams;
  // What an upstream takes for every setting its own table does not give.
  PoolSettings defaults;
};

// The upstream rows, in --help order.
std::span<const settings::SettingRow<Options>> settingRows();

// Runs once every source was applied: fills each upstream's unset pool settings from the
// defaults. Returns what went wrong, worded for the user without the program's name.
std::optional<std::string> finishOptions(Options& options);

}  // namespace closewise::upstream
