#!/usr/bin/env python3
"""SIGQUIT stops at once, with or without a drain under way: readiness fails, the listeners
close, connections still open are reset, and the process exits 0 with its summary line.
Usage: sigquit_stops_now_test.py CLOSEWISE
"""

import signal
import sys
import time

from closewise_process import Check, Closewise, connect, peer_ended, post, request


def stops_now(binary, check, drain_first):
    with Closewise(binary, "--drain-timeout", "30s") as server:
        busy = connect(server.port)
        busy.sendall(request("/delay?ms=5000"))
        time.sleep(0.05)
        if drain_first:
            check(post(server.admin_port, "/drain")[0] == 202, "POST /drain starts a drain")
            check(server.wait(0.3) is None, "the drain waits for the request in flight")

        sent = time.monotonic()
        server.signal(signal.SIGQUIT)
        status = server.wait(5)
        took = time.monotonic() - sent
        check(status is not None and took < 2.0, f"SIGQUIT stops it in {took * 1000:.0f} ms")
        check(status == 0, f"exit status {status}")
        check(peer_ended(busy, 2.0) == "reset", "the request in flight is reset")
        check("SIGQUIT: stopping now" in server.log(), "the log says it is stopping now")
        check("closewise exits:" in server.log(), "it prints its summary line")
        busy.close()


def main(binary):
    check = Check("sigquit")
    stops_now(binary, check, drain_first=False)
    stops_now(binary, check, drain_first=True)
    return check.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
