#include "app/command_line.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cassert>
#include <memory>
#include <sstream>
#include <string_view>
#include <utility>

#include "app/config_file.h"
#include "app/settings_table.h"

namespace closewise::app {

namespace {

struct StatesFlags {
  std::vector<std::string> ports;
  bool json = false;
  std::string watch = "0";
  std::string source = "sock_diag";
};

// Breaks text into lines of at most `width` columns at spaces.
std::string wrap(std::string_view text, std::size_t width) {
  std::string wrapped;
  std::size_t column = 0;
  while (!text.empty()) {
    const std::string_view word = text.substr(0, text.find(' '));
    text.remove_prefix(std::min(text.size(), word.size() + 1));
    if (column > 0 && column + 1 + word.size() > width) {
      wrapped += '\n';
      column = 0;
    } else if (column > 0) {
      wrapped += ' ';
      ++column;
    }
    wrapped += word;
    column += word.size();
  }
  return wrapped + '\n';
}

// "A table [upstreams.NAME] in the file is one --upstream, with the keys url, ...": generated from
// the tables, so the keys listed are the keys read.
std::string tablesHelp() {
  std::string text;
  for (const Table& table : tables()) {
    text += wrap("A table [" + std::string(table.name) + ".NAME] in the file is one --" +
                     std::string(table.list) + ", with the keys " + keyNames(table) + " (" +
                     std::string(table.required) +
                     " required); a key set there wins over the flag that sets it for all.",
                 88);
  }
  return text;
}

std::string serveHelpFooter() {
  return "Every flag above can also be set in the TOML file given to --config, as a key named\n"
         "like the flag without \"--\" (idle-timeout = \"75s\"); the command line wins over the\n"
         "file. On SIGHUP the file is read again and the settings marked reloadable take their\n"
         "new values; the others need a restart. Durations: 250ms, 5s, 1m, 2h. Sizes: 16384,\n"
         "16KiB, 1MiB, 1GiB.\n" +
         tablesHelp() +
         "See docs/configuration.md for what each setting is for and why its default.\n";
}

// CLI11's default layout puts the description beside the flag, which with values and defaults
// runs past 100 columns. Two lines per flag (the flag, its value and default; then what it is
// for) reads like a man page and fits a terminal.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_group(std::string group, bool is_positional,
                         std::vector<const CLI::Option*> options) const override {
    std::string text = group + ":\n";
    for (const CLI::Option* option : options) {
      text += make_option(option, is_positional);
    }
    return text;
  }

  std::string make_usage(const CLI::App* app, std::string /*name*/) const override {
    if (app->get_name() == "states") {
      return "Usage: closewise states --port PORT [--port PORT...] [--json] [--watch DURATION]\n"
             "                        [--source sock_diag|procfs]\n\n";
    }
    return "Usage: closewise [serve] [OPTIONS]\n"
           "       closewise states --port PORT [OPTIONS]\n\n";
  }

  std::string make_option(const CLI::Option* option, bool is_positional) const override {
    return "  " + make_option_name(option, is_positional) + make_option_opts(option) + "\n      " +
           option->get_description() + "\n";
  }
};

// What --help shows after a flag's name: its value and its default, "DURATION  (default 75s)".
std::string optionText(std::string_view value_name, std::string_view note) {
  return std::string(value_name) + (value_name.empty() ? " (" : "  (") + std::string(note) + ")";
}

void addServeFlags(CLI::App& app, Layer& cli, std::string& config_file) {
  const Config defaults;
  const std::vector<Setting>& table = settings();
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Setting& setting = table[i];
    const std::string flag = "--" + std::string(setting.name);
    const std::string description(setting.help);
    CLI::Option* option = nullptr;
    if (setting.shape == settings::Shape::Switch) {
      // CLI11 sums a flag's occurrences: +1 for "--access-log", -1 for "--access-log=false".
      // The sign of the sum is what the user asked for last, in effect.
      option = app.add_flag_function(
          flag,
          [&cli, i](std::int64_t sum) {
            cli.values[i].push_back(RawValue{sum > 0 ? "true" : "false", false});
          },
          description);
    } else {
      option = app.add_option_function<std::vector<std::string>>(
          flag,
          [&cli, i](const std::vector<std::string>& values) {
            for (const std::string& value : values) {
              cli.values[i].push_back(RawValue{value, true});
            }
          },
          description);
      // Every occurrence is collected, even of a flag that takes one value, so that applyLayer()
      // can refuse "--workers 1 --workers 2" with a message of its own instead of guessing.
      option->type_name(std::string(setting.valueName))->allow_extra_args(false);
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
    const std::string_view reloadable =
        setting.reload == settings::Reload::Live ? ", reloadable" : "";
    option->option_text(optionText(setting.valueName,
                                   "default " + setting.show(defaults) + std::string(reloadable)));
    option->group(std::string(setting.group));
  }
  app.add_option("--config", config_file,
                 "TOML file with any of the settings in this list; flags given here win")
      ->option_text("FILE  (default none)")
      ->group("Listening");
}

