#!/usr/bin/env python3
"""/ws/echo from a page in headless Chromium, while closewise's books and dashboard show it.

ws_echo_page.html, opened from a file:// URL (so the browser sends Origin: null, which /ws/echo
accepts), opens SOCKETS WebSockets and sends MESSAGES messages on each, text and binary in turn,
checking every echo. It puts its result in its title and keeps the sockets open; the test reads
the title through the DevTools HTTP endpoint (/json/list), so no browser automation library is
needed. Expected: every socket opened, every message came back the same, no error; closewise's
/stats holds SOCKETS connections in phase websocket and counts SOCKETS x MESSAGES messages each
way, and /connections?state=websocket lists each with its messages; the dashboard, loaded in a
second browser while the sockets are open, shows them: the websocket phase's count, and its
WebSocket panel's open, upgrades and messages. Set WS_DASHBOARD_SCREENSHOT=/tmp/ws.png to keep
a screenshot of it to look at.
Usage: ws_chromium_test.py CLOSEWISE [CHROMIUM] (or bench/node_ws_server.js, see ws_peers.py)
"""

import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from closewise_process import Check, get, wait_until
from ws_peers import stats, websocket_server, websocket_totals

PAGE = Path(__file__).resolve().parent / "ws_echo_page.html"
SOCKETS = 8
MESSAGES = 25
QUIET = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def page_title(profile):
    """The page's title, read from the DevTools endpoint the browser wrote into its profile."""
    try:
        port = (profile / "DevToolsActivePort").read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as answer:
            targets = json.load(answer)
    except (OSError, ValueError, IndexError):
        return ""
    # The endpoint escapes titles as HTML text.
    return html.unescape(next((t["title"] for t in targets if t.get("type") == "page"), ""))


def dashboard_dom(chromium, admin_port, work, screenshot):
    """The dashboard's DOM once its script has rendered /stats; a screenshot too if asked."""
    browse = [chromium, *QUIET, f"--user-data-dir={tempfile.mkdtemp(dir=work)}",
              "--virtual-time-budget=5000"]
    url = f"http://127.0.0.1:{admin_port}/"
    if screenshot:
        subprocess.run(browse + [f"--screenshot={screenshot}", "--window-size=1400,1400", url],
                       capture_output=True, timeout=90)
    return subprocess.run(browse + ["--dump-dom", url], capture_output=True, text=True,
                          timeout=90).stdout


def data_count(dom, element_id):
    found = re.search(r'<[^<>]* id="' + element_id + r'"[^<>]*>', dom)
    count = found and re.search(r'data-count="(\d+)"', found.group(0))
    return int(count.group(1)) if count else None


def check_books(check, server, chromium, work):
    by_state = stats(server)["connections"]["by_state"]
    check(by_state.get("websocket") == SOCKETS,
          f"/stats by_state holds {SOCKETS} in phase websocket ({by_state})")
    totals = websocket_totals(server)
    want = SOCKETS * MESSAGES
    check(totals["upgrades"] == SOCKETS, f"/stats counts {SOCKETS} upgrades ({totals['upgrades']})")
    check(totals["messages_in"] == want and totals["messages_out"] == want,
          f"/stats counts {want} messages each way "
          f"(in {totals['messages_in']}, out {totals['messages_out']})")
    status, _, body = get(server.admin_port, "/connections?state=websocket")
    listed = json.loads(body) if status == 200 else []
    counts = sorted((c["websocket"] or {}).get("messages_in") for c in listed)
    check(counts == [MESSAGES] * SOCKETS,
          f"/connections?state=websocket lists {SOCKETS}, each with {MESSAGES} messages in "
          f"({status}: {counts})")
    screenshot = os.environ.get("WS_DASHBOARD_SCREENSHOT")
    dom = dashboard_dom(chromium, server.admin_port, work, screenshot)
    for element, expected in (("phase-websocket", SOCKETS), ("ws-open", SOCKETS),
                              ("ws-upgrades", SOCKETS), ("ws-messages-in", want),
                              ("ws-messages-out", want)):
        shown = data_count(dom, element)
        check(shown == expected, f"the dashboard's #{element} shows {expected} ({shown})")
    if screenshot:
        print(f"dashboard screenshot: {screenshot}")


def main(server_path, chromium=None):
    check = Check("ws chromium")
    chromium = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("SKIP: no chromium (deploy/install-deps.sh --with-system-tests installs it)")
        return 77
    work = Path(tempfile.mkdtemp(prefix="ws-chromium-"))
    browser = None
    try:
        with websocket_server(server_path) as server:
            profile = work / "page-profile"
            url = f"{PAGE.as_uri()}?port={server.port}&sockets={SOCKETS}&messages={MESSAGES}"
            browser = subprocess.Popen([chromium, *QUIET, f"--user-data-dir={profile}",
                                        "--remote-debugging-port=0", url],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            done = wait_until(lambda: page_title(profile).startswith("done "), 30, 0.1)
            if not check(done, f"the page finishes its exchanges ({page_title(profile)!r})"):
                return check.finish(server)
            result = json.loads(page_title(profile)[len("done "):])
            check(result["opened"] == SOCKETS, f"{SOCKETS} sockets opened ({result['opened']})")
            check(result["echoed"] == SOCKETS * MESSAGES and result["mismatched"] == 0,
                  f"every message came back the same ({result})")
            check(result["errors"] == 0 and result["closedEarly"] == 0,
                  f"no error, no socket closed early ({result})")
            if server.admin_port is not None:
                check_books(check, server, chromium, work)
            return check.finish(server)
    finally:
        if browser is not None:
            browser.send_signal(signal.SIGTERM)
            try:
                browser.wait(10)
            except subprocess.TimeoutExpired:
                browser.kill()
                browser.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
