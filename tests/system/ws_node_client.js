// The Node client of ws_node_client_test.py: Node's ws (Debian's node-ws) against /ws/echo.
//
// Usage: NODE_PATH=/usr/share/nodejs node ws_node_client.js ws://127.0.0.1:PORT/ws/echo
// Sends a text and a binary message, closes with 1000 once both have come back, and prints one
// JSON line on stdout when the TCP connection has ended: what came back, the close code the
// server answered with, and the client's port (for the TIME_WAIT check). Exits 1 on any error,
// and after 10 s whatever happened.
'use strict';

const WebSocket = require('ws');

const kText = 'hello from node, ünïcödé ✓';
const kBinary = Buffer.from([0, 1, 2, 253, 254, 255]);

const result = {text: null, binary: null, closeCode: null, clientPort: null};
const ws = new WebSocket(process.argv[2], {perMessageDeflate: false});
setTimeout(() => {
  process.stderr.write('no clean end within 10 s\n');
  process.exit(1);
}, 10000).unref();

ws.on('open', () => {
  result.clientPort = ws._socket.localPort;
  ws.send(kText);
  ws.send(kBinary);
});
ws.on('message', (data, isBinary) => {
  if (isBinary) {
    result.binary = Buffer.compare(data, kBinary) === 0 ? 'same' : data.toString('hex');
  } else {
    result.text = data.toString() === kText ? 'same' : data.toString();
  }
  if (result.text !== null && result.binary !== null) ws.close(1000, 'done');
});
ws.on('close', (code) => {
  result.closeCode = code;
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
});
ws.on('error', (err) => {
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(1);
});
