// The keep-alive race's retry decision, row by row: only a reused connection that failed before
// any response byte, for a request whose body was not sent, or an idempotent one whose whole body
// we still hold, and only once. A streamed body that began to go out is never retried.
#include <catch2/catch.hpp>

#include "upstream/retry_policy.h"

using namespace closewise::upstream;

TEST_CASE("the retry decision table", "[retry]") {
  // reused, byteReceived, idempotent, bodySent, bodyKept, alreadyRetried -> retry
  struct Row {
    RetryFacts facts;
    bool retry;
  };
  const Row rows[] = {
      {{true, false, true, false, true, false}, true},   // the race itself: GET on a reused conn
      {{true, false, true, true, true, false}, true},    // PUT whose body went out: idempotent
      {{true, false, false, false, true, false}, true},  // POST with no body sent yet
      {{true, false, false, true, true, false}, false},  // POST whose body went out: maybe acted on
      {{true, true, true, false, true, false}, false},  // a response byte came: the upstream saw it
      {{false, false, true, false, true, false}, false},  // a fresh connection's failure is real
      {{true, false, true, false, true, true}, false},    // one retry only
      // Streamed bodies: the bytes sent are gone, so an idempotent method is not enough.
      {{true, false, true, true, false, false}, false},   // streamed PUT, body begun: not retried
      {{true, false, false, false, false, false}, true},  // streamed POST, nothing of it sent yet
      {{true, false, true, false, false, false}, true},   // streamed PUT, nothing of it sent yet
  };
  for (const Row& row : rows) {
    INFO("reused=" << row.facts.reusedConnection << " byte=" << row.facts.responseByteReceived
                   << " idempotent=" << row.facts.idempotentMethod
                   << " bodySent=" << row.facts.bodySent << " bodyKept=" << row.facts.bodyKept
                   << " retried=" << row.facts.alreadyRetried);
    CHECK(shouldRetry(row.facts) == row.retry);
  }
}

TEST_CASE("idempotent methods are those of RFC 9110 9.2.2, case-sensitive", "[retry]") {
  for (const char* m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) CHECK(isIdempotent(m));
  for (const char* m : {"POST", "PATCH", "CONNECT", "get", "Put", ""}) CHECK_FALSE(isIdempotent(m));
}
