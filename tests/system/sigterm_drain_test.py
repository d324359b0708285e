#!/usr/bin/env python3
"""SIGTERM drains the real binary end to end.

Idle keep-alive connections and one request in flight (/delay?ms=500) are open when SIGTERM
arrives. Expected, in order: the admin /readyz turns 503 at once (a balancer stops sending new
work); idle connections get our FIN; new connects are refused once the listener closes; the
request in flight is answered in full with Connection: close; the process exits 0 with its
summary line. Usage: sigterm_drain_test.py PATH_TO_CLOSEWISE
"""

import signal
import sys
import time

from closewise_process import (Check, Closewise, connect, get, peer_ended, read_response,
                               request, wait_until)


def main(binary):
    check = Check("sigterm drain")
    with Closewise(binary, "--drain-timeout", "5s") as server:
        check(get(server.admin_port, "/readyz")[0] == 200, "readyz is 200 before the signal")

        idle = []
        for _ in range(3):
            sock = connect(server.port)
            sock.sendall(request("/"))
            status, head, _ = read_response(sock)
            check(status == 200 and "Connection: close" not in head, "idle connection kept alive")
            idle.append(sock)
        busy = connect(server.port)
        busy.sendall(request("/delay?ms=500"))
        time.sleep(0.05)  # let the request reach its handler; the answer is 450+ ms away

        signalled = time.monotonic()
        server.signal(signal.SIGTERM)

        ready_503 = wait_until(lambda: get(server.admin_port, "/readyz")[0] == 503, 0.5)
        check(ready_503, "readyz turns 503 within 500 ms of SIGTERM "
              f"({(time.monotonic() - signalled) * 1000:.0f} ms)")

        ends = [peer_ended(sock, 2.0) for sock in idle]
        check(ends == ["eof"] * 3, f"idle connections get our FIN (got {ends})")

        def refused():
            try:
                connect(server.port, 1.0).close()
                return False
            except ConnectionRefusedError:
                return True
        check(wait_until(refused, 1.0), "new connects are refused after the listener closes")

        status, head, body = read_response(busy, 5.0)
        answered = time.monotonic() - signalled
        check(status == 200 and body == b"delayed\n", "the in-flight request is answered in full")
        check("\r\nConnection: close" in head, "its answer says Connection: close")
        check(answered < 2.0, f"answered {answered * 1000:.0f} ms after SIGTERM")
        check(peer_ended(busy, 2.0) == "eof", "then our FIN, no reset")
        for sock in idle + [busy]:
            sock.close()

        status = server.wait(10)
        check(status == 0, f"the process exits 0 (status {status})")
        check("closewise exits: drain took" in server.log(), "it prints its summary line")
        check("0 reset at the drain deadline" in server.log(), "nothing was reset")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
