#!/usr/bin/env python3
"""The standard way to stop behind a balancer: fail readiness first (a preStop hook calling POST
/drain), then SIGTERM (Kubernetes sends it once the hook returns). The SIGTERM must not cut the
drain short: the request in flight is answered in full and the process exits 0 with nothing
reset. Usage: drain_then_sigterm_test.py CLOSEWISE
"""

import signal
import sys
import time

from closewise_process import (Check, Closewise, connect, get, peer_ended, post, read_response,
                               request)


def main(binary):
    check = Check("drain then sigterm")
    with Closewise(binary, "--drain-timeout", "30s") as server:
        busy = connect(server.port)
        busy.sendall(request("/delay?ms=600"))
        time.sleep(0.05)

        status, _, body = post(server.admin_port, "/drain")
        check(status == 202, f"POST /drain: {status} {body!r}")
        check(get(server.admin_port, "/readyz")[0] == 503, "readyz is 503")
        server.signal(signal.SIGTERM)
        check(server.wait_for_log("SIGTERM during drain"), "the SIGTERM is logged")
        check(server.wait(0.2) is None, "the SIGTERM does not stop the process")

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
        check("0 reset at the drain deadline" in server.log(), "nothing was reset")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
