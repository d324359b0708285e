#!/usr/bin/env python3
"""GET /metrics counts WebSockets in the closewise_websocket_* families, and passes promtool.

Two WebSockets to /ws/echo: one exchanges three messages and closes with 1000, the other stays
open. Expected in /metrics, read with Prometheus' own `promtool check metrics` (exit 0) and then
sample by sample: closewise_websocket_connections 1 (the one still open),
closewise_websocket_messages_total 3 in each direction, closewise_websocket_closes_total 1 for
code 1000, and the upgrades counted.
Usage: ws_metrics_promtool_test.py CLOSEWISE
"""

import asyncio
import re
import shutil
import subprocess
import sys
import time

import websockets

from closewise_process import Check, get
from ws_peers import echo_url, websocket_server


def sample(text, name, labels=""):
    pattern = re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + r"$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


def metrics_once(server, ready):
    """/metrics, read until ready(text) holds (a worker counts a close once its handle is closed,
    just after the client sees it), at most 5 s."""
    text = ""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        text = get(server.admin_port, "/metrics")[2].decode()
        if ready(text):
            break
        time.sleep(0.05)
    return text


async def traffic(url, measure):
    async with websockets.connect(url, ping_interval=None):
        async with websockets.connect(url, ping_interval=None) as ws:
            for i in range(3):
                await ws.send(f"message {i}")
                await ws.recv()
        # The first is still open while /metrics is read.
        return await asyncio.to_thread(measure)


def main(binary):
    check = Check("ws metrics promtool")
    if shutil.which("promtool") is None:
        print("promtool is not installed (Debian package prometheus; deploy/install-deps.sh "
              "--with-system-tests installs it)")
        return 1
    with websocket_server(binary) as server:
        text = asyncio.run(traffic(echo_url(server), lambda: metrics_once(
            server, lambda t: sample(t, "closewise_websocket_closes_total", 'code="1000"') == 1)))
        done = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                              text=True, timeout=30)
        said = (done.stdout + done.stderr).strip()
        check(done.returncode == 0, f"promtool check metrics exits 0 ({done.returncode}: {said})")
        for name, labels, want in (
                ("closewise_websocket_connections", "", 1),
                ("closewise_websocket_upgrades_total", "", 2),
                ("closewise_websocket_messages_total", 'direction="in"', 3),
                ("closewise_websocket_messages_total", 'direction="out"', 3),
                ("closewise_websocket_closes_total", 'code="1000"', 1),
                ("closewise_websocket_closes_total", 'code="1006"', 0)):
            got = sample(text, name, labels)
            check(got == want, f"{name}{{{labels}}} is {want} ({got})")
        for family in ("closewise_websocket_connections", "closewise_websocket_messages_total",
                       "closewise_websocket_closes_total"):
            check(f"# TYPE {family} " in text, f"{family} has its TYPE line")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
