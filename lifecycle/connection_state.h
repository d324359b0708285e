// One connection's place in its life: its phase, the one deadline that guards that phase, and
// why and how it is closing. It owns no socket; the server drives it with verbs and acts on what
// they return.
#pragma once

#include <cstdint>

#include "lifecycle/phase.h"
#include "lifecycle/tally.h"
#include "lifecycle/timeout_policy.h"

namespace closewise::lifecycle {

// Legal transitions, and the verb that makes each one. Any other pair is refused: the verb
// returns false and changes nothing.
//
//   from        to          verb
//   ----------  ----------  -------------------------------------------------------------
//   Reading     Processing  headComplete(expectBody = false), or requestComplete() after a body
//   Reading     Writing     responseStarted()  (an answer before the request was complete)
//   Reading     Closing     finSent()          (graceful close with no answer: head timeout)
//   Reading     Closed      closed()
//   Processing  Writing     responseStarted()
//   Processing  HalfClosed  peerFin()
//   Processing  Closed      closed()
//   Writing     Reading     responseComplete(pipelinedInputPending = true)
//   Writing     Idle        responseComplete(pipelinedInputPending = false)
//   Writing     HalfClosed  peerFin()
//   Writing     Closing     finSent()          (after an answer that said the connection closes)
//   Writing     Closed      closed()
//   Writing     WebSocket   upgraded()         (the 101 is written; RFC 6455 section 4.2.2)
//   Idle        Reading     requestStarted()
//   Idle        Closing     finSent()          (graceful close with no answer: idle timeout, drain)
//   Idle        Closed      closed()
//   HalfClosed  Closing     finSent()
//   HalfClosed  Closed      closed()
//   Closing     Closed      closed()
//   WebSocket   WsClosing   wsCloseSent()      (our close frame is out; we wait for the peer's)
//   WebSocket   Closing     finSent()          (we answered the peer's close frame; our FIN)
//   WebSocket   Closed      closed()
//   WsClosing   Closing     finSent()          (the peer's close frame came back; our FIN)
//   WsClosing   Closed      closed()
//   Closed      (none)
//
// Verbs that stay in a phase: requestStarted() in Reading (a no-op), headComplete(expectBody =
// true), bodyProgress(), bodyPaused(), responseStarted() in HalfClosed, writeProgress(),
// lingerProgress(), beginClose(), peerFin() outside Processing and Writing, and in WebSocket
// wsReceived(), wsPingSent() and writeProgress().
//
// Every transition is reported to the Tally, so the per-phase counts cannot drift from the
// phases. The object is neither copied nor moved: a copy would be a second connection the
// Tally never heard of.
class ConnectionState {
 public:
  // Phase Reading, the head deadline = now + policy.header. The policy is referenced, not copied
  // (it is the worker's, which outlives its connections): 72 bytes less for every connection.
  ConnectionState(Tally& tally, const TimeoutPolicy& policy, TimePoint now) noexcept;
  ConnectionState(Tally& tally, const TimeoutPolicy&& policy, TimePoint now) = delete;
  // Asserts phase() == Phase::Closed, as Envoy's connection destructor does: an object that dies
  // open means a handle we forgot to close. Without assertions the books are still balanced.
  ~ConnectionState();

  ConnectionState(const ConnectionState&) = delete;
  ConnectionState& operator=(const ConnectionState&) = delete;

  Phase phase() const noexcept { return phase_; }
  CloseReason closeReason() const noexcept { return closeReason_; }  // None until a close begins
  CloseMode closeMode() const noexcept { return closeMode_; }        // meaningful once closeBegun()
  bool closeBegun() const noexcept { return closeReason_ != CloseReason::None; }
  TimePoint closeBegunAt() const noexcept { return closeBegunAt_; }            // max() until then
  std::uint32_t requestsStarted() const noexcept { return requestsStarted_; }  // heads completed
  TimePoint acceptedAt() const noexcept { return acceptedAt_; }
  // The peer's FIN and when it came: a connection that saw it long ago and is still open is the
  // CLOSE_WAIT leak the admin alert looks for.
  bool peerFinSeen() const noexcept { return peerFinSeen_; }
  TimePoint peerFinAt() const noexcept { return peerFinAt_; }  // max() until seen
  // True in Reading once the head is complete and the body is being read.
  bool readingBody() const noexcept { return phase_ == Phase::Reading && inBody_; }
  // True in Writing, and in HalfClosed once the answer has started.
  bool answerStarted() const noexcept { return answerStarted_; }
  // True in WebSocket once a ping went out and nothing has come since.
  bool pingOutstanding() const noexcept { return pingOutstanding_; }

