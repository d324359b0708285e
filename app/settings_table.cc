#include "app/settings_table.h"

#include <algorithm>
#include <span>

namespace closewise::app {

namespace {

// Lifts each of a module's rows onto the part of Config it describes.
template <typename Part>
void addRows(std::vector<Setting>& table, Part Config::*part,
             std::span<const settings::SettingRow<Part>> rows) {
  for (const settings::SettingRow<Part>& row : rows) {
    Setting setting{
        row.name,
        row.shape,
        row.reload,
        row.group,
        row.valueName,
        row.help,
        [part, show = row.show](const Config& c) { return show(c.*part); },
        [part, apply = row.apply](Config& c, std::string_view v) { return apply(c.*part, v); },
        {}};
    if (row.clear != nullptr) {
      setting.clear = [part, clear = row.clear](Config& c) { clear(c.*part); };
    }
    table.push_back(std::move(setting));
  }
}

std::vector<Setting> buildTable() {
  std::vector<Setting> table;
  addRows(table, &Config::server, server::settingRows());
  addRows(table, &Config::admin, admin::settingRows());
  return table;
}

std::string describe(const RawValue& value) {
  return value.quoted ? "\"" + value.text + "\"" : value.text;
}

// The flags that may repeat, for the message that refuses another one given twice.
std::string repeatableFlags() {
  std::vector<std::string> names;
  for (const Setting& setting : settings()) {
    if (settings::isList(setting.shape)) names.push_back("--" + std::string(setting.name));
  }
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  return text;
}

}  // namespace

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = buildTable();
  return table;
}

const Setting* findSetting(std::string_view name) {
  const auto& table = settings();
  const auto found =
      std::find_if(table.begin(), table.end(), [name](const Setting& s) { return s.name == name; });
  return found == table.end() ? nullptr : &*found;
}

Layer emptyLayer() {
  return Layer(settings().size());
}

std::optional<Failure> applyLayer(Config& config, const Layer& layer,
                                  const std::function<std::string(const Setting&)>& where) {
  const auto& table = settings();
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Setting& setting = table[i];
    if (layer[i].empty()) {
      continue;
    }
    // A list given by a source replaces the one below it, never extends it: a --listen on the
    // command line should not quietly add to the file's addresses.
    if (setting.clear) {
      setting.clear(config);
    } else if (layer[i].size() > 1) {
      return Failure{where(setting) + ": expected once, got " + std::to_string(layer[i].size()) +
                     " times; only " + repeatableFlags() + " repeat"};
    }
    for (const RawValue& value : layer[i]) {
      if (const auto expected = setting.apply(config, value.text)) {
        return Failure{where(setting) + ": expected " + *expected + ", got " + describe(value)};
      }
    }
  }
  return std::nullopt;
}

std::optional<Failure> finishSettings(Config& config) {
  auto problem = server::finishConfig(config.server);
  if (!problem) problem = admin::finishOptions(config.admin);
  if (problem) return Failure{"closewise: " + *problem};
  return std::nullopt;
}

std::vector<settings::SettingChange> diffSettings(const Config& before, const Config& after) {
  // A secret is compared but never printed: a log is read by more people than the token is.
  const auto printable = [](const Setting& setting, const std::string& text) {
    return setting.shape != settings::Shape::Secret || text == "none" ? text
                                                                      : std::string("(hidden)");
  };
  std::vector<settings::SettingChange> changes;
  for (const Setting& setting : settings()) {
    const std::string was = setting.show(before);
    const std::string is = setting.show(after);
    if (was == is) continue;
    changes.push_back(
        {setting.name, printable(setting, was), printable(setting, is), setting.reload});
  }
  return changes;
}

}  // namespace closewise::app
