#include "server/config.h"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <thread>
#include <utility>
#include <variant>

#include "server/duration.h"

namespace closewise::server {

// ---------------------------------------------------------------------------------------------
// Listen addresses
// ---------------------------------------------------------------------------------------------

std::string ListenAddress::text() const {
  const std::string port_text = std::to_string(port);
  return isIpv6() ? "[" + host + "]:" + port_text : host + ":" + port_text;
}

bool ListenAddress::isIpv6() const {
  return host.find(':') != std::string::npos;
}

namespace {

std::optional<std::uint16_t> parsePort(std::string_view text) {
  // Digits only: from_chars would accept a leading '-' for a signed type, and a port written with
  // a sign or spaces is more likely a typo than a request.
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value > std::numeric_limits<std::uint16_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

bool isNumericAddress(int family, const std::string& host) {
  // inet_pton is the same parser libuv's uv_ip4_addr()/uv_ip6_addr() use, so an address accepted
  // here is one the listener can bind. Unlike inet_aton it refuses "127.1" and octal forms.
  std::array<unsigned char, 16> buffer{};
  return inet_pton(family, host.c_str(), buffer.data()) == 1;
}

}  // namespace

std::optional<ListenAddress> parseListenAddress(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    // The last colon separates the port, and an unbracketed host may not hold one: "::1:80"
    // could be read two ways, which is why RFC 3986 section 3.2.2 brackets IPv6 literals.
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return std::nullopt;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return std::nullopt;
    }
  }
  const auto port_number = parsePort(port);
  if (!port_number) {
    return std::nullopt;
  }
  if (!text.starts_with('[') && host == "localhost") {
    return ListenAddress{"127.0.0.1", *port_number};
  }
  std::string host_text(host);
  const int family = text.starts_with('[') ? AF_INET6 : AF_INET;
  if (!isNumericAddress(family, host_text)) {
    return std::nullopt;
  }
  return ListenAddress{std::move(host_text), *port_number};
}

