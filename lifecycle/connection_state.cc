#include "lifecycle/connection_state.h"

#include <algorithm>
#include <cassert>

namespace closewise::lifecycle {

ConnectionState::ConnectionState(Tally& tally, const TimeoutPolicy& policy, TimePoint now) noexcept
    : tally_(tally), policy_(policy), acceptedAt_(now), deadline_(later(now, policy.header)) {
  tally_.onAccepted(phase_);
}

ConnectionState::~ConnectionState() {
  assert(phase_ == Phase::Closed && "a connection must be closed before it is destroyed");
  // Without assertions, still take it off the books so /stats does not show a ghost for ever.
  if (phase_ != Phase::Closed) {
    beginClose(CloseReason::ServerClose, CloseMode::Immediate, closeBegunAt_);
    closed();
  }
}

void ConnectionState::moveTo(Phase to) noexcept {
  tally_.onTransition(phase_, to);
  phase_ = to;
}

void ConnectionState::arm(TimePoint deadline, CloseReason reason) noexcept {
  deadline_ = deadline;
  deadlineReason_ = reason;
}

TimePoint ConnectionState::lingerDeadline(TimePoint now) const noexcept {
  return std::min(later(closingStartedAt_, policy_.linger), later(now, policy_.lingerRead));
}

bool ConnectionState::requestStarted(TimePoint now) noexcept {
  if (phase_ == Phase::Reading) return true;  // the head deadline is total; bytes never extend it
  if (phase_ != Phase::Idle || closeBegun()) return false;
  moveTo(Phase::Reading);
  inBody_ = false;
  arm(later(now, policy_.header), CloseReason::HeaderTimeout);
  return true;
}

bool ConnectionState::headComplete(TimePoint now, bool expectBody) noexcept {
  if (phase_ != Phase::Reading || inBody_) return false;
  ++requestsStarted_;
  tally_.onRequest();
  if (expectBody) {
    inBody_ = true;
    arm(later(now, policy_.body), CloseReason::BodyTimeout);
  } else {
    moveTo(Phase::Processing);
    arm(later(now, policy_.handler), CloseReason::HandlerTimeout);
  }
  return true;
}

bool ConnectionState::bodyProgress(TimePoint now) noexcept {
  if (!readingBody()) return false;
  arm(later(now, policy_.body), CloseReason::BodyTimeout);
  return true;
}

bool ConnectionState::bodyPaused(TimePoint now) noexcept {
  if (!readingBody()) return false;
  arm(later(now, policy_.handler), CloseReason::HandlerTimeout);
  return true;
}

bool ConnectionState::requestComplete(TimePoint now) noexcept {
  if (!readingBody()) return false;
  inBody_ = false;
  moveTo(Phase::Processing);
  arm(later(now, policy_.handler), CloseReason::HandlerTimeout);
  return true;
}

bool ConnectionState::responseStarted(TimePoint now) noexcept {
  switch (phase_) {
    case Phase::Reading:
    case Phase::Processing:
      inBody_ = false;
      moveTo(Phase::Writing);
      break;
    case Phase::HalfClosed:
      if (answerStarted_) return false;
      break;
    default:
      return false;
  }
  answerStarted_ = true;
  arm(later(now, policy_.write), CloseReason::WriteTimeout);
  return true;
}

bool ConnectionState::writeProgress(TimePoint now, bool stillQueued) noexcept {
  if (phase_ == Phase::WebSocket) {
    // The write deadline guards queued output beside the heartbeat, never in its place: taking
    // our bytes is TCP's doing, not the peer's, and says nothing of whether it would answer a
    // ping (RFC 6455 section 5.5.2). A peer that reads a stream but sends nothing is pinged on
    // time, and closed if it does not answer.
    wsOutputQueued_ = stillQueued;
    if (stillQueued) wsWriteDue_ = later(now, policy_.write);
    armWebSocket();
    return true;
  }
  const bool writing = phase_ == Phase::Writing || (phase_ == Phase::HalfClosed && answerStarted_);
  if (!writing) return false;
  arm(later(now, policy_.write), CloseReason::WriteTimeout);
  return true;
}

bool ConnectionState::responseComplete(TimePoint now, bool pipelinedInputPending) noexcept {
  if (phase_ != Phase::Writing || closeBegun()) return false;
  answerStarted_ = false;
  if (pipelinedInputPending) {
    // The next head is timed from the end of this exchange: its bytes may have sat in our
    // buffer for a while, but the peer could not expect us to read them before answering.
    moveTo(Phase::Reading);
    arm(later(now, policy_.header), CloseReason::HeaderTimeout);
  } else {
    moveTo(Phase::Idle);
    arm(later(now, policy_.idle), CloseReason::IdleTimeout);
  }
  return true;
}

bool ConnectionState::upgraded(TimePoint now) noexcept {
  if (phase_ != Phase::Writing || closeBegun()) return false;
  answerStarted_ = false;
  pingOutstanding_ = false;
  wsOutputQueued_ = false;
  moveTo(Phase::WebSocket);
  tally_.onWsUpgrade();
  heartbeat_ = later(now, policy_.wsPingInterval);
  armWebSocket();
  return true;
}

bool ConnectionState::wsReceived(TimePoint now) noexcept {
  if (phase_ == Phase::WsClosing) return true;
  if (phase_ != Phase::WebSocket) return false;
  // Once a close began no ping goes out (it would follow our close frame); see beginClose().
  if (closeBegun()) return true;
  pingOutstanding_ = false;
  heartbeat_ = later(now, policy_.wsPingInterval);
  armWebSocket();
  return true;
}

bool ConnectionState::wsPingSent(TimePoint now) noexcept {
  if (phase_ != Phase::WebSocket || closeBegun()) return false;
  pingOutstanding_ = true;
  heartbeat_ = later(now, policy_.wsPongTimeout);
  armWebSocket();
  return true;
}

bool ConnectionState::wsCloseSent(TimePoint now) noexcept {
  if (phase_ != Phase::WebSocket || !closeBegun()) return false;
  moveTo(Phase::WsClosing);
  pingOutstanding_ = false;
  wsOutputQueued_ = false;
  arm(later(now, policy_.wsCloseTimeout), CloseReason::WsCloseTimeout);
  return true;
}

void ConnectionState::armWebSocket() noexcept {
  if (wsOutputQueued_ && wsWriteDue_ < heartbeat_) {
    arm(wsWriteDue_, CloseReason::WriteTimeout);
  } else {
    arm(heartbeat_, CloseReason::WsPingTimeout);
  }
}

bool ConnectionState::peerFin(TimePoint now) noexcept {
  switch (phase_) {
    case Phase::Processing:
    case Phase::Writing:
      peerFinSeen_ = true;
      peerFinAt_ = now;
      // The deadline is kept: the unfinished work is still timed as it was.
      moveTo(Phase::HalfClosed);
      return true;
    case Phase::HalfClosed:
      return true;
    case Phase::Reading:
    case Phase::Idle:
    case Phase::WebSocket:
    case Phase::WsClosing:
      peerFinSeen_ = true;
      peerFinAt_ = now;
      // Nothing to answer. If a close already began, this keeps its reason and escalates the
      // mode, since the caller now closes at once rather than lingering.
      beginClose(CloseReason::PeerClosed, CloseMode::Immediate, now);
      return false;
    case Phase::Closing:
      if (!peerFinSeen_) {
        peerFinSeen_ = true;
        peerFinAt_ = now;
      }
      return false;
    case Phase::Closed:
    // An inbound connection is never in an outbound phase (lifecycle/outbound_state.h).
    case Phase::Connecting:
    case Phase::Sending:
    case Phase::AwaitingResponse:
    case Phase::Receiving:
      return false;
  }
  return false;
}

bool ConnectionState::beginClose(CloseReason reason, CloseMode mode, TimePoint now) noexcept {
  if (reason == CloseReason::None || phase_ == Phase::Closed) return false;
  if (closeBegun()) {
    closeMode_ = std::max(closeMode_, mode);
    return false;
  }
  closeReason_ = reason;
  closeMode_ = mode;
  closeBegunAt_ = now;
  tally_.onCloseBegun(reason);
  if (phase_ == Phase::WebSocket) {
    // No ping after a close began: it would follow our close frame, or go to a peer we are
    // already cutting off. The close handshake's deadline (wsCloseSent) or our FIN's (finSent)
    // bounds what is left; until then only queued output is timed.
    pingOutstanding_ = false;
    heartbeat_ = TimePoint::max();
    armWebSocket();
  }
  // A graceful close with nothing to answer (idle, or a request not yet complete) goes straight
  // to our FIN; the phase changes only when the FIN is out (finSent). Until then the expired
  // deadline that started the close must not fire again, and the close must still be bounded:
  // the linger deadline covers it from now.
  if (mode == CloseMode::Graceful && (phase_ == Phase::Idle || phase_ == Phase::Reading)) {
    arm(later(now, policy_.linger), CloseReason::LingerTimeout);
  }
  return true;
}

bool ConnectionState::finSent(TimePoint now) noexcept {
  if (!closeBegun() || closeMode_ != CloseMode::Graceful) return false;
  switch (phase_) {
    case Phase::Reading:
    case Phase::Writing:
    case Phase::Idle:
    case Phase::HalfClosed:
    case Phase::WebSocket:
    case Phase::WsClosing:
      break;
    default:
      return false;
  }
  inBody_ = false;
  pingOutstanding_ = false;
  wsOutputQueued_ = false;
  answerStarted_ = false;
  moveTo(Phase::Closing);
  closingStartedAt_ = now;
  arm(lingerDeadline(now), CloseReason::LingerTimeout);
  return true;
}

bool ConnectionState::lingerProgress(TimePoint now) noexcept {
  if (phase_ != Phase::Closing) return false;
  arm(lingerDeadline(now), CloseReason::LingerTimeout);
  return true;
}

void ConnectionState::closed() noexcept {
  if (phase_ == Phase::Closed) return;
  assert(closeBegun() && "closed() without beginClose(): the close reason would be lost");
  if (!closeBegun()) beginClose(CloseReason::ServerClose, CloseMode::Immediate, closeBegunAt_);
  tally_.onClosed(phase_);
  phase_ = Phase::Closed;
  inBody_ = false;
  answerStarted_ = false;
  arm(TimePoint::max(), CloseReason::None);
}

ConnectionState::KeepAliveVerdict ConnectionState::keepAliveVerdict(
    TimePoint now, bool draining, bool peerAskedToClose) const noexcept {
  if (closeBegun()) return {false, closeReason_};
  if (peerFinSeen_) return {false, CloseReason::PeerClosed};
  if (policy_.maxRequestsPerConnection != 0 &&
      requestsStarted_ >= policy_.maxRequestsPerConnection) {
    return {false, CloseReason::MaxRequests};
  }
  if (policy_.maxConnectionAge != Duration::zero() &&
      now - acceptedAt_ >= policy_.maxConnectionAge) {
    return {false, CloseReason::MaxAge};
  }
  if (draining) return {false, CloseReason::Drain};
  if (peerAskedToClose) return {false, CloseReason::ClientRequested};
  return {true, CloseReason::None};
}

void ConnectionState::rebaseDeadline(const TimeoutPolicy& before) noexcept {
  switch (deadlineReason_) {
    case CloseReason::HeaderTimeout:
      deadline_ += policy_.header - before.header;
      break;
    case CloseReason::BodyTimeout:
      deadline_ += policy_.body - before.body;
      break;
    case CloseReason::HandlerTimeout:
      deadline_ += policy_.handler - before.handler;
      break;
    case CloseReason::WriteTimeout:
      if (phase_ == Phase::WebSocket) {
        rebaseWebSocket(before);
        break;
      }
      deadline_ += policy_.write - before.write;
      break;
    case CloseReason::IdleTimeout:
      deadline_ += policy_.idle - before.idle;
      break;
    case CloseReason::WsPingTimeout:
      rebaseWebSocket(before);
      break;
    case CloseReason::WsCloseTimeout:
      deadline_ += policy_.wsCloseTimeout - before.wsCloseTimeout;
      break;
    default:
      break;
  }
}

void ConnectionState::rebaseWebSocket(const TimeoutPolicy& before) noexcept {
  // Both deadlines of a WebSocket move, whichever is armed: the other may be next.
  if (heartbeat_ != TimePoint::max()) {
    heartbeat_ += pingOutstanding_ ? policy_.wsPongTimeout - before.wsPongTimeout
                                   : policy_.wsPingInterval - before.wsPingInterval;
  }
  if (wsOutputQueued_) wsWriteDue_ += policy_.write - before.write;
  armWebSocket();
}

}  // namespace closewise::lifecycle
