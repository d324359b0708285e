// The Node.js peer of the WebSocket benchmark, and the stand-in server that checks the system
// tests' clients themselves: closewise's /ws/echo written with Node's `ws` (Debian's node-ws), the
// way a careful Node service would be.
//
//   GET /ws/echo with Upgrade: websocket   echoes each message with its type (text or binary)
//   anything else                          404
//
// Usage: node bench/node_ws_server.js [--port 0] [--max-message-bytes 1048576]
// Prints "listening on 127.0.0.1:PORT" on stderr once it accepts, which is how the harness finds
// the port it bound when given 0 (as bench/node_server.js does).
//
// Configured as closewise's defaults are: messages of at most 1 MiB (closewise's
// --ws-max-message-bytes; a larger one is refused with 1009), no permessage-deflate (closewise
// negotiates no extension), any Origin. ws sends no pings of its own; closewise's heartbeats
// (one ping after 30 s of silence) cost nothing in a benchmark that sends a message every few
// milliseconds.
//
// On SIGTERM it drains as closewise does: the listener stops, every open WebSocket gets close 1001
// (Going Away), and the process exits 0 once the last close handshake has ended. ws itself ends
// the TCP connection after the handshake, server first (RFC 6455 7.1.1), and destroys a socket
// whose peer does not answer the close within 30 s.
'use strict';

const http = require('node:http');
const {WebSocketServer} = require('ws');

function option(argv, name, fallback) {
  const at = argv.indexOf(name);
  return at >= 0 && at + 1 < argv.length ? Number(argv[at + 1]) : fallback;
}

const server = http.createServer((req, res) => {
  res.writeHead(404, {'Content-Type': 'text/plain'});
  res.end('not found\n');
});

const wss = new WebSocketServer({
  noServer: true,
  maxPayload: option(process.argv, '--max-message-bytes', 1024 * 1024),
  perMessageDeflate: false,
  clientTracking: true,
});

server.on('upgrade', (req, socket, head) => {
  if (new URL(req.url, 'http://localhost').pathname !== '/ws/echo') {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, {binary: isBinary}));
    // A peer's protocol error (a message over maxPayload, say) is emitted here after ws has
    // sent the close frame with its code; without a listener it would end the process.
    ws.on('error', () => {});
  });
});

process.on('SIGTERM', () => {
  server.close();
  if (wss.clients.size === 0) process.exit(0);
  let open = wss.clients.size;
  for (const ws of wss.clients) {
    ws.on('close', () => {
      if (--open === 0) process.exit(0);
    });
    ws.close(1001, 'going away');
  }
});

server.listen({host: '127.0.0.1', port: option(process.argv, '--port', 0), backlog: 511}, () => {
  const {address, port} = server.address();
  process.stderr.write(`listening on ${address}:${port}\n`);
});
