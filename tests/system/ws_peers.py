"""What the WebSocket system tests share: the server they run, its books, and where TIME_WAIT lands.

Each ws_*_test.py takes closewise's path, as every system test does. Given the path of
bench/node_ws_server.js instead, it runs that server (Node's ws, an implementation many services
trust) in closewise's place: that is how the tests' own clients were checked before closewise
spoke WebSocket, and how a doubt about a client rather than the server is settled. The checks
that read closewise's books (/stats) are left out then, since Node keeps none.

The real clients come from Debian: python3-websockets, Node's ws (node-ws, found through
NODE_PATH=/usr/share/nodejs) and Chromium (deploy/install-deps.sh --with-system-tests).
"""

import json
import os
import re
import subprocess
from pathlib import Path

from closewise_process import Closewise, get, wait_until

REPO = Path(__file__).resolve().parents[2]
NODE_WS_SERVER = REPO / "bench" / "node_ws_server.js"
NODE_PATH = "/usr/share/nodejs"


class NodeWsEcho(Closewise):
    """bench/node_ws_server.js, run where a test would run closewise. It has no admin port."""

    listening = re.compile(r"listening on 127\.0\.0\.1:(\d+)()")

    def __init__(self, script, max_message_bytes=None):
        argv = ["node", str(script)]
        if max_message_bytes is not None:
            argv += ["--max-message-bytes", str(max_message_bytes)]
        self._start(argv, env=dict(os.environ, NODE_PATH=NODE_PATH))


def websocket_server(path, *flags, max_message_bytes=None):
    """closewise serving /ws/echo with these flags, or Node's ws if path is a .js file."""
    if str(path).endswith(".js"):
        return NodeWsEcho(path, max_message_bytes)
    if max_message_bytes is not None:
        flags += ("--ws-max-message-bytes", str(max_message_bytes))
    return Closewise(path, *flags)


def echo_url(server):
    return f"ws://127.0.0.1:{server.port}/ws/echo"


def stats(server):
    """closewise's /stats as a dict, or None for a server without books."""
    if server.admin_port is None:
        return None
    status, _, body = get(server.admin_port, "/stats")
    if status != 200:
        raise RuntimeError(f"/stats answered {status}")
    return json.loads(body)


def websocket_totals(server):
    """/stats totals.websocket (upgrades, rejected, messages and bytes each way, closed_by_code),
    or None for a server without books."""
    books = stats(server)
    return None if books is None else books["totals"]["websocket"]


def time_waits():
    """Every loopback TIME_WAIT the kernel holds, as (local port, peer port) pairs."""
    out = subprocess.run(["ss", "-Htan", "state", "time-wait"], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    pairs = []
    for line in out.splitlines():
        fields = line.split()
        local, peer = fields[-2], fields[-1]
        if local.startswith("127.0.0.1:") and peer.startswith("127.0.0.1:"):
            pairs.append((int(local.rsplit(":", 1)[1]), int(peer.rsplit(":", 1)[1])))
    return pairs


def who_closed_first(server_port, client_port, limit_s=5.0):
    """'server' or 'client': the end whose socket holds the TIME_WAIT of this connection (the end
    that sent the first FIN, RFC 9293 3.6), or 'neither' if none shows within limit_s."""
    found = []

    def shows():
        pairs = set(time_waits())
        if (server_port, client_port) in pairs:
            found.append("server")
        elif (client_port, server_port) in pairs:
            found.append("client")
        return bool(found)

    return found[0] if wait_until(shows, limit_s, 0.05) else "neither"
