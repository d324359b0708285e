#include "app/config_file.h"

#include <toml++/toml.h>

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

Result<std::vector<RawValue>> tomlValues(const toml::node& node, const Setting& setting,
                                         const std::string& file) {
  const auto wrongType = [&](const toml::node& found, std::string_view inside) {
    return Failure{"closewise: " + file + ": " + std::string(setting.name) + ": expected " +
                   std::string(tomlTypeText(setting.shape)) + ", got " + std::string(inside) +
                   std::string(tomlTypeName(found.type()))};
  };
  std::vector<RawValue> values;
  if (const auto* array = node.as_array(); array != nullptr && isList(setting.shape)) {
    if (array->empty()) {
      return Failure{"closewise: " + file + ": " + std::string(setting.name) +
                     ": expected at least one value, got an empty array"};
    }
    for (const toml::node& element : *array) {
      auto value = tomlScalar(element, setting.shape);
      if (!value) {
        return wrongType(element, "an array holding ");
      }
      values.push_back(std::move(*value));
    }
    return values;
  }
  auto value = tomlScalar(node, setting.shape);
  if (!value) {
    return wrongType(node, "");
  }
  values.push_back(std::move(*value));
  return values;
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
    const Setting* setting = findSetting(key.str());
    if (setting == nullptr) {
      return Failure{"closewise: " + path + ": unknown key \"" + std::string(key.str()) +
                     "\"; the keys are the long flags of closewise --help without the dashes"};
    }
    auto values = tomlValues(node, *setting, path);
    if (auto* failure = std::get_if<Failure>(&values)) {
      return std::move(*failure);
    }
    layer[static_cast<std::size_t>(setting - settings().data())] =
        std::get<std::vector<RawValue>>(std::move(values));
  }
  return layer;
}

}  // namespace closewise::app
