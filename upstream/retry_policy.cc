#include "upstream/retry_policy.h"

namespace closewise::upstream {

bool shouldRetry(const RetryFacts& facts) noexcept {
  if (facts.alreadyRetried || !facts.reusedConnection || facts.responseByteReceived) return false;
  if (!facts.bodySent) return true;
  return facts.idempotentMethod && facts.bodyKept;
}

bool isIdempotent(std::string_view method) noexcept {
  for (const std::string_view m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
    if (method == m) return true;
  }
  return false;
}

}  // namespace closewise::upstream