void addStatesFlags(CLI::App& states, StatesFlags& flags) {
  states.add_option("--port", flags.ports, "Local port to report on; repeat for more")
      ->option_text(optionText("PORT", "required, repeatable"))
      ->required()
      ->allow_extra_args(false);
  states.add_flag("--json", flags.json, "Print JSON instead of a table")
      ->option_text(optionText("", "default off"));
  states
      .add_option("--watch", flags.watch, "Print again every DURATION until interrupted; 0 = once")
      ->option_text(optionText("DURATION", "default 0"));
  states
      .add_option("--source", flags.source,
                  "Where to read socket states: sock_diag (netlink) or procfs (/proc/net/tcp)")
      ->option_text(optionText("sock_diag|procfs", "default sock_diag"));
}

Result<StatesArgs> validateStates(const StatesFlags& flags) {
  StatesArgs states;
  for (const std::string& text : flags.ports) {
    const auto port = settings::parseWhole<std::uint16_t>(text);
    if (!port || *port == 0) {
      return Failure{"closewise: states --port: expected a port from 1 to 65535, got \"" + text +
                     "\""};
    }
    states.ports.push_back(*port);
  }
  states.json = flags.json;
  if (const auto expected = settings::setDuration(states.watch, flags.watch)) {
    return Failure{"closewise: states --watch: expected " + *expected + ", got \"" + flags.watch +
                   "\""};
  }
  if (flags.source != "sock_diag" && flags.source != "procfs") {
    return Failure{"closewise: states --source: expected sock_diag or procfs, got \"" +
                   flags.source + "\""};
  }
  states.forceProcfs = flags.source == "procfs";
  return states;
}

// "--access-log=maybe": CLI11 reads a switch's value itself and, for a word it does not know,
// throws std::invalid_argument from its integer fallback instead of a ParseError, which would
// surface as "stoll". So the switches' values are checked here first, in our own words.
std::optional<Failure> checkSwitchValues(int argc, const char* const* argv) {
  static constexpr std::array<std::string_view, 8> kSpellings = {"true", "false", "on", "off",
                                                                 "yes",  "no",    "1",  "0"};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (arg == "--") break;
    const auto equals = arg.find('=');
    if (!arg.starts_with("--") || equals == std::string_view::npos) continue;
    const Setting* setting = findSetting(arg.substr(2, equals - 2));
    if (setting == nullptr || setting->shape != settings::Shape::Switch) continue;
    const std::string_view value = arg.substr(equals + 1);
    if (std::find(kSpellings.begin(), kSpellings.end(), value) != kSpellings.end()) continue;
    return Failure{"closewise: --" + std::string(setting->name) +
                   ": expected true or false (or on/off, yes/no, 1/0), got \"" +
                   std::string(value) + "\""};
  }
  return std::nullopt;
}

// CLI11 words its errors for the option ("--workers: 1 required N missing"); the program name in
// front tells a user reading a service log which program complained.
std::string cliFailure(const CLI::ParseError& error) {
  return std::string("closewise: ") + error.what() + " (see closewise --help)";
}

ParseOutcome failed(const Failure& failure, std::ostream& err) {
  err << failure.message << '\n';
  return ParseOutcome{2, {}};
}

// Runs CLI11 over argv. Returns the exit code when that ends the program: 0 after --help or
// --version, 2 after a flag CLI11 refused.
std::optional<int> runParser(CLI::App& app, const CLI::App& states, int argc,
                             const char* const* argv, std::ostream& out, std::ostream& err) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    // `closewise serve --help` would otherwise print the serve subcommand's own, empty, list.
    out << (states.parsed()
                ? states.help("closewise")
                : app.get_formatter()->make_help(&app, "closewise", CLI::AppFormatMode::Normal));
    return 0;
  } catch (const CLI::CallForVersion& version) {
    out << version.what() << '\n';
    return 0;
  } catch (const CLI::ParseError& error) {
    // "closewise serve states" reaches CLI11 as serve's extra arguments; say what went wrong.
    const auto given = [&](std::string_view word) {
      return std::any_of(argv + 1, argv + argc,
                         [word](const char* arg) { return std::string_view(arg) == word; });
    };
    err << (given("serve") && given("states")
                ? "closewise: serve and states are two commands; give one of them"
                : cliFailure(error))
        << '\n';
    return 2;
  }
  return std::nullopt;
}

// The serve settings: the defaults, then the file, then the command line, then each module's
// checks across settings.
Result<Config> serveConfig(const Layer& cli, const std::string& configFile) {
  Config config;
  config.server.configFile = configFile;
  if (!configFile.empty()) {
    auto file = readConfigFile(configFile);
    if (auto* failure = std::get_if<Failure>(&file)) return std::move(*failure);
    const auto where = [&](std::string_view key) {
      return "closewise: " + configFile + ": " + std::string(key);
    };
    if (auto failure = applyLayer(config, std::get<Layer>(file), where)) return *failure;
  }
  const auto where = [](std::string_view flag) { return "closewise: --" + std::string(flag); };
  if (auto failure = applyLayer(config, cli, where)) return *failure;
  if (auto failure = finishSettings(config)) return *failure;
  return config;
}