  // The one deadline of the current phase, and the reason a close would carry if it passes.
  // deadline() is TimePoint::max() when Closed, or when the phase's timeout reaches past the end
  // of the clock (later() in timeout_policy.h): a deadline that never comes. deadlineReason() is
  // HeaderTimeout in Reading before the head is complete, BodyTimeout while reading a body,
  // HandlerTimeout in Processing, WriteTimeout in Writing, IdleTimeout in Idle, LingerTimeout in
  // Closing, and in HalfClosed whatever the unfinished work's is (HandlerTimeout, then WriteTimeout
  // once the answer started). In WebSocket it is WsPingTimeout (the first time it passes a ping
  // is sent, pingOutstanding() turns true and the deadline moves to the pong timeout; the second
  // time it closes), or WriteTimeout while output waits on the peer and its write deadline comes
  // first; in WsClosing WsCloseTimeout. None when Closed.
  TimePoint deadline() const noexcept { return deadline_; }
  CloseReason deadlineReason() const noexcept { return deadlineReason_; }
  bool expired(TimePoint now) const noexcept { return now >= deadline(); }

  // Verbs. Each checks that it is legal in the current phase; an illegal call returns false and
  // changes nothing.

  // The first byte of a new request. Idle -> Reading with the head deadline = now + header;
  // refused once a close has begun, since such a connection takes no new exchange. In Reading it
  // is a no-op that returns true and does NOT move the deadline: bytes never extend it.
  bool requestStarted(TimePoint now) noexcept;
  // Reading, head not yet complete: counts a request. With a body to read it stays in Reading
  // with the body deadline = now + body; otherwise -> Processing, handler deadline = now + handler.
  bool headComplete(TimePoint now, bool expectBody) noexcept;
  // Reading a body: some arrived, so the body deadline is re-armed to now + body.
  bool bodyProgress(TimePoint now) noexcept;
  // Reading a body that a handler streams (it was dispatched at the head): the handler paused it,
  // or has not started reading it. The phase stays Reading, but the deadline is now the
  // handler's, now + handler (reason HandlerTimeout): a body its own handler holds back is not a
  // slow client, and the handler is what must act in time. bodyProgress() gives the body deadline
  // back when the handler resumes.
  bool bodyPaused(TimePoint now) noexcept;
  // Reading a body: the last of it arrived. -> Processing, handler deadline = now + handler.
  bool requestComplete(TimePoint now) noexcept;
  // The answer starts. Processing -> Writing, or Reading -> Writing (an answer before the request
  // was complete, such as an error). In HalfClosed the phase stays and the deadline switches from
  // the handler's to the write one. Write deadline = now + write. Refused once the answer started.
  bool responseStarted(TimePoint now) noexcept;
  // Writing, or HalfClosed while writing: bytes went out, so the write deadline = now + write.
  // WebSocket: with output still waiting on the peer (`stillQueued`) the write deadline (now +
  // write) guards it as it does an answer, beside the heartbeat (below), and the earlier of the
  // two is the deadline. The heartbeat counts from what was received only: a peer whose TCP takes
  // our bytes has not shown that it would answer a ping, so output never puts a ping back.
  bool writeProgress(TimePoint now, bool stillQueued = true) noexcept;
  // The answer is fully written and the connection is kept. Writing -> Reading (more input is
  // already buffered; head deadline = now + header) or -> Idle (idle deadline = now + idle).
  // Refused when a close is pending: then the caller calls finSent() or closed() instead.
  bool responseComplete(TimePoint now, bool pipelinedInputPending) noexcept;

  // WebSocket (RFC 6455). The 101 answer is written: Writing -> WebSocket, counted as an upgrade.
  // From here the HTTP deadlines no longer apply; the heartbeat one does: a ping is due at
  // now + wsPingInterval (deadlineReason() WsPingTimeout, pingOutstanding() false). Refused
  // once a close has begun.
  bool upgraded(TimePoint now) noexcept;
  // WebSocket: bytes arrived, so the peer is there: the next ping is due at now +
  // wsPingInterval. Nothing else moves the ping. In WsClosing, or once a close began, it changes
  // nothing (only the close's deadline counts there).
  bool wsReceived(TimePoint now) noexcept;
  // WebSocket: our ping went out; the peer has until now + wsPongTimeout to send any frame, or
  // the deadline closes it as WsPingTimeout. Refused once a close began.
  bool wsPingSent(TimePoint now) noexcept;
  // Our close frame went out after a close began: WebSocket -> WsClosing, deadline = now +
  // wsCloseTimeout (reason WsCloseTimeout).
  bool wsCloseSent(TimePoint now) noexcept;
  // The books of a WebSocket: a handshake refused (400, 426), a complete message in or out with
  // its payload bytes, and the close code the connection ended with (1006 without a close frame).
  void wsRejected() noexcept { tally_.onWsRejected(); }
  void wsMessage(bool incoming, std::uint64_t bytes) noexcept {
    tally_.onWsMessage(incoming, bytes);
  }
  void wsClosedWith(std::uint16_t code) noexcept { tally_.onWsClosed(code); }

