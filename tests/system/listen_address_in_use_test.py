#!/usr/bin/env python3
"""A listen address that is already taken stops the start with a message naming it.

An operator who sees "cannot start" must be told which address failed, in the form the flag takes
(an IPv6 host in brackets, RFC 3986 section 3.2.2). Asserted for an IPv4 and, where the host has
one, an IPv6 loopback address held by another socket: a non-zero exit and "listener HOST:PORT:"
with the bind error in the log.
Usage: listen_address_in_use_test.py CLOSEWISE
"""

import socket
import subprocess
import sys

from closewise_process import Check


def taken(family, host):
    holder = socket.socket(family, socket.SOCK_STREAM)
    holder.bind((host, 0))
    holder.listen()
    return holder


def main(binary):
    check = Check("listen address in use")
    for family, host, text in [(socket.AF_INET, "127.0.0.1", "127.0.0.1"),
                               (socket.AF_INET6, "::1", "[::1]")]:
        try:
            holder = taken(family, host)
        except OSError:
            check(family == socket.AF_INET6, f"cannot hold a port on {host}")
            continue
        with holder:
            where = f"{text}:{holder.getsockname()[1]}"
            run = subprocess.run([binary, "--listen", where, "--admin", "off"],
                                 capture_output=True, text=True, timeout=20)
        check(run.returncode != 0, f"--listen {where} taken: exit status {run.returncode}")
        check(f"listener {where}: bind: EADDRINUSE" in run.stderr,
              f"--listen {where} taken: the message names it: {run.stderr.strip()!r}")
    return check.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
