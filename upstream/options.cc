#include "upstream/options.h"

#include <algorithm>
#include <array>
#include <utility>

namespace closewise::upstream {

namespace {

using settings::Expectation;
using settings::Reload;
using settings::Shape;

// More than this per worker toward one upstream is beyond what any upstream's own limits would
// serve (see PoolSettings::maxConnections), so a larger number is taken for the typo it is.
constexpr std::size_t kMaxConnectionsCap = 4096;
constexpr std::size_t kMaxNameLength = 64;

Expectation setMaxConnections(std::size_t& target, std::string_view text) {
  const auto value = settings::parseWhole<std::size_t>(text);
  if (!value || *value < 1 || *value > kMaxConnectionsCap) {
    return "a number from 1 to " + std::to_string(kMaxConnectionsCap);
  }
  target = *value;
  return std::nullopt;
}

// An upstream's own value: validated like the default it stands in for, kept as set.
template <typename Value>
Expectation setOverride(std::optional<Value>& target, std::string_view text,
                        Expectation (*set)(Value&, std::string_view)) {
  Value value{};
  if (auto expected = set(value, text)) return expected;
  target = value;
  return std::nullopt;
}

Expectation setUrl(UpstreamSpec& upstream, std::string_view text) {
  OriginParse parsed = parseOrigin(text);
  if (!parsed.origin) {
    return "http://HOST[:PORT] (" + parsed.error + ")";
  }
  upstream.url = text;
  upstream.origin = std::move(*parsed.origin);
  return std::nullopt;
}

std::string showOverride(const std::optional<lifecycle::Duration>& value) {
  return value ? settings::showDuration(*value) : std::string();
}

const std::array<settings::SettingRow<UpstreamSpec>, 6> kKeys{{
    {"url", Shape::Text, Reload::Restart, "Upstreams", "URL",
     "The origin, http://HOST[:PORT]; HOST may be a name",
     [](const UpstreamSpec& u) { return u.url; },
     [](UpstreamSpec& u, std::string_view v) { return setUrl(u, v); }},
    {"max-connections", Shape::Count, Reload::Restart, "Upstreams", "N",
     "This upstream's --upstream-max-connections",
     [](const UpstreamSpec& u) {
       return u.overrides.maxConnections ? std::to_string(*u.overrides.maxConnections)
                                         : std::string();
     },
     [](UpstreamSpec& u, std::string_view v) {
       return setOverride(u.overrides.maxConnections, v, setMaxConnections);
     }},
    {"connect-timeout", Shape::Duration, Reload::Restart, "Upstreams", "DURATION",
     "This upstream's --upstream-connect-timeout",
     [](const UpstreamSpec& u) { return showOverride(u.overrides.connect); },
     [](UpstreamSpec& u, std::string_view v) {
       return setOverride(u.overrides.connect, v, settings::setPositiveDuration);
     }},
    {"response-timeout", Shape::Duration, Reload::Restart, "Upstreams", "DURATION",
     "This upstream's --upstream-response-timeout",
     [](const UpstreamSpec& u) { return showOverride(u.overrides.response); },
     [](UpstreamSpec& u, std::string_view v) {
       return setOverride(u.overrides.response, v, settings::setPositiveDuration);
     }},
    {"idle-timeout", Shape::Duration, Reload::Restart, "Upstreams", "DURATION",
     "This upstream's --upstream-idle-timeout",
     [](const UpstreamSpec& u) { return showOverride(u.overrides.idle); },
     [](UpstreamSpec& u, std::string_view v) {
       return setOverride(u.overrides.idle, v, settings::setPositiveDuration);
     }},
    {"queue-timeout", Shape::Duration, Reload::Restart, "Upstreams", "DURATION",
     "This upstream's --upstream-queue-timeout",
     [](const UpstreamSpec& u) { return showOverride(u.overrides.queue); },
     [](UpstreamSpec& u, std::string_view v) {
       return setOverride(u.overrides.queue, v, settings::setPositiveDuration);
     }},
}};

// "api=http://10.0.0.5:9000 (connect-timeout 1s)": the url and what the upstream's own table
// set, so that a reload names a change to either.
std::string showUpstream(const UpstreamSpec& upstream) {
  std::string text = upstream.name + "=" + upstream.url;
  std::string own;
  for (const auto& key : kKeys) {
    if (key.name == kRequiredKey) continue;
    const std::string value = key.show(upstream);
    if (value.empty()) continue;
    own += (own.empty() ? "" : ", ") + std::string(key.name) + " " + value;
  }
  return own.empty() ? text : text + " (" + own + ")";
}

Expectation addNamedUrl(Options& options, std::string_view text) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos) {
    return "NAME=http://HOST[:PORT] like api=http://127.0.0.1:9000";
  }
  if (auto expected = addUpstream(options, text.substr(0, equals))) return expected;
  return setUrl(options.upstreams.back(), text.substr(equals + 1));
}