  // The peer's FIN arrived (the read returned EOF). Records it, and answers whether the
  // connection should stay open:
  //  - Processing, Writing: -> HalfClosed, returns true. A FIN is only the end of the peer's
  //    sending (RFC 9293 section 3.6); it can still receive the answer, so we finish it. This
  //    holds even when a close has already begun for an error answer being written.
  //  - HalfClosed: the FIN was already recorded; returns true and changes nothing.
  //  - Reading, Idle, WebSocket, WsClosing: there is nothing to answer (a WebSocket peer that
  //    sends FIN without a close frame is gone, RFC 6455 section 7.1.5), so it begins a close
  //    (PeerClosed, Immediate) and returns false: the caller closes now. If a close had already
  //    begun its reason is kept and only the mode escalates to Immediate.
  //  - Closing: the FIN we lingered for; returns false, the caller closes now, reason kept.
  //  - Closed: returns false and changes nothing.
  bool peerFin(TimePoint now) noexcept;

  // Records why and how the connection will close. The first call wins and returns true (and is
  // what the Tally counts); later calls return false and change nothing, except that a more
  // forceful mode (Immediate over Graceful, Reset over both) escalates the recorded one, because
  // a write failing during a graceful close really does end in a reset. The reason None and any
  // call once Closed are refused. The phase does not change: an answer announcing the close may
  // still be written. In WebSocket the heartbeat stops (no ping follows a close); only queued
  // output stays timed until our close frame or our FIN moves the phase on.
  bool beginClose(CloseReason reason, CloseMode mode, TimePoint now) noexcept;
  // Our FIN (shutdown) went out after a graceful close began: Reading, Writing, Idle, HalfClosed,
  // WebSocket or WsClosing -> Closing, with deadline = min(now + linger, now + lingerRead). Refused
  // if no close began or its mode is not Graceful. If the peer's FIN was already seen, the caller
  // calls closed() right away.
  bool finSent(TimePoint now) noexcept;
  // Closing: bytes were read and discarded. Deadline = min(closing start + linger, now +
  // lingerRead): each read buys a little time, but never past the total.
  bool lingerProgress(TimePoint now) noexcept;
  // -> Closed from any phase: the handle is being closed. A close must have begun (its reason is
  // what the books record); if not, that is our bug and it asserts. A second call changes
  // nothing, so a connection is never subtracted twice.
  void closed() noexcept;

  // What the next answer may promise: keep the connection or not, and if not, why.
  // `peerAskedToClose` is the peer saying, with this exchange, that it will send no other (an
  // HTTP "Connection: close"). When several reasons hold, the first in this order is given: the
  // reason of a close already begun (it is already on the books); PeerClosed when the peer's FIN
  // was seen; MaxRequests when requestsStarted() has reached the limit (so the answer that
  // REACHES it says close); MaxAge when now - acceptedAt() >= maxConnectionAge; Drain when
  // draining; ClientRequested when the peer asked. Facts about this connection come before the
  // server-wide drain because they would have closed it anyway; the peer's request comes last,
  // so that the books still count every close the server would have made on its own (what an
  // operator tuning --max-requests-per-connection or a drain needs to see).
  struct KeepAliveVerdict {
    bool keepAlive;
    CloseReason reason;  // None when keepAlive
  };
  KeepAliveVerdict keepAliveVerdict(TimePoint now, bool draining,
                                    bool peerAskedToClose) const noexcept;

  // The policy changed (a configuration reload); `before` is the one the deadline was armed
  // with. The deadline is counted again from the same start with the new timeout of its kind, so
  // a shortened timeout may have passed already. The linger deadline (the lesser of two limits)
  // is kept: closing is short whatever the policy.
  void rebaseDeadline(const TimeoutPolicy& before) noexcept;

 private:
  // Moves between two counted phases and tells the Tally.
  void moveTo(Phase to) noexcept;
  void arm(TimePoint deadline, CloseReason reason) noexcept;
  TimePoint lingerDeadline(TimePoint now) const noexcept;
  // WebSocket: arms the earlier of the heartbeat and, while output waits on the peer, the write
  // deadline.
  void armWebSocket() noexcept;
  void rebaseWebSocket(const TimeoutPolicy& before) noexcept;

  Tally& tally_;
  const TimeoutPolicy& policy_;
  Phase phase_ = Phase::Reading;
  CloseReason closeReason_ = CloseReason::None;
  CloseMode closeMode_ = CloseMode::Graceful;
  CloseReason deadlineReason_ = CloseReason::HeaderTimeout;
  // These two refine a phase without being phases of their own: /stats counts a body being read
  // as reading, and a half-closed connection as half_closed whether or not its answer started.
  bool inBody_ = false;
  bool answerStarted_ = false;
  bool peerFinSeen_ = false;
  bool pingOutstanding_ = false;
  bool wsOutputQueued_ = false;  // WebSocket: output waits on the peer; wsWriteDue_ counts
  std::uint32_t requestsStarted_ = 0;
  TimePoint acceptedAt_;
  TimePoint deadline_;
  TimePoint peerFinAt_ = TimePoint::max();
  TimePoint closeBegunAt_ = TimePoint::max();
  TimePoint closingStartedAt_ = TimePoint::max();
  // WebSocket: when a ping is due, or a pong overdue, counted from what was received only; and
  // the write deadline of queued output. deadline() is the earlier of the two.
  TimePoint heartbeat_ = TimePoint::max();
  TimePoint wsWriteDue_ = TimePoint::max();
};

}  // namespace closewise::lifecycle
