#!/usr/bin/env python3
"""A second SIGTERM during a drain changes nothing: the drain runs on to its deadline and the
request in flight is answered.

Kubernetes, systemd and `docker stop` send SIGTERM once and SIGKILL after the grace period, but a
supervisor or an operator's script may repeat it; a repeated SIGTERM must not turn a graceful
stop into resets. Stopping at once is what a second SIGINT or SIGQUIT is for (their own tests).
Usage: second_sigterm_test.py CLOSEWISE
"""

import signal
import sys
import time

from closewise_process import Check, Closewise, connect, peer_ended, read_response, request


def main(binary):
    check = Check("second sigterm")
    with Closewise(binary, "--drain-timeout", "30s") as server:
        busy = connect(server.port)
        busy.sendall(request("/delay?ms=600"))
        time.sleep(0.05)  # let the request reach its handler

        server.signal(signal.SIGTERM)
        check(server.wait(0.1) is None, "the first SIGTERM starts a drain that waits for work")
        server.signal(signal.SIGTERM)
        check(server.wait_for_log("SIGTERM during drain"), "the second SIGTERM is logged")
        check(server.wait(0.2) is None, "the second SIGTERM does not stop the process")

        try:
            status, head, body = read_response(busy, 5.0)
        except (OSError, EOFError) as error:  # a reset, the failure this test exists for
            status, head, body = None, "", repr(error).encode()
        check(status == 200 and body == b"delayed\n",
              f"the request in flight is answered in full ({status} {body!r})")
        check("\r\nConnection: close" in head, "its answer says Connection: close")
        check(peer_ended(busy, 2.0) == "eof", "then our FIN, no reset")
        busy.close()

        status = server.wait(10)
        check(status == 0, f"the process exits 0 after the drain (status {status})")
        log = server.log()
        line = next((l for l in log.splitlines() if "SIGTERM during drain" in l), "")
        check(" info " in line, f"logged at info: {line.strip()!r}")
        check("stopping now" not in log, "nothing says it is stopping now")
        check("0 reset at the drain deadline" in log, "nothing was reset")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
