#!/usr/bin/env python3
"""SIGTERM with 1,000 WebSockets open: each is told Going Away, and each TCP close is clean.

1,000 clients open /ws/echo and wait. On SIGTERM every one must receive a close frame with code
1001 (RFC 6455 7.4.1); it answers with its own close, as a client does, and then must see the
server's FIN, not a reset. The process exits 0 well within --drain-timeout, with nothing reset at
the deadline, and the 1,000 TIME_WAITs are on the server's port (RFC 6455 7.1.1: the server
closes TCP first), none on the clients' ports.

The clients are a few lines of asyncio over raw sockets, not a WebSocket library: a library
hides whether its connection ended in a FIN or a reset, which is the point here.
Usage: ws_drain_1000_test.py CLOSEWISE (or bench/node_ws_server.js, see ws_peers.py)
"""

import asyncio
import base64
import hashlib
import os
import signal
import struct
import sys
import time
from collections import Counter

from closewise_process import Check
from ws_peers import stats, time_waits, websocket_server

CLIENTS = 1000
DRAIN_TIMEOUT_S = 20
CONNECTING_AT_ONCE = 100  # within the listen backlog, so no SYN is dropped and retried
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 1.3


async def open_websocket(port, gate):
    """A connection to /ws/echo after its handshake: (reader, writer, the client's port)."""
    async with gate:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(f"GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                     "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                     f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode("latin-1")
    accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    if not head.startswith("HTTP/1.1 101") or accept not in head:
        raise RuntimeError(f"not a WebSocket handshake: {head!r}")
    return reader, writer, writer.get_extra_info("sockname")[1]


async def await_close(reader, writer):
    """Reads frames until the server's close, answers it, then reads to the end of the stream.
    Returns (the close code received, 'eof' or 'reset')."""
    code = None
    try:
        while code is None:
            first, second = await reader.readexactly(2)
            # A server's control frames are unmasked and at most 125 bytes (RFC 6455 5.5).
            payload = await reader.readexactly(second & 0x7F)
            if first & 0x0F == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
        # Our close echoes the code, masked as every client frame must be (RFC 6455 5.3).
        mask = os.urandom(4)
        body = struct.pack("!H", code)
        writer.write(bytes([0x88, 0x80 | len(body)]) + mask +
                     bytes(b ^ mask[i % 4] for i, b in enumerate(body)))
        while await reader.read(65536):
            pass
        return code, "eof"
    except ConnectionResetError:
        return code, "reset"
    except asyncio.IncompleteReadError:
        return code, "eof before a close frame"
    finally:
        writer.close()


async def drain(check, server):
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    sockets = await asyncio.gather(*(open_websocket(server.port, gate) for _ in range(CLIENTS)))
    check(len(sockets) == CLIENTS, f"{CLIENTS} WebSockets open")
    books = stats(server)
    if books is not None:
        in_phase = books["connections"]["by_state"].get("websocket")
        check(in_phase == CLIENTS, f"/stats holds {CLIENTS} in phase websocket ({in_phase})")
    closes = [asyncio.create_task(await_close(r, w)) for r, w, _ in sockets]
    signalled = time.monotonic()
    server.signal(signal.SIGTERM)
    ends = await asyncio.wait_for(asyncio.gather(*closes), DRAIN_TIMEOUT_S)
    return signalled, ends, {port for _, _, port in sockets}


def main(server_path):
    check = Check("ws drain 1000")
    with websocket_server(server_path, "--drain-timeout", f"{DRAIN_TIMEOUT_S}s") as server:
        signalled, ends, client_ports = asyncio.run(drain(check, server))
        codes = Counter(code for code, _ in ends)
        check(codes == {1001: CLIENTS}, f"every client got close 1001 ({dict(codes)})")
        how = Counter(end for _, end in ends)
        check(how == {"eof": CLIENTS}, f"every TCP connection ended in a FIN, none reset ({how})")
        status = server.wait(DRAIN_TIMEOUT_S)
        took = time.monotonic() - signalled
        check(status == 0, f"the process exits 0 ({status})")
        check(took < DRAIN_TIMEOUT_S / 4,
              f"it exits {took:.1f} s after SIGTERM, well within the {DRAIN_TIMEOUT_S} s deadline")
        if server.admin_port is not None:
            check("0 reset at the drain deadline" in server.log(), "nothing reset at the deadline")
        pairs = time_waits()
        ours = sum(1 for local, peer in pairs if local == server.port and peer in client_ports)
        theirs = sum(1 for local, peer in pairs if local in client_ports and peer == server.port)
        check(ours == CLIENTS and theirs == 0,
              f"the TIME_WAITs are the server's: {ours} on its port, {theirs} on clients' ports")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
