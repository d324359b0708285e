// The program's whole configuration: each module's settings, read together from one command line
// and one TOML file (app/settings_table.h). Each module reads only its own part.
#pragma once

#include "admin/options.h"
#include "server/config.h"
#include "upstream/options.h"

namespace closewise::app {

struct Config {
  server::Config server;
  admin::Options admin;
  upstream::Options upstream;
};

}  // namespace closewise::app
