// How a module describes its settings: one row per setting, over the module's own options struct.
// server/config.cc holds the server's rows, admin/options.cc the admin listener's; app/ lifts every
// module's rows onto the program's whole configuration and generates the command line, the TOML
// file and --help from them, so a flag cannot exist in one and be missing from the others.
//
// The value helpers below are the grammar every row shares (durations, sizes, switches), so the
// same kind of value is read, refused and worded the same way whichever module owns it.
#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace closewise::settings {

// What a value looks like, which decides the TOML types a key accepts and whether a flag repeats.
enum class Shape : std::uint8_t {
  Text,         // TOML string.
  Secret,       // TOML string; the reload log prints it as "(hidden)", --help as its default.
  Duration,     // TOML string ("75s") or integer (only 0 passes the parser).
  Size,         // TOML integer (bytes) or string ("16KiB").
  Count,        // TOML integer.
  Workers,      // TOML integer or the string "auto".
  Switch,       // TOML boolean; on the command line a flag without a value.
  AddressList,  // TOML string or array of strings; on the command line, repeatable.
  FdList,       // TOML integer or array of integers; on the command line, repeatable.
  NameList,     // TOML string or array of strings; on the command line, repeatable.
};

bool isList(Shape shape);

// Whether a running server can take a new value of a setting from a reload. Live: the timeouts,
// limits, drain and logging settings, which each worker reads afresh for every new deadline,
// request or log line. Restart: what was built once at start-up from the setting (bound sockets,
// worker threads, registered routes, the admin listener and its alert rules, options copied into
// the listeners).
enum class Reload : std::uint8_t { Live, Restart };

// What a row's apply() expected instead of the value it refused ("a duration greater than 0 ...");
// nullopt when it took the value. The caller adds the flag or key and the rejected value, so every
// message has the same form.
using Expectation = std::optional<std::string>;

// One setting of one module, over that module's options struct.
template <typename Options>
struct SettingRow {
  std::string_view name;  // The long flag without "--", and the TOML key.
  Shape shape;
  Reload reload;
  std::string_view group;  // The --help section
  std::string_view valueName;
  std::string_view help;
  // The value as text. --help shows it for Options{} (the default); a reload compares settings by
  // it, and copies a live one as apply(show()), so for those apply() must read it back as the
  // same value (app's reload asserts it).
  std::string (*show)(const Options&);
  Expectation (*apply)(Options&, std::string_view);
  // For a list: empties it, because a list given by a source replaces the one below it.
  void (*clear)(Options&) = nullptr;
};

// A setting whose value differs between two configurations, with both values as --help prints
// them (a secret as "(hidden)").
struct SettingChange {
  std::string_view name;  // the flag without "--", and the TOML key
  std::string before;
  std::string after;
  Reload reload = Reload::Restart;
};

// ---------------------------------------------------------------------------------------------
// The shared value grammar
// ---------------------------------------------------------------------------------------------

// The longest duration any setting takes: a week is longer than any deadline, drain or
// connection age has a use for, and far from where the loop's millisecond clock plus a duration
// could overflow (lifecycle::later() would still hold, but the value would be a typo).
inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours{24 * 7};

// Zero is refused where a deadline of zero would fire at once and a "no deadline" reading would
// let a slow or silent peer hold the connection forever; neither is what a typo of 0 should buy.
Expectation setPositiveDuration(std::chrono::milliseconds& target, std::string_view text);
Expectation setDuration(std::chrono::milliseconds& target, std::string_view text);
// 0 or "off" turn the thing off.
Expectation setOptionalDuration(std::chrono::milliseconds& target, std::string_view text);
Expectation setSize(std::size_t& target, std::string_view text, std::size_t min, std::size_t max);
// A floor under a transfer rate, in bytes per second.
Expectation setRate(std::uint64_t& target, std::string_view text);
// "true"/"false" (CLI11 and the TOML boolean are read into those), or "on"/"off", the words
// showSwitch() prints, when a reload copies it.
Expectation setSwitch(bool& target, std::string_view text);

std::string showSwitch(bool value);
std::string showDuration(std::chrono::milliseconds value);
std::string showOptionalDuration(std::chrono::milliseconds value);  // 0 shows as "off"

// Reads a file a setting names (the --config file, the admin token file) whole into `contents`.
// Returns why it could not (strerror's words), or nullopt.
std::optional<std::string> readSettingFile(const std::string& path, std::string& contents);

// A DNS host name as RFC 1123 section 2.1 writes one.
bool isHostName(std::string_view name);

// A whole number in decimal digits only: no sign, no spaces, no trailing text.
template <typename Integer>
std::optional<Integer> parseWhole(std::string_view text) {
  Integer value{};
  if (text.empty() || text.front() == '-' || text.front() == '+') {
    return std::nullopt;
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace closewise::settings
