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
    const bool wasQueued = wsOutputQueued_;
    wsOutputQueued_ = stillQueued;
    if (stillQueued) {
      arm(later(now, policy_.write), CloseReason::WriteTimeout);
    } else if (wasQueued) {
      // The peer just took what waited on it, so it is there: the heartbeat counts from now.
      // (Counting from its old start would also file it out of order in its deadline list.)
      armHeartbeat(later(now, pingOutstanding_ ? policy_.wsPongTimeout : policy_.wsPingInterval));
    }
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
  armHeartbeat(later(now, policy_.wsPingInterval));
  return true;
}

bool ConnectionState::wsReceived(TimePoint now) noexcept {
  if (phase_ == Phase::WsClosing) return true;
  if (phase_ != Phase::WebSocket) return false;
  pingOutstanding_ = false;
  armHeartbeat(later(now, policy_.wsPingInterval));
  return true;
}

bool ConnectionState::wsPingSent(TimePoint now) noexcept {
  if (phase_ != Phase::WebSocket) return false;
  pingOutstanding_ = true;
  armHeartbeat(later(now, policy_.wsPongTimeout));
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

void ConnectionState::armHeartbeat(TimePoint deadline) noexcept {
  heartbeat_ = deadline;
  if (!wsOutputQueued_) arm(deadline, CloseReason::WsPingTimeout);
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
      deadline_ += policy_.write - before.write;
      break;
    case CloseReason::IdleTimeout:
      deadline_ += policy_.idle - before.idle;
      break;
    case CloseReason::WsPingTimeout:
      heartbeat_ += pingOutstanding_ ? policy_.wsPongTimeout - before.wsPongTimeout
                                     : policy_.wsPingInterval - before.wsPingInterval;
      deadline_ = heartbeat_;
      break;
    case CloseReason::WsCloseTimeout:
      deadline_ += policy_.wsCloseTimeout - before.wsCloseTimeout;
      break;
    default:
      break;
  }
}

}  // namespace closewise::lifecycle
