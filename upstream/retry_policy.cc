#include "upstream/retry_policy.h"

namespace closewise::upstream {

bool shouldRetry(const RetryFacts& facts) noexcept {
  if (facts.alreadyRetried || !facts.reusedConnection || facts.responseByteReceived) return false;
  return facts.idempotentMethod || !facts.bodySent;
}

bool isIdempotent(std::string_view method) noexcept {
  for (const std::string_view m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
    if (method == m) return true;
  }
  return false;
}

}  // namespace closewise::upstream
