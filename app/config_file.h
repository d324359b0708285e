// The TOML file named by --config: one key per setting, named like its flag without "--"
// (idle-timeout = "75s"), with the TOML types the setting's shape takes.
#pragma once

#include <string>

#include "app/settings_table.h"

namespace closewise::app {

// The file's values, or the message for a file that cannot be read or parsed, an unknown key or
// a value of the wrong type (naming the file, and the line or the key).
Result<Layer> readConfigFile(const std::string& path);

}  // namespace closewise::app
