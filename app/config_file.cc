#include "app/config_file.h"

#include <toml++/toml.h>

#include <algorithm>

namespace closewise::app {

namespace {

using settings::Shape;

std::string_view tomlTypeText(Shape shape) {
  switch (shape) {
    case Shape::Text:
    case Shape::Secret:
      return "a string";
    case Shape::Duration:
      return "a string like \"75s\"";
    case Shape::Size:
      return "an integer number of bytes or a string like \"16KiB\"";
    case Shape::Count:
      return "an integer";
    case Shape::Workers:
      return "an integer or \"auto\"";
    case Shape::Switch:
      return "a boolean";
    case Shape::AddressList:
    case Shape::NameList:
      return "a string or an array of strings";
    case Shape::FdList:
      return "an integer or an array of integers";
  }
  return "a value";
}

std::string_view tomlTypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// Converts one scalar to the text the flag would have carried, if the shape takes its type.
std::optional<RawValue> tomlScalar(const toml::node& node, Shape shape) {
  const bool takes_string = shape == Shape::Text || shape == Shape::Secret ||
                            shape == Shape::Duration || shape == Shape::Size ||
                            shape == Shape::Workers || shape == Shape::AddressList ||
                            shape == Shape::NameList;
  const bool takes_integer = shape == Shape::Duration || shape == Shape::Size ||
                             shape == Shape::Count || shape == Shape::Workers ||
                             shape == Shape::FdList;
  if (const auto* text = node.as_string(); text != nullptr && takes_string) {
    return RawValue{text->get(), true};
  }
  if (const auto* number = node.as_integer(); number != nullptr && takes_integer) {
    return RawValue{std::to_string(number->get()), false};
  }
  if (const auto* flag = node.as_boolean(); flag != nullptr && shape == Shape::Switch) {
    return RawValue{flag->get() ? "true" : "false", false};
  }
  return std::nullopt;
}

// `key` is the key's path in the file, for the message: "workers", "upstreams.api.url".
Result<std::vector<RawValue>> tomlValues(const toml::node& node, std::string_view key, Shape shape,
                                         const std::string& file) {
  const auto wrongType = [&](const toml::node& found, std::string_view inside) {
    return Failure{"closewise: " + file + ": " + std::string(key) + ": expected " +
                   std::string(tomlTypeText(shape)) + ", got " + std::string(inside) +
                   std::string(tomlTypeName(found.type()))};
  };
  std::vector<RawValue> values;
  if (const auto* array = node.as_array(); array != nullptr && isList(shape)) {
    if (array->empty()) {
      return Failure{"closewise: " + file + ": " + std::string(key) +
                     ": expected at least one value, got an empty array"};
    }
    for (const toml::node& element : *array) {
      auto value = tomlScalar(element, shape);
      if (!value) {
        return wrongType(element, "an array holding ");
      }
      values.push_back(std::move(*value));
    }
    return values;
  }
  auto value = tomlScalar(node, shape);
  if (!value) {
    return wrongType(node, "");
  }
  values.push_back(std::move(*value));
  return values;
}

Failure unknownKey(const std::string& file, const std::string& keyPath, const Table& table) {
  return Failure{"closewise: " + file + ": unknown key \"" + keyPath + "\"; the keys of [" +
                 std::string(table.name) + ".NAME] are " + keyNames(table)};
}

// One [upstreams.NAME] table: each key found among the table's keys and read with its shape, and
// the required key present.
Result<RawEntry> tomlEntry(const toml::table& entry, std::string_view name, const Table& table,
                           const std::string& file) {
  const std::string path = std::string(table.name) + "." + std::string(name);
  RawEntry raw{std::string(name), {}};
  bool required = false;
  for (const auto& [key, node] : entry) {
    const std::string_view keyName = key.str();
    const std::string keyPath = path + "." + std::string(keyName);
    const auto found = std::find_if(table.keys.begin(), table.keys.end(),
                                    [keyName](const TableKey& k) { return k.name == keyName; });
    if (found == table.keys.end()) {
      return unknownKey(file, keyPath, table);
    }
    auto values = tomlValues(node, keyPath, found->shape, file);
    if (auto* failure = std::get_if<Failure>(&values)) return std::move(*failure);
    const auto index = static_cast<std::size_t>(found - table.keys.begin());
    raw.keys.emplace_back(index, std::get<std::vector<RawValue>>(values).front());
    required = required || found->name == table.required;
  }
  if (!required) {
    return Failure{"closewise: " + file + ": " + path + ": expected a " +
                   std::string(table.required) + " key, got a table without one"};
  }
  return raw;
}

// [upstreams.NAME] tables: a table of tables, one per entry, in the order of their names (the
// order toml++ keeps a table's keys in).
Result<std::vector<RawEntry>> tomlTable(const toml::node& node, const Table& table,
                                        const std::string& file) {
  const std::string expected = "closewise: " + file + ": " + std::string(table.name) +
                               ": expected tables like [" + std::string(table.name) +
                               ".NAME], got ";
  const auto* entries = node.as_table();
  if (entries == nullptr) return Failure{expected + std::string(tomlTypeName(node.type()))};
  if (entries->empty()) return Failure{expected + "an empty table"};
  std::vector<RawEntry> raw;
  for (const auto& [name, entry] : *entries) {
    const auto* fields = entry.as_table();
    if (fields == nullptr) {
      return Failure{"closewise: " + file + ": " + std::string(table.name) + "." +
                     std::string(name.str()) + ": expected a table, got " +
                     std::string(tomlTypeName(entry.type()))};
    }
    auto read = tomlEntry(*fields, name.str(), table, file);
    if (auto* failure = std::get_if<Failure>(&read)) return std::move(*failure);
    raw.push_back(std::get<RawEntry>(std::move(read)));
  }
  return raw;
}

}  // namespace

Result<Layer> readConfigFile(const std::string& path) {
  std::string contents;
  if (auto why = settings::readSettingFile(path, contents)) {
    return Failure{"closewise: cannot read config file \"" + path + "\": " + *why};
  }
  toml::table table;
  try {
    table = toml::parse(contents, path);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    return Failure{"closewise: " + path + ":" + std::to_string(begin.line) + ":" +
                   std::to_string(begin.column) + ": " + std::string(error.description())};
  }
  Layer layer = emptyLayer();
  for (const auto& [key, node] : table) {
    if (const Table* named = findTable(key.str())) {
      auto entries = tomlTable(node, *named, path);
      if (auto* failure = std::get_if<Failure>(&entries)) return std::move(*failure);
      layer.tables[static_cast<std::size_t>(named - tables().data())] =
          std::get<std::vector<RawEntry>>(std::move(entries));
      continue;
    }
    const Setting* setting = findSetting(key.str());
    if (setting == nullptr) {
      return Failure{"closewise: " + path + ": unknown key \"" + std::string(key.str()) +
                     "\"; the keys are the long flags of closewise --help without the dashes"};
    }
    auto values = tomlValues(node, setting->name, setting->shape, path);
    if (auto* failure = std::get_if<Failure>(&values)) {
      return std::move(*failure);
    }
    layer.values[static_cast<std::size_t>(setting - settings().data())] =
        std::get<std::vector<RawValue>>(std::move(values));
  }
  return layer;
}

}  // namespace closewise::app