Result<StatesArgs> statesArgs(const StatesFlags& flags, const Layer& cli,
                              const std::string& configFile) {
  const bool anyServeFlag =
      !configFile.empty() || std::any_of(cli.values.begin(), cli.values.end(),
                                         [](const auto& values) { return !values.empty(); });
  if (anyServeFlag) {
    return Failure{
        "closewise: states takes only --port, --json, --watch and --source; "
        "the other flags belong to serve"};
  }
  return validateStates(flags);
}

ParseOutcome parseOrThrow(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("closewise: an HTTP/1.1 server whose connections close correctly", "closewise");
  app.set_version_flag("--version", "closewise " + std::string(server::kVersion),
                       "Print the version and exit");
  app.formatter(std::make_shared<HelpFormatter>());
  app.require_subcommand(0, 1);

  Layer cli = emptyLayer();
  std::string configFile;
  addServeFlags(app, cli, configFile);
  // The serve flags live on the app itself, so `closewise --listen ...` works; the `serve`
  // subcommand exists for scripts that name the command, and passes its flags up (fallthrough).
  app.add_subcommand("serve", "Serve HTTP (the default command)")->fallthrough();
  CLI::App* states =
      app.add_subcommand("states", "Print the kernel's TCP states for the server's sockets");
  StatesFlags statesFlags;
  addStatesFlags(*states, statesFlags);
  // Set after the subcommands are added, which would otherwise inherit it.
  app.footer(serveHelpFooter());

  if (auto failure = checkSwitchValues(argc, argv)) return failed(*failure, err);
  if (auto exitCode = runParser(app, *states, argc, argv, out, err)) {
    return ParseOutcome{exitCode, {}};
  }
  ParseOutcome outcome;
  if (states->parsed()) {
    auto args = statesArgs(statesFlags, cli, configFile);
    if (auto* failure = std::get_if<Failure>(&args)) return failed(*failure, err);
    outcome.parsed.command = Command::States;
    outcome.parsed.states = std::get<StatesArgs>(std::move(args));
    return outcome;
  }
  auto config = serveConfig(cli, configFile);
  if (auto* failure = std::get_if<Failure>(&config)) return failed(*failure, err);
  outcome.parsed.config = std::get<Config>(std::move(config));
  return outcome;
}

}  // namespace

ParseOutcome parseCommandLine(int argc, const char* const* argv, std::ostream& out,
                              std::ostream& err) {
  try {
    return parseOrThrow(argc, argv, out, err);
  } catch (const std::exception& error) {
    // Nothing above throws by design; this is the promise to callers that nothing escapes, for
    // what cannot be designed away (std::bad_alloc, a library's internal error).
    err << "closewise: cannot read the configuration: " << error.what() << '\n';
    return ParseOutcome{2, {}};
  }
}

// ---------------------------------------------------------------------------------------------
// Reloading (SIGHUP)
// ---------------------------------------------------------------------------------------------

server::ReloadOutcome reloadConfig(const std::vector<std::string>& commandLine,
                                   const Config& running) {
  server::ReloadOutcome outcome;
  std::vector<const char*> argv;
  argv.reserve(commandLine.size());
  for (const std::string& arg : commandLine) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const ParseOutcome read = parseCommandLine(static_cast<int>(argv.size()), argv.data(), out, err);
  if (read.exitCode || read.parsed.command != Command::Serve) {
    // The start-up parser's own message, so the log says what `closewise --config FILE` would.
    outcome.error = err.str();
    while (!outcome.error.empty() && outcome.error.back() == '\n') outcome.error.pop_back();
    if (outcome.error.empty()) outcome.error = "the command line does not start a server";
    return outcome;
  }
  const Config& next = read.parsed.config;
  Config applied = running;
  for (settings::SettingChange& change : diffSettings(running, next)) {
    if (change.reload == settings::Reload::Restart) {
      outcome.needRestart.push_back(std::move(change));
      continue;
    }
    // A live setting crosses over as the text show() gives, through the apply() that validated
    // it; show() is written to be read back, which the assertion holds every row to.
    const Setting& setting = *findSetting(change.name);
    const std::string value = setting.show(next);
    [[maybe_unused]] const settings::Expectation refused = setting.apply(applied, value);
    assert(!settings::isList(setting.shape) && !refused && setting.show(applied) == value);
    outcome.applied.push_back(std::move(change));
  }
  // The live values came from a configuration that passed these checks, and only live values
  // changed; what finishing derives is derived again from them.
  [[maybe_unused]] const auto problem = server::finishConfig(applied.server);
  assert(!problem);
  outcome.config = std::move(applied.server);
  return outcome;
}

}  // namespace closewise::app
