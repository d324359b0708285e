// Every setting of the program in one table: each module's rows (settings/settings.h) lifted onto
// the whole configuration (app/config.h). The command line, the TOML file, --help and a reload
// are all generated from it, in its order, which is --help's.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "app/config.h"
#include "settings/settings.h"

namespace closewise::app {

// A module's row, reading and writing its part of the whole Config.
struct Setting {
  std::string_view name;  // The long flag without "--", and the TOML key.
  settings::Shape shape;
  settings::Reload reload;
  std::string_view group;
  std::string_view valueName;
  std::string_view help;
  std::function<std::string(const Config&)> show;
  std::function<settings::Expectation(Config&, std::string_view)> apply;
  std::function<void(Config&)> clear;  // empty for a setting that is not a list
};

// The server's rows, then the admin listener's.
const std::vector<Setting>& settings();
const Setting* findSetting(std::string_view name);

// One value as it arrived. `quoted` remembers whether it was text, so a message can show a TOML
// integer as 5 and a string as "5".
struct RawValue {
  std::string text;
  bool quoted = true;
};

// The values one source (the file or the command line) gave, per setting in settings() order.
// An empty vector means the source did not mention the setting.
using Layer = std::vector<std::vector<RawValue>>;
Layer emptyLayer();

// A failure, already worded for the user ("closewise: --workers: expected ..."). Only the
// outermost function prints it.
struct Failure {
  std::string message;
};

template <typename T>
using Result = std::variant<T, Failure>;

// Applies one source on top of `config`. `where` names the source of a setting in a message:
// "closewise: --workers" or "closewise: FILE: workers".
std::optional<Failure> applyLayer(Config& config, const Layer& layer,
                                  const std::function<std::string(const Setting&)>& where);

// Each module's checks that span settings and its derived values, once every source was applied.
std::optional<Failure> finishSettings(Config& config);

// Every setting whose value differs, in the order of --help; a secret's values as "(hidden)".
std::vector<settings::SettingChange> diffSettings(const Config& before, const Config& after);

}  // namespace closewise::app
