#!/usr/bin/env python3
"""SIGHUP with a file that does not read: the reload is refused with the message start-up prints
for the same file, the running settings stay (a kept connection outlives the timeout the broken
file asks for), and the process keeps serving.
Usage: sighup_bad_file_test.py CLOSEWISE
"""

import os
import signal
import subprocess
import sys
import tempfile

from closewise_process import Check, Closewise, connect, peer_ended, read_response, request, serves

BROKEN = ['idle-timeout = "200ms"\nheader-timeout = "10s\n',     # a syntax error
          'idle-timeout = "200ms"\nmax-body-bytes = "2GiB"\n']   # a value out of range


def main(binary):
    check = Check("sighup bad file")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "closewise.toml")
        with open(path, "w") as f:
            f.write('idle-timeout = "10s"\n')
        with Closewise(binary, "--config", path) as server:
            kept = connect(server.port)
            kept.sendall(request("/"))
            check(read_response(kept)[0] == 200, "a keep-alive connection is answered")
            for broken in BROKEN:
                with open(path, "w") as f:
                    f.write(broken)
                startup = subprocess.run([binary, "--config", path], capture_output=True,
                                         text=True, timeout=30)
                message = startup.stderr.strip()
                check(startup.returncode == 2 and message, f"start-up refuses it: {message}")
                server.signal(signal.SIGHUP)
                check(server.wait_for_log(
                    f"SIGHUP: {path} refused, the running settings stay: {message}"),
                    "the reload is refused with the same message")
            check(server.wait(0.05) is None, "the process keeps running")
            check(peer_ended(kept, 0.6) == "open",
                  "the kept connection is still open after the 200 ms the file asks for")
            check(serves(server.port), "and the server still serves")
            kept.close()
            return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
