#!/usr/bin/env python3
"""SIGHUP with a changed listen address: the change is logged as needing a restart and is not
applied (the old address still serves), while a live setting changed in the same edit is.
Usage: sighup_needs_restart_test.py CLOSEWISE
"""

import os
import signal
import sys
import tempfile

from closewise_process import Check, Closewise, serves


def main(binary):
    check = Check("sighup needs restart")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "closewise.toml")
        with open(path, "w") as f:
            f.write('listen = "127.0.0.1:0"\nadmin = "127.0.0.1:0"\nlog-level = "info"\n')
        with Closewise(binary, "--config", path, bind_flags=False) as server:
            check(serves(server.port), "serves on the address of the file")

            with open(path, "w") as f:
                f.write('listen = "127.0.0.1:1"\nadmin = "127.0.0.1:0"\nlog-level = "debug"\n')
            server.signal(signal.SIGHUP)
            check(server.wait_for_log(
                "listen 127.0.0.1:0 -> 127.0.0.1:1 needs a restart; not applied"),
                "the log says the listen change needs a restart")
            check(server.wait_for_log("log-level info -> debug"),
                  "the live change in the same edit is applied")
            check(server.wait(0.05) is None, "the process keeps running")
            check(serves(server.port), "the old address still serves")
            return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
