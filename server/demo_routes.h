// The demo routes that ship with the server. Tests, benchmarks and docs use them, and they are
// the worked examples of the handler API: an immediate answer (/), a body (/echo), an answer
// after a timer (/delay), a large body produced as the socket drains (/bytes), a chunked
// stream (/stream), and a WebSocket (/ws/echo). Each asynchronous one shows the pattern a fork should copy: the handler's
// state owns its libuv handle and its Responder, and is freed in the handle's close callback,
// whether the exchange finished or was cancelled.
#pragma once

#include "server/router.h"

namespace closewise::server {

void registerDemoRoutes(Router& router);

}  // namespace closewise::server
