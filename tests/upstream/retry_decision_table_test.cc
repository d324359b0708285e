// The keep-alive race's retry decision, row by row: only a reused connection that failed before
// any response byte, for an idempotent request or one whose body was not sent, and only once.
#include <catch2/catch.hpp>

#include "upstream/retry_policy.h"

using namespace closewise::upstream;

TEST_CASE("the retry decision table", "[retry]") {
  // reused, byteReceived, idempotent, bodySent, alreadyRetried -> retry
  struct Row {
    RetryFacts facts;
    bool retry;
  };
  const Row rows[] = {
      {{true, false, true, false, false}, true},    // the race itself: GET on a reused conn
      {{true, false, true, true, false}, true},     // PUT whose body went out: idempotent
      {{true, false, false, false, false}, true},   // POST with no body sent yet
      {{true, false, false, true, false}, false},   // POST whose body went out: maybe acted on
      {{true, true, true, false, false}, false},    // a response byte came: the upstream saw it
      {{false, false, true, false, false}, false},  // a fresh connection's failure is real
      {{true, false, true, false, true}, false},    // one retry only
  };
  for (const Row& row : rows) {
    INFO("reused=" << row.facts.reusedConnection << " byte=" << row.facts.responseByteReceived
                   << " idempotent=" << row.facts.idempotentMethod << " bodySent="
                   << row.facts.bodySent << " retried=" << row.facts.alreadyRetried);
    CHECK(shouldRetry(row.facts) == row.retry);
  }
}

TEST_CASE("idempotent methods are those of RFC 9110 9.2.2, case-sensitive", "[retry]") {
  for (const char* m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) CHECK(isIdempotent(m));
  for (const char* m : {"POST", "PATCH", "CONNECT", "get", "Put", ""}) CHECK_FALSE(isIdempotent(m));
}
