// POST /uploads: a streamed request body written to disk, at the disk's pace.
#pragma once

#include <string>

#include "server/handler.h"

namespace items {

// Streams the request body into a new file in `directory` ("upload-" and six random letters or
// digits), one asynchronous write at a time, and answers 201 {"bytes": n, "file": name} once the
// body has ended and every byte is on disk. The body is paused while a write is in flight, so
// however large the upload, the service holds one piece of it: the rest waits in the kernel's
// buffers and TCP slows the client down. A client that leaves mid-upload, or a body that fails (too
// large, too slow), leaves no file behind.
void startUpload(const std::string& directory, closewise::server::Responder responder);

}  // namespace items
