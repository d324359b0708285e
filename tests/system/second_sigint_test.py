#!/usr/bin/env python3
"""SIGINT twice, as Ctrl-C twice in a terminal: the first starts the drain, the second stops at
once, resetting what is left instead of waiting for the drain deadline.
Usage: second_sigint_test.py CLOSEWISE
"""

import signal
import sys
import time

from closewise_process import Check, Closewise, connect, peer_ended, request


def main(binary):
    check = Check("second sigint")
    with Closewise(binary, "--drain-timeout", "30s") as server:
        busy = connect(server.port)
        busy.sendall(request("/delay?ms=5000"))
        time.sleep(0.05)

        server.signal(signal.SIGINT)
        check(server.wait(0.3) is None, "the first SIGINT starts a drain that waits for work")
        check(server.wait_for_log("SIGINT: drain begins"), "the log says the drain began")

        second = time.monotonic()
        server.signal(signal.SIGINT)
        status = server.wait(5)
        took = time.monotonic() - second
        check(status is not None and took < 2.0,
              f"the second SIGINT stops it in {took * 1000:.0f} ms, not 30 s")
        check(status == 0, f"exit status {status}")
        check(peer_ended(busy, 2.0) == "reset", "the request in flight is reset")
        check("second SIGINT: stopping now" in server.log(), "the log says it is stopping now")
        busy.close()
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
