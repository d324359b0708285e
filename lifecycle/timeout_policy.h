// How long each phase of a connection may last, and the limits on a connection's whole life.
#pragma once

#include <chrono>
#include <cstdint>

namespace closewise::lifecycle {

// Time is passed in, never read here: the server hands in the event loop's monotonic clock
// (uv_now(), milliseconds), and tests hand in plain numbers. A time point is a count of
// milliseconds on that clock, so it shares its type with a duration.
using Duration = std::chrono::milliseconds;
using TimePoint = std::chrono::milliseconds;

// now + d for the clock above (now >= 0) and a duration that is not negative, or TimePoint::max()
// where the sum would not fit: a deadline that far off never comes, which is what such a duration
// asks for, where the plain sum would be a signed overflow (undefined behaviour, and in practice
// a deadline in the past). Every deadline is computed through it.
constexpr TimePoint later(TimePoint now, Duration d) noexcept {
  return d > TimePoint::max() - now ? TimePoint::max() : now + d;
}

// Each deadline guards one phase; ConnectionState arms exactly one at a time. The defaults are
// the documented defaults; the comment on each says why it has that value.
struct TimeoutPolicy {
  // Total deadline for a request head, counted from accept (first request) or from the first byte
  // after idle / the end of the previous exchange. Arriving bytes never extend it: a per-read
  // limit is what lets a slowloris client hold a connection for ever by dribbling one byte at a
  // time. Ten seconds is many round trips even on a poor mobile link, and a head fits in a few.
  Duration header{10'000};

  // Inactivity between body reads. This one is per read, not total, because a large upload over
  // a slow link may honestly take minutes; only a stall is suspicious. Thirty seconds rides out a
  // mobile client's brief loss of signal.
  Duration body{30'000};

  // The handler must start answering within this. Sixty seconds matches the common load balancer
  // idle timeout (AWS ALB's default), after which nobody is left waiting for the answer anyway.
  Duration handler{60'000};

  // No write progress for this long means the peer stopped reading (its window is closed). The
  // close is then a reset: a graceful FIN would queue behind bytes that will never be taken.
  Duration write{30'000};

  // The keep-alive gap. It must exceed the idle timeout of any load balancer in front (60 s for
  // AWS ALB), so the balancer, not we, ends an idle connection. If we closed first, the balancer
  // could send a request on a connection whose FIN is in flight and turn it into an error. 75 s
  // is nginx's keepalive_timeout default and clears 60 s with room for timer slack.
  Duration idle{75'000};

  // Total bound on the closing phase (our FIN sent, waiting for the peer's). Lingering exists so
  // that unread input does not make our close send RST, which could destroy an answer the peer
  // has received but not yet read (RFC 9112 section 9.6). Five seconds lets a slow peer read the
  // answer and send FIN, yet keeps a drain from being held up by peers that never do.
  Duration linger{5'000};

  // nginx-style per-read limit inside the closing phase: the deadline is the earlier of the total
  // above and this long after the last discarded read. A peer that has gone quiet for two
  // seconds after our FIN has almost always read the answer; waiting longer buys nothing.
  Duration lingerRead{2'000};

  // A WebSocket that has received nothing for this long is sent a ping (RFC 6455 section 5.5.2).
  // A peer that vanished (a laptop lid closed, a NAT that forgot the mapping) sends no FIN, and
  // without traffic the connection would hold its slot for ever. Thirty seconds stays under the
  // idle timeouts of common NATs and load balancers, so the pings also keep the path open.
  Duration wsPingInterval{30'000};

  // After our ping, this long for any frame at all (a pong, or anything else: it proves the peer
  // is there); then the connection is closed (ws_ping_timeout). Ten seconds is many round trips
  // even on a poor mobile link.
  Duration wsPongTimeout{10'000};

  // After our close frame, this long for the peer's (RFC 6455 section 7.1.2); then TCP is closed
  // regardless. Five seconds, as the linger bound: a peer that is reading answers within a round
  // trip, and a drain must not be held up by one that is not.
  Duration wsCloseTimeout{5'000};

  // The least average rate, in bytes per second, at which a request body must arrive, judged
  // over each body-timeout window (RateWindow). 0 = off. The body deadline alone catches a client
  // that stops, not one that sends a few bytes every few seconds for ever. 500 is Apache
  // mod_reqtimeout's MinRate; it is 4 kbit/s, a tenth of what a GPRS link carries, so a slow
  // uploader passes it easily while such a trickle stays far below it.
  std::uint64_t minReceiveRate{500};

  // The least average rate, in bytes per second, at which a client must take an answer whose
  // bytes wait on it, judged over each write-timeout window in which our output stayed queued the
  // whole time (a handler that produces slowly sets its own pace and is never judged). 0 = off.
  // The write deadline catches a reader that stops, not one that reads a few bytes through a tiny
  // window every few seconds. 500 for the same reasons as above; ASP.NET Core's Kestrel holds its
  // answers to 240 bytes per second the same way (MinResponseDataRate).
  std::uint64_t minSendRate{500};

  // Requests per connection before the answer says the connection will close. 0 = unlimited.
  // A limit spreads long-lived clients across new backends after a scale-up.
  std::uint32_t maxRequestsPerConnection{0};

  // Age after which the next answer says the connection will close (Envoy's
  // max_connection_duration). 0 = off. Same purpose as the request limit, counted in time.
  Duration maxConnectionAge{0};
};

}  // namespace closewise::lifecycle
