#include "app/settings_table.h"

#include <algorithm>
#include <cassert>
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
  addRows(table, &Config::upstream, upstream::settingRows());
  return table;
}

// Lifts a module's table: `add` appends an entry to the part's list, and each key, a row over one
// entry, applies to the entry added last, since the file gives an entry's keys right after it.
template <typename Part, typename Entry>
Table liftTable(std::string_view name, std::string_view list, std::string_view required,
                Part Config::*part, std::vector<Entry> Part::*entries,
                settings::Expectation (*add)(Part&, std::string_view),
                std::span<const settings::SettingRow<Entry>> keys) {
  Table table{name,
              list,
              required,
              [part, add](Config& c, std::string_view entry) { return add(c.*part, entry); },
              {}};
  for (const settings::SettingRow<Entry>& key : keys) {
    table.keys.push_back(
        {key.name, key.shape, [part, entries, apply = key.apply](Config& c, std::string_view v) {
           return apply(((c.*part).*entries).back(), v);
         }});
  }
  return table;
}

std::vector<Table> buildTables() {
  std::vector<Table> tables;
  tables.push_back(liftTable(upstream::kTableName, upstream::kListSetting, upstream::kRequiredKey,
                             &Config::upstream, &upstream::Options::upstreams,
                             upstream::addUpstream, upstream::upstreamKeys()));
  return tables;
}

std::string describe(const RawValue& value) {
  return value.quoted ? "\"" + value.text + "\"" : value.text;
}

// "a, b and c".
std::string joinNames(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  return text;
}

// The flags that may repeat, for the message that refuses another one given twice.
std::string repeatableFlags() {
  std::vector<std::string> names;
  for (const Setting& setting : settings()) {
    if (settings::isList(setting.shape)) names.push_back("--" + std::string(setting.name));
  }
  return joinNames(names);
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

const std::vector<Table>& tables() {
  static const std::vector<Table> all = buildTables();
  return all;
}

const Table* findTable(std::string_view name) {
  const auto& all = tables();
  const auto found =
      std::find_if(all.begin(), all.end(), [name](const Table& t) { return t.name == name; });
  return found == all.end() ? nullptr : &*found;
}

std::string keyNames(const Table& table) {
  std::vector<std::string> names;
  for (const TableKey& key : table.keys) names.emplace_back(key.name);
  return joinNames(names);
}

Layer emptyLayer() {
  return Layer{std::vector<std::vector<RawValue>>(settings().size()),
               std::vector<std::vector<RawEntry>>(tables().size())};
}

namespace {

std::optional<Failure> applySettings(Config& config, const Layer& layer,
                                     const std::function<std::string(std::string_view)>& where) {
  const auto& table = settings();
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Setting& setting = table[i];
    const std::vector<RawValue>& values = layer.values[i];
    if (values.empty()) {
      continue;
    }
    // A list given by a source replaces the one below it, never extends it: a --listen on the
    // command line should not quietly add to the file's addresses.
    if (setting.clear) {
      setting.clear(config);
    } else if (values.size() > 1) {
      return Failure{where(setting.name) + ": expected once, got " + std::to_string(values.size()) +
                     " times; only " + repeatableFlags() + " repeat"};
    }
    for (const RawValue& value : values) {
      if (const auto expected = setting.apply(config, value.text)) {
        return Failure{where(setting.name) + ": expected " + *expected + ", got " +
                       describe(value)};
      }
    }
  }
  return std::nullopt;
}

std::optional<Failure> applyEntry(Config& config, const Table& table, const RawEntry& entry,
                                  const std::function<std::string(std::string_view)>& where) {
  const std::string path = std::string(table.name) + "." + entry.name;
  if (const auto expected = table.add(config, entry.name)) {
    return Failure{where(path) + ": expected " + *expected + ", got \"" + entry.name + "\""};
  }
  for (const auto& [index, value] : entry.keys) {
    const TableKey& key = table.keys[index];
    if (const auto expected = key.apply(config, value.text)) {
      return Failure{where(path + "." + std::string(key.name)) + ": expected " + *expected +
                     ", got " + describe(value)};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Failure> applyLayer(Config& config, const Layer& layer,
                                  const std::function<std::string(std::string_view)>& where) {
  if (auto failure = applySettings(config, layer, where)) return failure;
  const auto& all = tables();
  for (std::size_t t = 0; t < all.size(); ++t) {
    if (layer.tables[t].empty()) continue;
    // The table replaces the list below it, as its setting would; a source that gave both
    // already cleared the list when it applied the setting.
    const Setting* list = findSetting(all[t].list);
    assert(list != nullptr && list->clear && "a table fills a list setting");
    if (layer.values[static_cast<std::size_t>(list - settings().data())].empty()) {
      list->clear(config);
    }
    for (const RawEntry& entry : layer.tables[t]) {
      if (auto failure = applyEntry(config, all[t], entry, where)) return failure;
    }
  }
  return std::nullopt;
}

std::optional<Failure> finishSettings(Config& config) {
  auto problem = server::finishConfig(config.server);
  if (!problem) problem = admin::finishOptions(config.admin);
  if (!problem) problem = upstream::finishOptions(config.upstream);
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
