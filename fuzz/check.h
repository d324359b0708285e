#pragma once

#include <cstdio>
#include <cstdlib>

// FUZZ_CHECK(condition): an invariant of the code under fuzzing. A violation prints the condition
// and aborts, which libFuzzer reports like a crash and saves the input that caused it. It is a
// macro because the message names the condition as written and the line it is on; assert() would
// do the same but vanishes under NDEBUG, and a fuzz target must check in every build.
#define FUZZ_CHECK(condition)         \
  ((condition) ? static_cast<void>(0) \
               : closewise::fuzz::invariantViolated(#condition, __FILE__, __LINE__))

namespace closewise::fuzz {

[[noreturn]] inline void invariantViolated(const char* condition, const char* file,
                                           int line) noexcept {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, condition);
  std::abort();
}

}  // namespace closewise::fuzz
