// `closewise states` prints what the reader found: JSON a script can parse and a table a person
// can read, both naming every TCP state.
#include "admin/states_command.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "tests/support/loopback_sockets.h"

using namespace closewise::admin;
using namespace closewise::kernel;
using namespace closewise::test;

namespace {

// The same ten states /stats reports: CLOSE and NEW_SYN_RECV never appear in a dump.
constexpr const char* kAllStateNames[] = {"ESTABLISHED", "SYN_SENT",  "SYN_RECV",   "FIN_WAIT1",
                                          "FIN_WAIT2",   "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK",
                                          "LISTEN",      "CLOSING"};

}  // namespace

TEST_CASE("states --json prints one parsable object with every state") {
  LoopbackService service("127.0.0.1", 2, 9);  // backlog 9, so the figure is ours
  REQUIRE(service.ready());
  std::ostringstream out;
  std::ostringstream err;

  REQUIRE(runStatesCommand({.ports = {service.port()}, .json = true}, out, err) == 0);
  CHECK(err.str().empty());

  const auto document = nlohmann::json::parse(out.str());
  CHECK(document["source"] == "sock_diag");
  CHECK(document["ports"] == nlohmann::json::array({service.port()}));
  for (const char* name : kAllStateNames) CHECK(document["tcp_states"].contains(name));
  CHECK(document["tcp_states"].size() == std::size(kAllStateNames));
  CHECK(document["tcp_states"]["ESTABLISHED"] == 2);
  CHECK(document["tcp_states"]["LISTEN"] == 1);
  CHECK(document["tcp_states"]["TIME_WAIT"] == 0);
  REQUIRE(document["listen_queue"].size() == 1);
  CHECK(document["listen_queue"][0]["address"] == "127.0.0.1:" + std::to_string(service.port()));
  CHECK(document["listen_queue"][0]["pending"] == 0);
  CHECK(document["listen_queue"][0]["backlog"] == 9);
  CHECK(document["query_us"].is_number_unsigned());
}

TEST_CASE("states prints a table naming every state, its count and the listen queue") {
  LoopbackService service("127.0.0.1", 2, 9);  // backlog 9, so the figure is ours
  REQUIRE(service.ready());
  std::ostringstream out;
  std::ostringstream err;

  REQUIRE(runStatesCommand({.ports = {service.port()}, .forceProcfs = true}, out, err) == 0);

  const std::string text = out.str();
  INFO(text);
  for (const char* name : kAllStateNames) CHECK(text.find(name) != std::string::npos);
  CHECK(text.find("source procfs") != std::string::npos);
  CHECK(text.find("ESTABLISHED         2") != std::string::npos);
  CHECK(text.find("127.0.0.1:" + std::to_string(service.port())) != std::string::npos);
}

TEST_CASE("states --watch prints one snapshot per interval") {
  LoopbackService service("127.0.0.1", 2, 9);  // backlog 9, so the figure is ours
  REQUIRE(service.ready());
  std::ostringstream out;
  std::ostringstream err;
  const StatesOptions options{.ports = {service.port()},
                              .json = true,
                              .watch = std::chrono::milliseconds(10),
                              .iterations = 2};

  REQUIRE(runStatesCommand(options, out, err) == 0);

  std::istringstream lines(out.str());
  int snapshots = 0;
  for (std::string line; std::getline(lines, line); ++snapshots)
    CHECK(nlohmann::json::parse(line)["tcp_states"]["ESTABLISHED"] == 2);
  CHECK(snapshots == 2);
}

TEST_CASE("states without a port is a usage error") {
  std::ostringstream out;
  std::ostringstream err;
  CHECK(runStatesCommand({}, out, err) == kStatesExitUsage);
  CHECK(out.str().empty());
  CHECK_FALSE(err.str().empty());
}
