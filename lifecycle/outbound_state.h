// One outbound (upstream) connection's place in its life: its phase, the one deadline that guards
// that phase, and why it is closing. The inbound ConnectionState's sibling: it owns no socket; the
// upstream pool drives it with verbs and acts on what they return.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "lifecycle/phase.h"
#include "lifecycle/timeout_policy.h"

namespace closewise::lifecycle {

// How long each phase of an outbound connection may last. The defaults are the documented
// defaults; the comment on each says why it has that value.
struct OutboundPolicy {
  // The TCP handshake. Two seconds lets one lost SYN be sent again (the first retransmission
  // comes after the initial RTO of one second, RFC 6298 section 2.1) and still fails long before
  // the kernel's own limit (net.ipv4.tcp_syn_retries, about two minutes), during which the
  // downstream client would wait for nothing.
  Duration connect{2'000};
  // The request sent, until the first byte of the response head. Sixty seconds matches the
  // inbound handler deadline (TimeoutPolicy::handler): past it the downstream answer is late
  // anyway.
  Duration response{60'000};
  // Inactivity while the request is written (the upstream stopped taking it) or while the body
  // is read (the upstream stopped sending). Per write or read, not total, like the inbound body
  // deadline: a large honest body may take minutes, only a stall is suspicious.
  Duration stall{30'000};
  // A pooled connection unused this long is closed by us. It must end before the upstream's own
  // keep-alive timeout, or the upstream closes it first and a request sent at that moment meets
  // the keep-alive race (RFC 9112 section 9.3.1). Four seconds is under the shortest common
  // server default: Apache httpd KeepAliveTimeout 5 s, Node.js server.keepAliveTimeout 5 s
  // (65 s in newer releases); nginx keepalive_timeout is 75 s, HAProxy falls back to timeout
  // http-request, and Go's http.Server has none unless IdleTimeout or ReadTimeout is set.
  Duration idle{4'000};
};

// Where the outbound books count a phase: Connecting, Sending, AwaitingResponse, Receiving, Idle.
inline constexpr std::size_t kOutboundPhaseCount = 5;
// The count index of an outbound phase, or kOutboundPhaseCount for any other (never counted).
std::size_t outboundPhaseIndex(Phase phase) noexcept;

// A copy of one pool's connection books at one moment.
struct OutboundTallySnapshot {
  std::array<std::int64_t, kOutboundPhaseCount> byPhase{};  // by outboundPhaseIndex()
  std::int64_t open{};                                      // sum of byPhase
  std::int64_t connects{};                                  // connections opened (connect attempts)
  std::int64_t requests{};                                  // requests started on a connection
  std::int64_t reuses{};  // of those, the ones on a pooled connection
  std::int64_t closed{};  // closes begun
  std::array<std::int64_t, kCloseReasonCount> closedByReason{};

  std::int64_t in(Phase phase) const noexcept;
  // Connections carrying a request: sending, awaiting a response or receiving one.
  std::int64_t active() const noexcept;
  OutboundTallySnapshot& operator+=(const OutboundTallySnapshot& other) noexcept;
};

class OutboundState;

// The outbound twin of Tally, with its single-writer rule (see tally.h): the worker whose loop
// owns the pool writes through OutboundState, any thread reads a snapshot.
class OutboundTally {
 public:
  OutboundTally() noexcept = default;
  OutboundTally(const OutboundTally&) = delete;
  OutboundTally& operator=(const OutboundTally&) = delete;

  OutboundTallySnapshot snapshot() const noexcept;

 private:
  friend class OutboundState;

  void onConnect() noexcept;
  void onTransition(Phase from, Phase to) noexcept;
  void onRequest(bool reused) noexcept;
  void onCloseBegun(CloseReason reason) noexcept;
  void onClosed(Phase from) noexcept;

  std::array<std::atomic<std::int64_t>, kOutboundPhaseCount> byPhase_{};
  std::atomic<std::int64_t> connects_{0};
  std::atomic<std::int64_t> requests_{0};
  std::atomic<std::int64_t> reuses_{0};
  std::atomic<std::int64_t> closed_{0};
  std::array<std::atomic<std::int64_t>, kCloseReasonCount> closedByReason_{};
};

// Legal transitions, and the verb that makes each one. Any other pair is refused: the verb
// returns false and changes nothing.
//
//   from              to                verb
//   ----------------  ----------------  -----------------------------------------------------
//   Connecting        Sending           connected()         (the first request goes out)
//   Sending           AwaitingResponse  requestSent()
//   Sending           Receiving         headReceived()      (an answer before the request was
//                                                            all sent, such as a 413)
//   AwaitingResponse  Receiving         headReceived()
//   Receiving         Idle              responseComplete()  (refused once a close has begun)
//   Idle              Sending           requestStarted()    (a pooled connection is reused)
//   any but Closed    Closed            closed()            (a close must have begun)
//
// Verbs that stay in a phase: sendProgress() in Sending, bodyProgress() in Receiving, and
// beginClose(). An outbound connection has no Closing phase: it never owes the upstream an
// answer, so there is nothing to linger for; the kernel sends our FIN when the handle closes.
class OutboundState {
 public:
  // Phase Connecting, deadline = now + policy.connect. Counts a connect.
  OutboundState(OutboundTally& tally, const OutboundPolicy& policy, TimePoint now) noexcept;
  OutboundState(OutboundTally& tally, const OutboundPolicy&& policy, TimePoint now) = delete;
  // Asserts phase() == Phase::Closed: dying open means a handle we forgot to close.
  ~OutboundState();
  OutboundState(const OutboundState&) = delete;
  OutboundState& operator=(const OutboundState&) = delete;

  Phase phase() const noexcept { return phase_; }
  CloseReason closeReason() const noexcept { return closeReason_; }
  CloseMode closeMode() const noexcept { return closeMode_; }
  bool closeBegun() const noexcept { return closeReason_ != CloseReason::None; }
  std::uint32_t requests() const noexcept { return requests_; }
  // The current request went out on a connection that had carried one before: only such a
  // request may meet the keep-alive race (see upstream/retry_policy.h).
  bool reused() const noexcept { return requests_ > 1; }
  // When the connection was made, and when it entered its current phase (for /connections).
  TimePoint openedAt() const noexcept { return openedAt_; }
  TimePoint phaseSince() const noexcept { return phaseSince_; }

  // The one deadline of the current phase and the reason a close would carry if it passes:
  // ConnectTimeout in Connecting, WriteTimeout in Sending, ResponseTimeout in AwaitingResponse,
  // BodyTimeout in Receiving, IdleTimeout in Idle; max() and None when Closed.
  TimePoint deadline() const noexcept { return deadline_; }
  CloseReason deadlineReason() const noexcept { return deadlineReason_; }
  bool expired(TimePoint now) const noexcept { return now >= deadline_; }

  // Connecting -> Sending: the handshake finished and the first request starts. Counts a request.
  bool connected(TimePoint now) noexcept;
  // Idle -> Sending: a pooled connection takes a new request. Counts a request and a reuse.
  // Refused once a close has begun: such a connection takes no new exchange.
  bool requestStarted(TimePoint now) noexcept;
  // Sending: some of the request was written; the stall deadline is re-armed.
  bool sendProgress(TimePoint now) noexcept;
  // Sending -> AwaitingResponse: the whole request is written; deadline = now + response.
  bool requestSent(TimePoint now) noexcept;
  // Sending or AwaitingResponse -> Receiving: the final response head arrived.
  bool headReceived(TimePoint now) noexcept;
  // Receiving: some body arrived; the stall deadline is re-armed.
  bool bodyProgress(TimePoint now) noexcept;
  // Receiving -> Idle: the response ended and the connection may carry another request.
  bool responseComplete(TimePoint now) noexcept;

  // Records why and how the connection will close. The first call wins and returns true (and is
  // what the tally counts); later calls return false and change nothing except to escalate the
  // mode, as in ConnectionState. None and any call once Closed are refused.
  bool beginClose(CloseReason reason, CloseMode mode) noexcept;
  // -> Closed from any phase. A close must have begun; a second call changes nothing.
  void closed() noexcept;

 private:
  void moveTo(Phase to, TimePoint now) noexcept;
  void arm(TimePoint deadline, CloseReason reason) noexcept;

  OutboundTally& tally_;
  const OutboundPolicy& policy_;
  Phase phase_ = Phase::Connecting;
  CloseReason closeReason_ = CloseReason::None;
  CloseMode closeMode_ = CloseMode::Immediate;
  CloseReason deadlineReason_ = CloseReason::ConnectTimeout;
  std::uint32_t requests_ = 0;
  TimePoint deadline_;
  TimePoint openedAt_;
  TimePoint phaseSince_;
};

}  // namespace closewise::lifecycle