namespace {

// ---------------------------------------------------------------------------------------------
// Settings
//
// Every serve setting is described once, in kSettings below. The command line, the TOML file and
// --help are all generated from that table, so a flag cannot exist in one and be missing from the
// others, and the defaults --help shows are read from Config{} itself rather than typed twice.
// ---------------------------------------------------------------------------------------------

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

bool isList(Shape shape) {
  return shape == Shape::AddressList || shape == Shape::FdList || shape == Shape::NameList;
}

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

// Each apply function stores one value into the Config, or returns what it expected instead.
// The caller adds the flag or key and the rejected value, so every message has the same form.
using Expectation = std::optional<std::string>;
using ApplyFn = Expectation (*)(Config&, std::string_view);
using ShowFn = std::string (*)(const Config&);

struct Setting {
  std::string_view name;  // The long flag without "--", and the TOML key.
  Shape shape;
  Reload reload;  // Whether SIGHUP applies a change, or a restart is needed (config.h).
  std::string_view group;
  std::string_view valueName;
  std::string_view help;
  // The value as text. --help shows it for Config{} (the default); a reload compares settings by
  // it, and copies a live one as apply(show()), so for those apply() must read it back as the
  // same value (reloadConfig() asserts it).
  ShowFn show;
  ApplyFn apply;
};

constexpr std::string_view kAddressForms =
    "an address like 127.0.0.1:8080, [::1]:8080 or localhost:8080";

// The longest duration any setting takes: a week is longer than any deadline, drain or
// connection age has a use for, and far from where the loop's millisecond clock plus a duration
// could overflow (lifecycle::later() would still hold, but the value would be a typo).
constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours{24 * 7};

// What a duration setting accepts, for the messages: "a duration greater than 0 and at most 168h
// like 250ms, 5s or 1m".
std::string durationForms(bool zeroAllowed) {
  return std::string(zeroAllowed ? "a duration of" : "a duration greater than 0 and") +
         " at most " + formatDuration(kMaxDuration) + " like 250ms, 5s or 1m";
}

std::optional<std::chrono::milliseconds> parseBoundedDuration(std::string_view text) {
  const auto value = parseDuration(text);
  if (!value || *value > kMaxDuration) return std::nullopt;
  return value;
}

// Zero is refused where a deadline of zero would fire at once and a "no deadline" reading would
// let a slow or silent peer hold the connection forever; neither is what a typo of 0 should buy.
Expectation setPositiveDuration(std::chrono::milliseconds& target, std::string_view text) {
  const auto value = parseBoundedDuration(text);
  if (!value || value->count() == 0) {
    return durationForms(false);
  }
  target = *value;
  return std::nullopt;
}

Expectation setDuration(std::chrono::milliseconds& target, std::string_view text) {
  const auto value = parseBoundedDuration(text);
  if (!value) {
    return durationForms(true);
  }
  target = *value;
  return std::nullopt;
}

Expectation setOptionalDuration(std::chrono::milliseconds& target, std::string_view text) {
  const auto value = text == "off" ? std::chrono::milliseconds{0} : parseBoundedDuration(text);
  if (!value) {
    return durationForms(true) + ", or \"off\"";
  }
  target = *value;
  return std::nullopt;
}

Expectation setSize(std::size_t& target, std::string_view text, std::size_t min, std::size_t max) {
  const auto value = parseByteSize(text);
  if (!value || *value < min || *value > max) {
    return "a size from " + formatByteSize(min) + " to " + formatByteSize(max) +
           " like 16384, 16KiB or 1MiB";
  }
  target = *value;
  return std::nullopt;
}

// A floor under a transfer rate, in bytes per second. 1 GiB/s is beyond any floor worth setting
// (a floor is for the slowest honest client), and keeps floor x window far from overflowing.
Expectation setRate(std::uint64_t& target, std::string_view text) {
  const auto value = parseByteSize(text);
  if (!value || *value > (std::size_t{1} << 30)) {
    return "bytes per second from 0 (off) to 1GiB like 500 or 4KiB";
  }
  target = *value;
  return std::nullopt;
}

// A switch's value arrives as "true" or "false" (CLI11 and the TOML boolean are read into those),
// or as "on" or "off", the words show() prints, when a reload copies it.
Expectation setSwitch(bool& target, std::string_view text) {
  if (text != "true" && text != "false" && text != "on" && text != "off") return "true or false";
  target = text == "true" || text == "on";
  return std::nullopt;
}

std::string showSwitch(bool value) {
  return value ? "on" : "off";
}

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

constexpr unsigned kMaxWorkers = 256;

unsigned autoWorkers() {
  // hardware_concurrency() may return 0 when the count is unknown; one worker always works.
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp(cores, 1U, kMaxWorkers);
}

const std::array<std::string_view, 5> kLogLevels{"trace", "debug", "info", "warn", "error"};

std::string showDuration(std::chrono::milliseconds value) {
  return formatDuration(value);
}

std::string showOptionalDuration(std::chrono::milliseconds value) {
  return value.count() == 0 ? "off" : formatDuration(value);
}

std::string joinAddresses(const std::vector<ListenAddress>& addresses) {
  std::string joined;
  for (const ListenAddress& address : addresses) {
    joined += (joined.empty() ? "" : ",") + address.text();
  }
  return joined;
}

// A DNS host name as RFC 1123 section 2.1 writes one: dot-separated labels of letters, digits
// and hyphens, 1 to 63 characters each, not starting or ending with a hyphen; 253 at most.
bool isHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto dot = std::min(name.find('.', start), name.size());
    const std::string_view label = name.substr(start, dot - start);
    const bool lettersDigitsHyphens = std::all_of(label.begin(), label.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (label.empty() || label.size() > 63 || !lettersDigitsHyphens || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    start = dot + 1;
  }
  return true;
}

const std::array<Setting, 27> kSettings{{
    {"listen", Shape::AddressList, Reload::Restart, "Listening", "ADDRESS",
     "Address to serve HTTP on; repeat for more. IPV4:PORT, [IPV6]:PORT or localhost:PORT",
     [](const Config& c) { return joinAddresses(c.listen); },
     [](Config& c, std::string_view v) -> Expectation {
       const auto address = parseListenAddress(v);
       if (!address) {
         return std::string(kAddressForms);
       }
       if (std::find(c.listen.begin(), c.listen.end(), *address) != c.listen.end()) {
         return "each address once; this one is already listed";
       }
       c.listen.push_back(*address);
       return std::nullopt;
     }},
    {"inherit-fds", Shape::FdList, Reload::Restart, "Listening", "FD[,FD...]",
     "Listening sockets passed by a parent process; when given, --listen is not bound",
     [](const Config& c) {
       std::string joined;
       for (const int fd : c.inheritFds) joined += (joined.empty() ? "" : ",") + std::to_string(fd);
       return joined.empty() ? "none" : joined;
     },
     [](Config& c, std::string_view v) -> Expectation {
       constexpr std::string_view kForms = "file descriptors like 3 or 3,4";
       std::vector<int> fds;
       std::size_t start = 0;
       while (start <= v.size()) {
         const auto comma = std::min(v.find(',', start), v.size());
         const auto fd = parseWhole<int>(v.substr(start, comma - start));
         if (!fd) {
           return std::string(kForms);
         }
         fds.push_back(*fd);
         start = comma + 1;
       }
       for (const int fd : fds) {
         if (std::find(c.inheritFds.begin(), c.inheritFds.end(), fd) != c.inheritFds.end()) {
           return std::string(kForms) + ", each once";
         }
         c.inheritFds.push_back(fd);
       }
       return std::nullopt;
     }},
    {"workers", Shape::Workers, Reload::Restart, "Listening", "N|auto",
     "Event loop threads, 1 to 256; auto = one per CPU",
     [](const Config& c) { return std::to_string(c.workers); },
     [](Config& c, std::string_view v) -> Expectation {
       if (v == "auto") {
         c.workers = autoWorkers();
         return std::nullopt;
       }
       const auto workers = parseWhole<unsigned>(v);
       if (!workers || *workers < 1 || *workers > kMaxWorkers) {
         return "a number from 1 to 256 or \"auto\"";
       }
       c.workers = *workers;
       return std::nullopt;
     }},
    {"max-connections", Shape::Count, Reload::Live, "Listening", "N",
     "Open connections at most; 0 = derive from the open-file limit at start-up",
     [](const Config& c) { return std::to_string(c.maxConnections); },
     [](Config& c, std::string_view v) -> Expectation {
       const auto value = parseWhole<std::size_t>(v);
       if (!value) {
         return "a whole number, or 0 to derive it from the open-file limit";
       }
       c.maxConnections = *value;
       return std::nullopt;
     }},
    {"tcp-keepalive", Shape::Duration, Reload::Restart, "Listening", "DURATION|off",
     "Idle time before TCP keepalive probes, in whole seconds; 0 or off = no probes",
     [](const Config& c) { return showOptionalDuration(c.tcpKeepalive); },
     [](Config& c, std::string_view v) -> Expectation {
       // The kernel takes TCP_KEEPIDLE as an int of whole seconds, at most 32767
       // (MAX_TCP_KEEPIDLE in Linux's include/net/tcp.h): a value like 1500ms would be silently
       // rounded, a larger one refused by setsockopt when the listener starts, and one past
       // INT_MAX seconds cut to another number by the conversion. Refuse them all here.
       constexpr std::chrono::seconds kMaxKeepIdle{32'767};
       std::chrono::milliseconds value{0};
       if (setOptionalDuration(value, v) || value.count() % 1000 != 0 || value > kMaxKeepIdle) {
         return "a whole number of seconds from 1s to " + formatDuration(kMaxKeepIdle) +
                " like 60s or 5m, or 0 or \"off\"";
       }
       c.tcpKeepalive = value;
       return std::nullopt;
     }},
    {"demo-routes", Shape::Switch, Reload::Restart, "Listening", "",
     "Serve the demo routes /, /echo, /delay, /bytes and /stream (--demo-routes=false: only the "
     "routes a fork registers; every other path is 404)",
     [](const Config& c) { return showSwitch(c.demoRoutes); },
     [](Config& c, std::string_view v) { return setSwitch(c.demoRoutes, v); }},
    {"admin", Shape::Text, Reload::Restart, "Admin", "ADDRESS|off",
     "Address of the admin listener (/stats, /connections), or off",
     [](const Config& c) { return c.admin ? c.admin->text() : std::string("off"); },
     [](Config& c, std::string_view v) -> Expectation {
       if (v == "off") {
         c.admin.reset();
         return std::nullopt;
       }
       const auto address = parseListenAddress(v);
       if (!address) {
         return std::string(kAddressForms) + ", or \"off\"";
       }
       c.admin = *address;
       return std::nullopt;
     }},
    {"admin-token", Shape::Secret, Reload::Restart, "Admin", "TOKEN",
     "Bearer token the admin routes require; prefer --admin-token-file, argv is public",
     [](const Config& c) { return c.adminToken.empty() ? std::string("none") : c.adminToken; },
     [](Config& c, std::string_view v) -> Expectation {
       if (v.empty()) {
         return "a non-empty token";
       }
       c.adminToken = v;
       return std::nullopt;
     }},
    {"admin-token-file", Shape::Text, Reload::Restart, "Admin", "FILE",
     "File holding the admin token, read at start-up; a trailing newline is ignored",
     [](const Config& c) { return c.adminTokenFile.empty() ? "none" : c.adminTokenFile; },
     [](Config& c, std::string_view v) -> Expectation {
       if (v.empty()) {
         return "a file name";
       }
       c.adminTokenFile = v;
       return std::nullopt;
     }},
    {"admin-allowed-host", Shape::NameList, Reload::Restart, "Admin", "NAME",
     "Host name the admin listener also answers to (IP addresses and localhost always pass); "
     "repeat for more",
     [](const Config&) { return std::string("none"); },
     [](Config& c, std::string_view v) -> Expectation {
       if (!isHostName(v)) {
         return "a host name like metrics.example.internal, without a port";
       }
       std::string name(v);
       std::transform(name.begin(), name.end(), name.begin(),
                      [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
       c.adminAllowedHosts.push_back(std::move(name));
       return std::nullopt;
     }},
    {"max-header-bytes", Shape::Size, Reload::Live, "Limits", "SIZE",
     "Request line plus headers at most, 1KiB to 1MiB; a longer request line gets 414, a longer "
     "head 431",
     [](const Config& c) { return formatByteSize(c.maxHeaderBytes); },
     [](Config& c, std::string_view v) {
       return setSize(c.maxHeaderBytes, v, std::size_t{1} << 10, std::size_t{1} << 20);
     }},
    {"max-body-bytes", Shape::Size, Reload::Live, "Limits", "SIZE",
     "Request body at most, 0 to 1GiB; more is answered with 413",
     [](const Config& c) { return formatByteSize(c.maxBodyBytes); },
     [](Config& c, std::string_view v) {
       return setSize(c.maxBodyBytes, v, 0, std::size_t{1} << 30);
     }},
    {"max-requests-per-connection", Shape::Count, Reload::Live, "Limits", "N",
     "Requests served on one connection before it is closed; 0 = unlimited",
     [](const Config& c) { return std::to_string(c.timeouts.maxRequestsPerConnection); },
     [](Config& c, std::string_view v) -> Expectation {
       const auto value = parseWhole<std::uint32_t>(v);
       if (!value) {
         return "a whole number from 0 (unlimited) to 4294967295";
       }
       c.timeouts.maxRequestsPerConnection = *value;
       return std::nullopt;
     }},
    {"max-connection-age", Shape::Duration, Reload::Live, "Limits", "DURATION|off",
     "Close a connection after its current exchange once it is this old; 0 or off = never",
     [](const Config& c) { return showOptionalDuration(c.timeouts.maxConnectionAge); },
     [](Config& c, std::string_view v) {
       return setOptionalDuration(c.timeouts.maxConnectionAge, v);
     }},
    {"header-timeout", Shape::Duration, Reload::Live, "Timeouts", "DURATION",
     "Total time for a request head, from accept or from its first byte after idle",
     [](const Config& c) { return showDuration(c.timeouts.header); },
     [](Config& c, std::string_view v) { return setPositiveDuration(c.timeouts.header, v); }},
    {"body-timeout", Shape::Duration, Reload::Live, "Timeouts", "DURATION",
     "Longest silence between two reads of a request body",
     [](const Config& c) { return showDuration(c.timeouts.body); },
     [](Config& c, std::string_view v) { return setPositiveDuration(c.timeouts.body, v); }},
    {"handler-timeout", Shape::Duration, Reload::Live, "Timeouts", "DURATION",
     "Time the handler has to start its response",
     [](const Config& c) { return showDuration(c.timeouts.handler); },
     [](Config& c, std::string_view v) { return setPositiveDuration(c.timeouts.handler, v); }},
    {"write-timeout", Shape::Duration, Reload::Live, "Timeouts", "DURATION",
     "Longest time without write progress (the peer stopped reading); then reset",
     [](const Config& c) { return showDuration(c.timeouts.write); },
     [](Config& c, std::string_view v) { return setPositiveDuration(c.timeouts.write, v); }},
    {"min-receive-rate", Shape::Size, Reload::Live, "Timeouts", "BYTES",
     "Least bytes per second a request body must arrive at, averaged over --body-timeout; "
     "slower is a 408 and a close; 0 = off",
     [](const Config& c) { return formatByteSize(c.timeouts.minReceiveRate); },
     [](Config& c, std::string_view v) { return setRate(c.timeouts.minReceiveRate, v); }},
    {"min-send-rate", Shape::Size, Reload::Live, "Timeouts", "BYTES",
     "Least bytes per second a client must read of an answer waiting for it, averaged over "
     "--write-timeout; slower is reset; 0 = off",
     [](const Config& c) { return formatByteSize(c.timeouts.minSendRate); },
     [](Config& c, std::string_view v) { return setRate(c.timeouts.minSendRate, v); }},
    {"idle-timeout", Shape::Duration, Reload::Live, "Timeouts", "DURATION",
     "Time a keep-alive connection may wait for its next request",
     [](const Config& c) { return showDuration(c.timeouts.idle); },
     [](Config& c, std::string_view v) { return setPositiveDuration(c.timeouts.idle, v); }},
    {"linger-timeout", Shape::Duration, Reload::Live, "Timeouts", "DURATION",
     "After our FIN, total time to read and discard until the peer's FIN",
     [](const Config& c) { return showDuration(c.timeouts.linger); },
     [](Config& c, std::string_view v) { return setPositiveDuration(c.timeouts.linger, v); }},
    {"close-wait-alert", Shape::Duration, Reload::Restart, "Timeouts", "DURATION",
     "Warn when a connection stays in CLOSE_WAIT (peer's FIN unanswered) this long",
     [](const Config& c) { return showDuration(c.closeWaitAlert); },
     [](Config& c, std::string_view v) { return setPositiveDuration(c.closeWaitAlert, v); }},
    {"drain-delay", Shape::Duration, Reload::Live, "Drain", "DURATION",
     "On SIGTERM, keep accepting this long so load balancers see the pod leave first",
     [](const Config& c) { return showDuration(c.drainDelay); },
     [](Config& c, std::string_view v) { return setDuration(c.drainDelay, v); }},
    {"drain-timeout", Shape::Duration, Reload::Live, "Drain", "DURATION",
     "Bound on the whole drain, counted from the signal (--drain-delay included); then reset",
     [](const Config& c) { return showDuration(c.drainTimeout); },
     [](Config& c, std::string_view v) { return setPositiveDuration(c.drainTimeout, v); }},
    {"log-level", Shape::Text, Reload::Live, "Logging", "LEVEL",
     "trace, debug, info, warn or error", [](const Config& c) { return c.logLevel; },
     [](Config& c, std::string_view v) -> Expectation {
       if (std::find(kLogLevels.begin(), kLogLevels.end(), v) == kLogLevels.end()) {
         return "one of trace, debug, info, warn, error";
       }
       c.logLevel = v;
       return std::nullopt;
     }},
    {"access-log", Shape::Switch, Reload::Live, "Logging", "",
     "Log one line per request (--access-log=false turns a file's setting off)",
     [](const Config& c) { return showSwitch(c.accessLog); },
     [](Config& c, std::string_view v) { return setSwitch(c.accessLog, v); }},
}};

const Setting* findSetting(std::string_view name) {
  const auto found = std::find_if(kSettings.begin(), kSettings.end(),
                                  [name](const Setting& s) { return s.name == name; });
  return found == kSettings.end() ? nullptr : &*found;
}

void resetList(Config& config, Shape shape) {
  if (shape == Shape::AddressList) {
    config.listen.clear();
  } else if (shape == Shape::FdList) {
    config.inheritFds.clear();
  } else if (shape == Shape::NameList) {
    config.adminAllowedHosts.clear();
  }
}

// One value as it arrived. `quoted` remembers whether it was text, so a message can show a TOML
// integer as 5 and a string as "5".
struct RawValue {
  std::string text;
  bool quoted = true;
};

std::string describe(const RawValue& value) {
  return value.quoted ? "\"" + value.text + "\"" : value.text;
}

// The values one source (the file or the command line) gave, per setting in kSettings order.
// An empty vector means the source did not mention the setting.
using Layer = std::array<std::vector<RawValue>, kSettings.size()>;

// A failure, already worded for the user. Only the outermost function prints it.
struct Failure {
  std::string message;
};

template <typename T>
using Result = std::variant<T, Failure>;

std::optional<Failure> applyLayer(Config& config, const Layer& layer,
                                  const std::function<std::string(const Setting&)>& where) {
  for (std::size_t i = 0; i < kSettings.size(); ++i) {
    const Setting& setting = kSettings[i];
    if (layer[i].empty()) {
      continue;
    }
    // A list given by a source replaces the one below it, never extends it: a --listen on the
    // command line should not quietly add to the file's addresses.
    if (isList(setting.shape)) {
      resetList(config, setting.shape);
    } else if (layer[i].size() > 1) {
      return Failure{where(setting) + ": expected once, got " + std::to_string(layer[i].size()) +
                     " times; only --listen, --inherit-fds and --admin-allowed-host repeat"};
    }
    for (const RawValue& value : layer[i]) {
      if (const auto expected = setting.apply(config, value.text)) {
        return Failure{where(setting) + ": expected " + *expected + ", got " + describe(value)};
      }
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// The TOML file
// ---------------------------------------------------------------------------------------------

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

Result<std::string> readWholeFile(const std::string& path, std::string_view what) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    return Failure{"closewise: cannot read " + std::string(what) + " \"" + path +
                   "\": " + std::strerror(errno)};
  }
  std::ostringstream contents;
  contents << stream.rdbuf();
  if (stream.bad()) {
    return Failure{"closewise: cannot read " + std::string(what) + " \"" + path +
                   "\": " + std::strerror(errno)};
  }
  return std::move(contents).str();
}

Result<Layer> readConfigFile(const std::string& path) {
  auto contents = readWholeFile(path, "config file");
  if (auto* failure = std::get_if<Failure>(&contents)) {
    return std::move(*failure);
  }
  toml::table table;
  try {
    table = toml::parse(std::get<std::string>(contents), path);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    return Failure{"closewise: " + path + ":" + std::to_string(begin.line) + ":" +
                   std::to_string(begin.column) + ": " + std::string(error.description())};
  }
  Layer layer;
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
    layer[static_cast<std::size_t>(setting - kSettings.data())] =
        std::get<std::vector<RawValue>>(std::move(values));
  }
  return layer;
}

// ---------------------------------------------------------------------------------------------
// Rules that involve more than one setting
// ---------------------------------------------------------------------------------------------

std::optional<Failure> loadAdminToken(Config& config) {
  if (config.adminTokenFile.empty()) {
    return std::nullopt;
  }
  if (!config.adminToken.empty()) {
    return Failure{"closewise: --admin-token and --admin-token-file: give one or the other"};
  }
  auto contents = readWholeFile(config.adminTokenFile, "admin token file");
  if (auto* failure = std::get_if<Failure>(&contents)) {
    return std::move(*failure);
  }
  std::string token = std::get<std::string>(std::move(contents));
  // Editors and `echo` end a file with a newline; it is not part of the token.
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
    token.pop_back();
  }
  if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
    return Failure{
        "closewise: --admin-token-file: expected a file holding one line, the token, "
        "got \"" +
        config.adminTokenFile + "\" with " + (token.empty() ? "no token" : "more than one line")};
  }
  config.adminToken = std::move(token);
  return std::nullopt;
}

void deriveSettings(Config& config) {
  // The per-read limit inside a lingering close (nginx's lingering_timeout) has no flag: a peer
  // quiet for two seconds after our FIN has read the answer, and the limit can never sensibly
  // exceed the total linger it lives inside.
  config.timeouts.lingerRead = std::min(config.timeouts.linger, std::chrono::milliseconds{2'000});
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

struct StatesFlags {
  std::vector<std::string> ports;
  bool json = false;
  std::string watch = "0";
  std::string source = "sock_diag";
};

std::string serveHelpFooter() {
  return "Every flag above can also be set in the TOML file given to --config, as a key named\n"
         "like the flag without \"--\" (idle-timeout = \"75s\"); the command line wins over the\n"
         "file. On SIGHUP the file is read again and the settings marked reloadable take their\n"
         "new values; the others need a restart. Durations: 250ms, 5s, 1m, 2h. Sizes: 16384,\n"
         "16KiB, 1MiB, 1GiB.\n"
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
  for (std::size_t i = 0; i < kSettings.size(); ++i) {
    const Setting& setting = kSettings[i];
    const std::string flag = "--" + std::string(setting.name);
    const std::string description(setting.help);
    CLI::Option* option = nullptr;
    if (setting.shape == Shape::Switch) {
      // CLI11 sums a flag's occurrences: +1 for "--access-log", -1 for "--access-log=false".
      // The sign of the sum is what the user asked for last, in effect.
      option = app.add_flag_function(
          flag,
          [&cli, i](std::int64_t sum) {
            cli[i].push_back(RawValue{sum > 0 ? "true" : "false", false});
          },
          description);
    } else {
      option = app.add_option_function<std::vector<std::string>>(
          flag,
          [&cli, i](const std::vector<std::string>& values) {
            for (const std::string& value : values) {
              cli[i].push_back(RawValue{value, true});
            }
          },
          description);
      // Every occurrence is collected, even of a flag that takes one value, so that applyLayer()
      // can refuse "--workers 1 --workers 2" with a message of its own instead of guessing.
      option->type_name(std::string(setting.valueName))->allow_extra_args(false);
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
    const std::string_view reloadable = setting.reload == Reload::Live ? ", reloadable" : "";
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
    const auto port = parseWhole<std::uint16_t>(text);
    if (!port || *port == 0) {
      return Failure{"closewise: states --port: expected a port from 1 to 65535, got \"" + text +
                     "\""};
    }
    states.ports.push_back(*port);
  }
  states.json = flags.json;
  if (const auto expected = setDuration(states.watch, flags.watch)) {
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
    if (setting == nullptr || setting->shape != Shape::Switch) continue;
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

ParseOutcome parseOrThrow(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  ParseOutcome outcome;
  const auto fail = [&](const Failure& failure) {
    err << failure.message << '\n';
    outcome.exitCode = 2;
    return outcome;
  };

  CLI::App app("closewise: an HTTP/1.1 server whose connections close correctly", "closewise");
  app.set_version_flag("--version", "closewise " + std::string(kVersion),
                       "Print the version and exit");
  app.formatter(std::make_shared<HelpFormatter>());
  app.require_subcommand(0, 1);

  Layer cli;
  std::string config_file;
  addServeFlags(app, cli, config_file);

  // The serve flags live on the app itself, so `closewise --listen ...` works; the `serve`
  // subcommand exists for scripts that name the command, and passes its flags up (fallthrough).
  CLI::App* serve = app.add_subcommand("serve", "Serve HTTP (the default command)");
  serve->fallthrough();
  CLI::App* states_command =
      app.add_subcommand("states", "Print the kernel's TCP states for the server's sockets");
  StatesFlags states_flags;
  addStatesFlags(*states_command, states_flags);
  // Set after the subcommands are added, which would otherwise inherit it.
  app.footer(serveHelpFooter());

  if (auto failure = checkSwitchValues(argc, argv)) return fail(*failure);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    // `closewise serve --help` would otherwise print the serve subcommand's own, empty, list.
    out << (states_command->parsed()
                ? states_command->help("closewise")
                : app.get_formatter()->make_help(&app, "closewise", CLI::AppFormatMode::Normal));
    outcome.exitCode = 0;
    return outcome;
  } catch (const CLI::CallForVersion& version) {
    out << version.what() << '\n';
    outcome.exitCode = 0;
    return outcome;
  } catch (const CLI::ParseError& error) {
    // "closewise serve states" reaches CLI11 as serve's extra arguments; say what went wrong.
    const auto given = [&](std::string_view word) {
      return std::any_of(argv + 1, argv + argc,
                         [word](const char* arg) { return std::string_view(arg) == word; });
    };
    if (given("serve") && given("states")) {
      return fail(Failure{"closewise: serve and states are two commands; give one of them"});
    }
    return fail(Failure{cliFailure(error)});
  }

  if (states_command->parsed()) {
    const bool any_serve_flag =
        !config_file.empty() ||
        std::any_of(cli.begin(), cli.end(), [](const auto& values) { return !values.empty(); });
    if (any_serve_flag) {
      return fail(
          Failure{"closewise: states takes only --port, --json, --watch and --source; "
                  "the other flags belong to serve"});
    }
    auto states = validateStates(states_flags);
    if (auto* failure = std::get_if<Failure>(&states)) {
      return fail(*failure);
    }
    outcome.parsed.command = Command::States;
    outcome.parsed.states = std::get<StatesArgs>(std::move(states));
    return outcome;
  }

  Config& config = outcome.parsed.config;
  config.configFile = config_file;
  if (!config_file.empty()) {
    auto file = readConfigFile(config_file);
    if (auto* failure = std::get_if<Failure>(&file)) {
      return fail(*failure);
    }
    const auto where = [&](const Setting& s) {
      return "closewise: " + config_file + ": " + std::string(s.name);
    };
    if (auto failure = applyLayer(config, std::get<Layer>(file), where)) {
      return fail(*failure);
    }
  }
  const auto where = [](const Setting& s) { return "closewise: --" + std::string(s.name); };
  if (auto failure = applyLayer(config, cli, where)) {
    return fail(*failure);
  }
  if (config.drainDelay >= config.drainTimeout) {
    // The drain deadline counts from the signal (docs/lifecycle.md), so a delay that long would
    // reach the deadline before the listeners even closed: nothing would drain, all would reset.
    return fail(Failure{"closewise: --drain-delay (" + showDuration(config.drainDelay) +
                        ") must be shorter than --drain-timeout (" +
                        showDuration(config.drainTimeout) +
                        "), which bounds the whole drain counted from the signal"});
  }
  if (auto failure = loadAdminToken(config)) {
    return fail(*failure);
  }
  deriveSettings(config);
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

std::vector<SettingChange> diffSettings(const Config& before, const Config& after) {
  // A secret is compared but never printed: a log is read by more people than the token is.
  const auto printable = [](const Setting& setting, const std::string& text) {
    return setting.shape != Shape::Secret || text == "none" ? text : std::string("(hidden)");
  };
  std::vector<SettingChange> changes;
  for (const Setting& setting : kSettings) {
    const std::string was = setting.show(before);
    const std::string is = setting.show(after);
    if (was == is) continue;
    changes.push_back(
        {setting.name, printable(setting, was), printable(setting, is), setting.reload});
  }
  return changes;
}

ReloadOutcome reloadConfig(const std::vector<std::string>& commandLine, const Config& running) {
  ReloadOutcome outcome;
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
  outcome.config = running;
  for (SettingChange& change : diffSettings(running, next)) {
    if (change.reload == Reload::Restart) {
      outcome.needRestart.push_back(std::move(change));
      continue;
    }
    // A live setting crosses over as the text show() gives, through the apply() that validated
    // it; show() is written to be read back, which the assertion holds every row to.
    const Setting& setting = *findSetting(change.name);
    const std::string value = setting.show(next);
    [[maybe_unused]] const Expectation refused = setting.apply(outcome.config, value);
    assert(!isList(setting.shape) && !refused && setting.show(outcome.config) == value);
    outcome.applied.push_back(std::move(change));
  }
  deriveSettings(outcome.config);
  return outcome;
}

}  // namespace closewise::server
