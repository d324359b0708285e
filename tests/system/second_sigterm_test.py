#!/usr/bin/env python3
"""A second SIGTERM during a drain means the operator insists: closewise stops at once, resetting
what is left, instead of waiting for its drain deadline. Usage: second_sigterm_test.py CLOSEWISE
"""

import signal
import sys
import time

from closewise_process import Check, Closewise, connect, peer_ended, request


def main(binary):
    check = Check("second sigterm")
    with Closewise(binary, "--drain-timeout", "30s") as server:
        busy = connect(server.port)
        busy.sendall(request("/delay?ms=5000"))
        time.sleep(0.05)

        server.signal(signal.SIGTERM)
        check(server.wait(0.5) is None, "the first SIGTERM starts a drain that waits for work")

        second = time.monotonic()
        server.signal(signal.SIGTERM)
        status = server.wait(5)
        took = time.monotonic() - second
        check(status is not None and took < 2.0,
              f"the second SIGTERM stops it in {took * 1000:.0f} ms, not 30 s")
        check(status == 0, f"exit status {status}")
        check(peer_ended(busy, 2.0) == "reset", "the request in flight is reset")
        check("stopping now" in server.log(), "the log says it is stopping now")
        busy.close()
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