const std::array<settings::SettingRow<Options>, 6> kRows{{
    {kListSetting, Shape::NameList, Reload::Restart, "Upstreams", "NAME=URL",
     "A named origin handlers call, http://HOST[:PORT] (HOST may be a name); repeat for more",
     [](const Options& o) {
       std::string joined;
       for (const UpstreamSpec& u : o.upstreams) {
         joined += (joined.empty() ? "" : ", ") + showUpstream(u);
       }
       return joined.empty() ? std::string("none") : joined;
     },
     addNamedUrl, [](Options& o) { o.upstreams.clear(); }},
    {"upstream-max-connections", Shape::Count, Reload::Restart, "Upstreams", "N",
     "Connections per upstream per worker, 1 to 4096",
     [](const Options& o) { return std::to_string(o.defaults.maxConnections); },
     [](Options& o, std::string_view v) {
       return setMaxConnections(o.defaults.maxConnections, v);
     }},
    {"upstream-connect-timeout", Shape::Duration, Reload::Restart, "Upstreams", "DURATION",
     "Time an upstream has to accept a connection (the TCP handshake)",
     [](const Options& o) { return settings::showDuration(o.defaults.timeouts.connect); },
     [](Options& o, std::string_view v) {
       return settings::setPositiveDuration(o.defaults.timeouts.connect, v);
     }},
    {"upstream-response-timeout", Shape::Duration, Reload::Restart, "Upstreams", "DURATION",
     "Time from the request sent to the response head",
     [](const Options& o) { return settings::showDuration(o.defaults.timeouts.response); },
     [](Options& o, std::string_view v) {
       return settings::setPositiveDuration(o.defaults.timeouts.response, v);
     }},
    {"upstream-idle-timeout", Shape::Duration, Reload::Restart, "Upstreams", "DURATION",
     "A pooled connection unused this long is closed; keep it under the upstream's keep-alive",
     [](const Options& o) { return settings::showDuration(o.defaults.timeouts.idle); },
     [](Options& o, std::string_view v) {
       return settings::setPositiveDuration(o.defaults.timeouts.idle, v);
     }},
    {"upstream-queue-timeout", Shape::Duration, Reload::Restart, "Upstreams", "DURATION",
     "Time a request may wait for a free connection when the pool is full; then 503",
     [](const Options& o) { return settings::showDuration(o.defaults.queueTimeout); },
     [](Options& o, std::string_view v) {
       return settings::setPositiveDuration(o.defaults.queueTimeout, v);
     }},
}};

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::span<const settings::SettingRow<Options>> settingRows() {
  return kRows;
}

std::span<const settings::SettingRow<UpstreamSpec>> upstreamKeys() {
  return kKeys;
}

// A name goes into logs, /stats and metric labels as it is, so it is kept to characters none of
// them needs to quote.
Expectation addUpstream(Options& options, std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength ||
      !std::all_of(name.begin(), name.end(), isNameChar)) {
    return "a name of 1 to " + std::to_string(kMaxNameLength) + " letters, digits, '-' and '_'";
  }
  const auto same = [name](const UpstreamSpec& u) { return u.name == name; };
  if (std::any_of(options.upstreams.begin(), options.upstreams.end(), same)) {
    return "each upstream name once; \"" + std::string(name) + "\" is already listed";
  }
  UpstreamSpec upstream;
  upstream.name = name;
  options.upstreams.push_back(std::move(upstream));
  return std::nullopt;
}

std::optional<std::string> finishOptions(Options& options) {
  for (UpstreamSpec& upstream : options.upstreams) {
    if (upstream.url.empty()) {
      return "upstream \"" + upstream.name + "\" has no url";
    }
    const PoolOverrides& own = upstream.overrides;
    PoolSettings pool = options.defaults;
    pool.maxConnections = own.maxConnections.value_or(pool.maxConnections);
    pool.timeouts.connect = own.connect.value_or(pool.timeouts.connect);
    pool.timeouts.response = own.response.value_or(pool.timeouts.response);
    pool.timeouts.idle = own.idle.value_or(pool.timeouts.idle);
    pool.queueTimeout = own.queue.value_or(pool.queueTimeout);
    upstream.pool = pool;
  }
  return std::nullopt;
}

}  // namespace closewise::upstream
