// Something a program keeps on each worker loop beside the connections: a pool of outbound
// connections, a cache with its own timer. The server knows nothing of what it is; it makes one
// per worker, tells it when the worker stops taking connections, and has it close its handles
// before the worker's loop ends.
//
// A companion's handles live on the worker's loop, so the loop cannot end, and the worker is not
// reported finished, until the companion has closed them all: a process that exits 0 left no
// socket of a companion open (Server::run()).
#pragma once

#include <uv.h>

#include <functional>
#include <vector>

#include "server/connection_info.h"

namespace closewise::server {

struct WorkerCompanion {
  // The worker's drain has reached the stage where it takes no new connection (the end of
  // --drain-delay): give up what is idle, finish what is in flight. On the worker's thread.
  std::function<void()> drain;
  // The worker is done (its drain finished, or it was stopped at once): close every handle now.
  // The loop runs until their close callbacks have run. On the worker's thread.
  std::function<void()> close;
  // Appends the companion's own connections (outbound ones, say) to a /connections walk, so an
  // operator sees both directions in one list. On the worker's thread, where the companion's
  // sockets cannot close under the walk. May be empty: the companion has none to show.
  std::function<void(std::vector<ConnectionInfo>&)> listConnections;
};

// Makes the companion of one worker, given its loop and its index. Called for each worker once
// its loop is open and before its thread starts, so the handles it opens are in place before the
// worker accepts its first connection, and whatever it records is complete before any worker
// thread runs.
using WorkerCompanionFactory = std::function<WorkerCompanion(uv_loop_t* loop, unsigned index)>;

}  // namespace closewise::server
