// The program's log: spdlog's default logger, which every module writes to, set up once here.
//
// Lines go to stderr through an asynchronous logger: a loop hands its line to a queue and goes
// on, and a thread of its own writes it, so a slow terminal or a full pipe to journald never
// stalls a worker. When the queue is full (a burst of access-log lines the sink cannot take)
// the oldest waiting lines are dropped rather than the loop made to wait.
//
// Two formats, both with the time in UTC as RFC 3339 with its offset and the level named as
// --log-level names it (warn, not warning):
//   text  2026-12-05T19:30:00.123+00:00 info conn=7 peer=10.0.0.5:51234 ...
//   json  {"time":"2026-12-05T19:30:00.123+00:00","level":"info","msg":"conn=7 peer=...",
//          "conn":7,"peer":"10.0.0.5:51234",...}
// In JSON every key=value (or key="value") of the message is a field of its own as well: log
// lines write the connection as conn=, the peer as peer=, the phase as phase=, the close reason
// as reason=, so a pipeline finds them under the same names on every line.
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string_view>

namespace closewise::app {

// `level` is one of --log-level's words, `format` "text" or "json" (both checked by their rows).
void setUpLogging(std::string_view level, std::string_view format);
// Writes what is still queued and stops the logging thread; call before the process exits.
void finishLogging();

// The formatters setUpLogging installs, for tests.
std::unique_ptr<spdlog::formatter> textFormatter();
std::unique_ptr<spdlog::formatter> jsonFormatter();

}  // namespace closewise::app
