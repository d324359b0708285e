#!/usr/bin/env python3
"""--drain-timeout bounds the whole stop: with 300 ms and a 5 s request in flight, closewise
resets the request at the deadline and exits, rather than outliving the orchestrator's grace
period. Usage: drain_deadline_test.py CLOSEWISE
"""

import signal
import sys
import time

from closewise_process import Check, Closewise, connect, peer_ended, request


def main(binary):
    check = Check("drain deadline")
    with Closewise(binary, "--drain-timeout", "300ms") as server:
        busy = connect(server.port)
        busy.sendall(request("/delay?ms=5000"))
        time.sleep(0.05)

        signalled = time.monotonic()
        server.signal(signal.SIGTERM)
        status = server.wait(10)
        took = time.monotonic() - signalled
        check(status == 0, f"exit status {status}")
        check(0.29 <= took < 3.0, f"exits {took * 1000:.0f} ms after SIGTERM (deadline 300 ms)")
        check(peer_ended(busy, 2.0) == "reset", "the client sees a reset")
        check("1 reset at the drain deadline" in server.log(), "the summary counts the reset")
        busy.close()
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
