#!/usr/bin/env python3
"""SIGHUP without --config: nothing to reload, said in the log, and the server keeps serving.
(The default action of SIGHUP would end the process, with no drain.)
Usage: sighup_without_config_test.py CLOSEWISE
"""

import signal
import sys

from closewise_process import Check, Closewise, serves


def main(binary):
    check = Check("sighup without config")
    with Closewise(binary) as server:
        server.signal(signal.SIGHUP)
        check(server.wait_for_log("SIGHUP: no --config file; nothing to reload"),
              "the log says there is nothing to reload")
        status = server.wait(0.1)
        check(status is None, f"the process keeps running (exit status {status})")
        check(serves(server.port), "and serves")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
