#!/usr/bin/env python3
"""/ws/echo with Node's ws (Debian's node-ws) as the client.

ws_node_client.js sends a text and a binary message and closes with 1000 once both are back.
Expected: both come back as sent and with their type; the server answers close 1000; the server
ends TCP first (RFC 6455 7.1.1), so the TIME_WAIT is on its port; closewise's books count the
upgrade, two messages each way and one close 1000.

ws's client does not wait for the server's FIN: it ends TCP itself as soon as it holds the
server's close frame (close() in ws/lib/websocket.js). The server still closes first if its FIN
is already there by then: closewise has to send it right behind its close frame. ws's own
server sends it a tick later and loses that race to its client about one time in three, so
against it the TIME_WAIT is not checked.
Usage: ws_node_client_test.py CLOSEWISE (or bench/node_ws_server.js, see ws_peers.py)
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from closewise_process import Check
from ws_peers import (NODE_PATH, NodeWsEcho, echo_url, websocket_server, websocket_totals,
                      who_closed_first)

CLIENT = Path(__file__).resolve().parent / "ws_node_client.js"


def main(server_path):
    check = Check("ws node client")
    with websocket_server(server_path) as server:
        done = subprocess.run(["node", str(CLIENT), echo_url(server)], capture_output=True,
                              text=True, timeout=30, env=dict(os.environ, NODE_PATH=NODE_PATH))
        if not check(done.returncode == 0, f"the node client ends cleanly ({done.returncode}: "
                     f"{done.stderr.strip()})"):
            return check.finish(server)
        result = json.loads(done.stdout)
        check(result["text"] == "same", f"the text message comes back as text ({result['text']})")
        check(result["binary"] == "same",
              f"the binary message comes back as binary ({result['binary']})")
        check(result["closeCode"] == 1000,
              f"close 1000 is answered with 1000 ({result['closeCode']})")
        if not isinstance(server, NodeWsEcho):
            closer = who_closed_first(server.port, result["clientPort"])
            check(closer == "server",
                  f"the server closed TCP first: TIME_WAIT on its port ({closer})")
        totals = websocket_totals(server)
        if totals is not None:
            check(totals["upgrades"] == 1, f"/stats counts the upgrade ({totals['upgrades']})")
            check(totals["messages_in"] == 2 and totals["messages_out"] == 2,
                  f"/stats counts 2 messages each way "
                  f"(in {totals['messages_in']}, out {totals['messages_out']})")
            check(totals["closed_by_code"].get("1000") == 1,
                  f"/stats counts the close 1000 ({totals['closed_by_code']})")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
