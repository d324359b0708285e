#include "server/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <thread>
#include <utility>

#include "kernel/address.h"
#include "settings/duration.h"
#include "settings/settings.h"

namespace closewise::server {

using namespace settings;  // the row shape and the value grammar every row is written in

// ---------------------------------------------------------------------------------------------
// Listen addresses
// ---------------------------------------------------------------------------------------------

std::string ListenAddress::text() const {
  return kernel::formatHostPort(host, port);
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

constexpr unsigned kMaxWorkers = 256;

unsigned autoWorkers() {
  // hardware_concurrency() may return 0 when the count is unknown; one worker always works.
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp(cores, 1U, kMaxWorkers);
}

const std::array<std::string_view, 5> kLogLevels{"trace", "debug", "info", "warn", "error"};

std::string joinAddresses(const std::vector<ListenAddress>& addresses) {
  std::string joined;
  for (const ListenAddress& address : addresses) {
    joined += (joined.empty() ? "" : ",") + address.text();
  }
  return joined;
}

const std::array<SettingRow<Config>, 27> kRows{{
    {"listen", Shape::AddressList, Reload::Restart, "Listening", "ADDRESS",
     "Address to serve HTTP on; repeat for more. IPV4:PORT, [IPV6]:PORT or localhost:PORT",
     [](const Config& c) { return joinAddresses(c.listen); },
     [](Config& c, std::string_view v) -> Expectation {
       const auto address = parseListenAddress(v);
       if (!address) {
         return std::string(kListenAddressForms);
       }
       if (std::find(c.listen.begin(), c.listen.end(), *address) != c.listen.end()) {
         return "each address once; this one is already listed";
       }
       c.listen.push_back(*address);
       return std::nullopt;
     },
     [](Config& c) { c.listen.clear(); }},
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
     },
     [](Config& c) { c.inheritFds.clear(); }},
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
     "Serve the demo routes /, /echo, /delay, /bytes, /stream and /ws/echo "
     "(--demo-routes=false: only the routes a fork registers; every other path is 404)",
     [](const Config& c) { return showSwitch(c.demoRoutes); },
     [](Config& c, std::string_view v) { return setSwitch(c.demoRoutes, v); }},
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
    {"ws-max-message-bytes", Shape::Size, Reload::Live, "WebSocket", "SIZE",
     "A WebSocket message (all its fragments) at most, 1KiB to 1GiB; larger closes with 1009",
     [](const Config& c) { return formatByteSize(c.wsMaxMessageBytes); },
     [](Config& c, std::string_view v) {
       return setSize(c.wsMaxMessageBytes, v, std::size_t{1} << 10, std::size_t{1} << 30);
     }},
    {"ws-ping-interval", Shape::Duration, Reload::Live, "WebSocket", "DURATION",
     "Ping a WebSocket that has sent nothing for this long",
     [](const Config& c) { return showDuration(c.timeouts.wsPingInterval); },
     [](Config& c, std::string_view v) {
       return setPositiveDuration(c.timeouts.wsPingInterval, v);
     }},
    {"ws-pong-timeout", Shape::Duration, Reload::Live, "WebSocket", "DURATION",
     "After our ping, time for any frame from the peer; then close (ws_ping_timeout)",
     [](const Config& c) { return showDuration(c.timeouts.wsPongTimeout); },
     [](Config& c, std::string_view v) {
       return setPositiveDuration(c.timeouts.wsPongTimeout, v);
     }},
    {"ws-close-timeout", Shape::Duration, Reload::Live, "WebSocket", "DURATION",
     "After our close frame, time for the peer's; then TCP is closed regardless",
     [](const Config& c) { return showDuration(c.timeouts.wsCloseTimeout); },
     [](Config& c, std::string_view v) {
       return setPositiveDuration(c.timeouts.wsCloseTimeout, v);
     }},
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
    {"log-format", Shape::Text, Reload::Restart, "Logging", "text|json",
     "Log lines as text, or as one JSON object each with the message's key=value pairs as fields",
     [](const Config& c) { return c.logFormat; },
     [](Config& c, std::string_view v) -> Expectation {
       if (v != "text" && v != "json") return "text or json";
       c.logFormat = v;
       return std::nullopt;
     }},
    {"access-log", Shape::Switch, Reload::Live, "Logging", "",
     "Log one line per request (--access-log=false turns a file's setting off)",
     [](const Config& c) { return showSwitch(c.accessLog); },
     [](Config& c, std::string_view v) { return setSwitch(c.accessLog, v); }},
}};

void deriveSettings(Config& config) {
  // The per-read limit inside a lingering close (nginx's lingering_timeout) has no flag: a peer
  // quiet for two seconds after our FIN has read the answer, and the limit can never sensibly
  // exceed the total linger it lives inside.
  config.timeouts.lingerRead = std::min(config.timeouts.linger, std::chrono::milliseconds{2'000});
}

}  // namespace

std::span<const SettingRow<Config>> settingRows() {
  return kRows;
}

std::optional<std::string> finishConfig(Config& config) {
  if (config.drainDelay >= config.drainTimeout) {
    // The drain deadline counts from the signal (docs/lifecycle.md), so a delay that long would
    // reach the deadline before the listeners even closed: nothing would drain, all would reset.
    return "--drain-delay (" + showDuration(config.drainDelay) +
           ") must be shorter than --drain-timeout (" + showDuration(config.drainTimeout) +
           "), which bounds the whole drain counted from the signal";
  }
  deriveSettings(config);
  return std::nullopt;
}

}  // namespace closewise::server
