#!/usr/bin/env python3
"""/ws/echo with Python's websockets (Debian's python3-websockets) as the client.

One connection exchanges a text message (not ASCII), a binary one, a text message sent in 50
fragments, and a ping; each comes back as sent, the ping as a pong with its payload. Its close
1000 is answered with close 1000, and the server ends TCP first (RFC 6455 7.1.1): the TIME_WAIT
is on the server's port, not on the client's. A second connection sends a message one byte over
--ws-max-message-bytes and is closed with 1009; a third is still echoed after. closewise's books
count it all: three upgrades, the messages each way, two closes 1000 and one 1009.
Usage: ws_python_client_test.py CLOSEWISE (or bench/node_ws_server.js, see ws_peers.py)
"""

import asyncio
import sys

import websockets

from closewise_process import Check
from ws_peers import echo_url, websocket_server, websocket_totals, who_closed_first

MAX_MESSAGE = 256 * 1024
FRAGMENTS = ["fragment %02d é€😀 " % i + "x" * 4000 for i in range(50)]


async def exchange(check, url, server_port):
    """The echo connection; returns the number of data messages sent (and echoed)."""
    async with websockets.connect(url, ping_interval=None, max_size=4 * MAX_MESSAGE) as ws:
        client_port = ws.transport.get_extra_info("sockname")[1]
        await ws.send("héllo, wörld €")
        check(await ws.recv() == "héllo, wörld €",
              "a text message comes back as text, unchanged")
        await ws.send(bytes(range(256)))
        check(await ws.recv() == bytes(range(256)), "a binary message comes back as binary")
        await ws.send(FRAGMENTS)  # an iterable is sent as one message, a frame per item
        echoed = await ws.recv()
        check(echoed == "".join(FRAGMENTS),
              f"a text message in {len(FRAGMENTS)} fragments comes back whole "
              f"({len(echoed)} of {len(''.join(FRAGMENTS))} characters)")
        pong = await ws.ping(b"are you there")
        try:
            await asyncio.wait_for(pong, 5)
            check(True, "a ping is answered by a pong with its payload")
        except asyncio.TimeoutError:
            check(False, "a ping is answered by a pong with its payload (none within 5 s)")
        await ws.close(1000, "done")
        check(ws.close_code == 1000, f"close 1000 is answered with 1000 ({ws.close_code})")
    closer = who_closed_first(server_port, client_port)
    check(closer == "server", f"the server closed TCP first: TIME_WAIT on its port ({closer})")
    return 3


async def too_big(check, url):
    async with websockets.connect(url, ping_interval=None, max_size=4 * MAX_MESSAGE) as ws:
        await ws.send(b"\0" * (MAX_MESSAGE + 1))
        try:
            await asyncio.wait_for(ws.recv(), 10)
            check(False, "a message over --ws-max-message-bytes is refused (it was echoed)")
        except websockets.ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
            check(code == 1009, f"a message over --ws-max-message-bytes is closed 1009 ({code})")


async def still_echoes(check, url):
    try:
        async with websockets.connect(url, ping_interval=None) as ws:
            await ws.send("still there?")
            check(await asyncio.wait_for(ws.recv(), 5) == "still there?",
                  "after the 1009 a new connection is echoed")
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as error:
        check(False, f"after the 1009 a new connection is echoed ({error})")


def main(server_path):
    check = Check("ws python client")
    with websocket_server(server_path, max_message_bytes=MAX_MESSAGE) as server:
        url = echo_url(server)
        echoed = asyncio.run(exchange(check, url, server.port))
        asyncio.run(too_big(check, url))
        asyncio.run(still_echoes(check, url))
        totals = websocket_totals(server)
        if totals is not None:
            check(totals["upgrades"] == 3, f"/stats counts 3 upgrades ({totals['upgrades']})")
            check(totals["messages_in"] == echoed + 1 and totals["messages_out"] == echoed + 1,
                  f"/stats counts {echoed + 1} messages each way "
                  f"(in {totals['messages_in']}, out {totals['messages_out']})")
            codes = totals["closed_by_code"]
            check(codes.get("1000") == 2 and codes.get("1009") == 1,
                  f"/stats counts two closes 1000 and one 1009 ({codes})")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
