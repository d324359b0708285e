// Every setting of the program in one table: each module's rows (settings/settings.h) lifted onto
// the whole configuration (app/config.h). The command line, the TOML file, --help and a reload
// are all generated from it, in its order, which is --help's.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

// The server's rows, then the admin listener's, then the upstreams'.
const std::vector<Setting>& settings();
const Setting* findSetting(std::string_view name);

// One key of a table's entries ([upstreams.api] connect-timeout = "1s"): a module's row over one
// entry, lifted to apply to the entry its table added last.
struct TableKey {
  std::string_view name;
  settings::Shape shape;
  std::function<settings::Expectation(Config&, std::string_view)> apply;
};

// A TOML table of named tables, [upstreams.NAME], one per entry of a list a flag also fills
// (--upstream NAME=URL): the file's form of a list whose entries carry more than one value.
struct Table {
  std::string_view name;      // the TOML key: "upstreams"
  std::string_view list;      // the list setting it adds to: "upstream"
  std::string_view required;  // the key every entry must have: "url"
  // Adds an entry by name; refuses a bad name or one the list already holds.
  std::function<settings::Expectation(Config&, std::string_view)> add;
  std::vector<TableKey> keys;
};

const std::vector<Table>& tables();
const Table* findTable(std::string_view name);
// "url, max-connections, ... and queue-timeout", for --help and the message for an unknown key.
std::string keyNames(const Table& table);

// One value as it arrived. `quoted` remembers whether it was text, so a message can show a TOML
// integer as 5 and a string as "5".
struct RawValue {
  std::string text;
  bool quoted = true;
};

// One entry of a table as the file gave it: its name and its keys, by index in Table::keys.
struct RawEntry {
  std::string name;
  std::vector<std::pair<std::size_t, RawValue>> keys;
};

// The values one source (the file or the command line) gave: per setting in settings() order
// (an empty vector means the source did not mention the setting), and per table in tables()
// order, its entries in the order given.
struct Layer {
  std::vector<std::vector<RawValue>> values;
  std::vector<std::vector<RawEntry>> tables;
};
Layer emptyLayer();

// A failure, already worded for the user ("closewise: --workers: expected ..."). Only the
// outermost function prints it.
struct Failure {
  std::string message;
};

template <typename T>
using Result = std::variant<T, Failure>;

// Applies one source on top of `config`: its settings, then its tables' entries. A table given
// replaces the list it fills, like the list's own setting would, unless the same source gave that
// setting too. `where` names the source of a setting or a table's key path in a message:
// "closewise: --workers", "closewise: FILE: workers", "closewise: FILE: upstreams.api.url".
std::optional<Failure> applyLayer(Config& config, const Layer& layer,
                                  const std::function<std::string(std::string_view)>& where);

// Each module's checks that span settings and its derived values, once every source was applied.
std::optional<Failure> finishSettings(Config& config);

// Every setting whose value differs, in the order of --help; a secret's values as "(hidden)".
std::vector<settings::SettingChange> diffSettings(const Config& before, const Config& after);

}  // namespace closewise::app
