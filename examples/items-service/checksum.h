// GET /uploads/{file}/sha256: blocking work (reading a file whole and hashing it) done off the
// loop.
#pragma once

#include <string>

#include "server/handler.h"

namespace items {

// Answers 200 {"file", "bytes", "sha256"} for a file POST /uploads stored in `directory`, 404 for
// a name it could not have made. The read and the hash run on libuv's thread pool (offload()), so
// a large file holds up no other request of the worker; a client that leaves before the job
// starts takes it off the queue.
void startChecksum(const std::string& directory, const closewise::server::Request& request,
                   closewise::server::Responder responder);

}  // namespace items
