// A handler that keeps `const Request&` and reads it after its exchange was cancelled reads
// memory the server has moved on from: the Request lives in the connection's Exchange, and a
// pooled Exchange may already hold another client's request. In an AddressSanitizer build the
// server frees every Exchange instead of pooling it, so the late read is a heap-use-after-free,
// reported by ASan with the stack of the read and of the free. The handler with the bug runs in a
// child process (this binary, running the hidden test case below), because ASan ends the process
// it reports in; the visible test checks the child's report.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "tests/support/fixture.h"

extern char** environ;

using namespace closewise;
using namespace closewise::testing;
using server::Request;
using server::Responder;

namespace {

constexpr const char* kChildTag = "[request_read_after_cancel_child]";

// Runs this test binary on the hidden test case and returns what it printed, and how it ended.
struct ChildRun {
  std::string output;
  int status = 0;
};

ChildRun runChild() {
  int out[2];
  REQUIRE(pipe(out) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  char self[] = "/proc/self/exe";
  char tag[64];
  std::snprintf(tag, sizeof tag, "%s", kChildTag);
  char* argv[] = {self, tag, nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, self, &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  REQUIRE(rc == 0);
  ChildRun run;
  char buffer[4096];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0) break;
    run.output.append(buffer, static_cast<std::size_t>(n));
  }
  close(out[0]);
  REQUIRE(waitpid(pid, &run.status, 0) == pid);
  return run;
}

}  // namespace

TEST_CASE("child: a handler reads its Request after its exchange was cancelled",
          "[.][request_read_after_cancel_child]") {
  const Request* held = nullptr;
  Responder kept;
  bool cancelled = false;
  ServerFixture fixture({}, [&](server::Router& router) {
    router.on("GET", "/hold", [&](const Request& request, Responder responder) {
      held = &request;  // the bug: a reference kept past the exchange
      kept = std::move(responder);
      kept.onCancel([&] { cancelled = true; });
    });
  });
  RawClient& client = fixture.connect();
  client.send(get("/hold?secret=first-client"));
  REQUIRE(fixture.runUntil([&] { return held != nullptr; }));
  client.reset();
  REQUIRE(fixture.runUntil([&] { return cancelled && fixture.tally().open == 0; }));
  const std::string target = held->target;  // after the cancel: freed, or someone else's
  std::printf("read after cancel: %s\n", target.c_str());
}

TEST_CASE("in an ASan build, reading a Request after its exchange was cancelled is reported") {
  if (!server::kAddressSanitizer) {
    WARN("not an AddressSanitizer build: the Exchange pool is on, and nothing reports the read");
    return;
  }
  REQUIRE_FALSE(server::Worker::kPoolsExchanges);
  const ChildRun run = runChild();
  INFO(run.output);
  // The child did not get to finish its test case: ASan stopped it at the read.
  CHECK(run.output.find("read after cancel:") == std::string::npos);
  CHECK_FALSE((WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0));
  CHECK(run.output.find("ERROR: AddressSanitizer: heap-use-after-free") != std::string::npos);
  // What was freed is the connection's Exchange, the home of the Request.
  CHECK(run.output.find("closewise::server::Exchange::~Exchange") != std::string::npos);
}
