#!/usr/bin/env python3
"""--demo-routes=false serves none of the demo routes.

A team that deploys the binary behind a load balancer without forking it must be able to turn
off /delay (holds a request for up to 10 minutes), /bytes (up to 1 GiB for one small request),
/stream and /echo. Asserted: with the flag every demo path answers 404, the admin listener still
answers, and without the flag the same paths answer 200.
Usage: demo_routes_off_test.py CLOSEWISE
"""

import sys

from closewise_process import Check, Closewise, get

DEMO_PATHS = ["/", "/echo", "/delay?ms=0", "/bytes?n=1"]


def main(binary):
    check = Check("demo routes off")
    with Closewise(binary, "--demo-routes=false") as server:
        for path in DEMO_PATHS:
            status = get(server.port, path)[0]
            check(status == 404, f"--demo-routes=false: GET {path} is {status}")
        check(get(server.admin_port, "/healthz")[0] == 200, "the admin listener still answers")
        off = check.finish(server)
    check = Check("demo routes on")
    with Closewise(binary) as server:
        for path in DEMO_PATHS:
            status = get(server.port, path)[0]
            check(status == 200, f"by default: GET {path} is {status}")
        on = check.finish(server)
    return off or on


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
