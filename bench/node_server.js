// The Node.js peer of the benchmark: the same two routes closewise's demo serves that the
// benchmark uses, written the way a careful Node service would be.
//
//   GET /             200 "hello from closewise\n" (21 bytes, text/plain), the body closewise sends
//   GET /delay?ms=N   200 "delayed\n" after N ms (N at most 60000), for the drain scenario
//
// Usage: node bench/node_server.js [--port 0]
// Prints "listening on 127.0.0.1:PORT" on stderr once it accepts, which is how the harness finds
// the port it bound when given 0.
//
// On SIGTERM it drains the way Node documents: server.close() stops accepting and, since Node 19,
// closes idle keep-alive connections; closeIdleConnections() is called as well to say so out loud.
// Responses still in flight are sent with "Connection: close" so their connections end after the
// answer (RFC 9112 section 9.6), and the process exits when the last connection has closed: Node
// itself has no drain deadline, so this server has none either.
'use strict';

const http = require('node:http');

const kBody = 'hello from closewise\n';
const kMaxDelayMs = 60000;

function parsePort(argv) {
  const at = argv.indexOf('--port');
  return at >= 0 && at + 1 < argv.length ? Number(argv[at + 1]) : 0;
}

let draining = false;

function reply(res, body) {
  const headers = {'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body)};
  if (draining) headers.Connection = 'close';
  res.writeHead(200, headers);
  res.end(body);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/') {
    reply(res, kBody);
    return;
  }
  if (req.method === 'GET' && url.pathname === '/delay') {
    const ms = Number(url.searchParams.get('ms'));
    if (!Number.isInteger(ms) || ms < 0 || ms > kMaxDelayMs) {
      res.writeHead(400, {'Content-Type': 'text/plain'});
      res.end('ms must be an integer from 0 to 60000\n');
      return;
    }
    setTimeout(() => reply(res, 'delayed\n'), ms);
    return;
  }
  res.writeHead(404, {'Content-Type': 'text/plain'});
  res.end('not found\n');
});

// The benchmark holds 10,000 idle keep-alive connections for tens of seconds; Node's default
// keepAliveTimeout (5 s) would close them under the measurement. closewise's and nginx's idle
// timeouts are raised the same way. headersTimeout only bounds a request head being received, so
// it does not touch idle connections.
server.keepAliveTimeout = 600 * 1000;
// Unlimited requests per connection, like nginx's very high keepalive_requests.
server.maxRequestsPerSocket = 0;

process.on('SIGTERM', () => {
  draining = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});

server.listen({host: '127.0.0.1', port: parsePort(process.argv), backlog: 511}, () => {
  const {address, port} = server.address();
  process.stderr.write(`listening on ${address}:${port}\n`);
});
