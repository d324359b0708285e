#!/usr/bin/env python3
"""SIGHUP reads the --config file again and applies a changed timeout to every connection.

The file starts with idle-timeout = "10s". A keep-alive connection goes idle; the file is edited
to "300ms" and the process gets SIGHUP. Expected: the log names the change ("idle-timeout 10s ->
300ms"); the connection idle since before the reload is closed (its deadline is counted again
from when it went idle), and so is one idle after the reload, about 300 ms after its answer.
During a drain a SIGHUP is ignored, so a handler timeout shortened then does not cut off the
request in flight.
Usage: sighup_reload_test.py CLOSEWISE
"""

import os
import signal
import sys
import tempfile
import time

from closewise_process import Check, Closewise, connect, peer_ended, read_response, request


def keep_alive_request(port):
    sock = connect(port)
    sock.sendall(request("/"))
    status, head, _ = read_response(sock)
    return sock, status == 200 and "Connection: close" not in head


def main(binary):
    check = Check("sighup reload")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "closewise.toml")
        with open(path, "w") as f:
            f.write('idle-timeout = "10s"\n')
        with Closewise(binary, "--config", path) as server:
            before, kept = keep_alive_request(server.port)
            check(kept, "a connection is kept alive under the 10 s idle timeout")
            time.sleep(0.1)

            with open(path, "w") as f:
                f.write('idle-timeout = "300ms"\n')
            server.signal(signal.SIGHUP)
            check(server.wait_for_log("SIGHUP: reloaded " + path + ": idle-timeout 10s -> 300ms"),
                  "the log names the change")
            check(server.wait(0.05) is None, "the process keeps running")

            check(peer_ended(before, 2.0) == "eof",
                  "the connection idle since before the reload gets our FIN")
            after, kept = keep_alive_request(server.port)
            answered = time.monotonic()
            check(kept, "a new connection is kept alive too")
            ended = peer_ended(after, 3.0)
            took = time.monotonic() - answered
            check(ended == "eof" and 0.2 <= took < 1.5,
                  f"and closed {took * 1000:.0f} ms after its answer ({ended}), not 10 s")
            for sock in (before, after):
                sock.close()

            # During a drain a reload is ignored: the drain keeps the settings it began with.
            busy = connect(server.port)
            busy.sendall(request("/delay?ms=500"))
            time.sleep(0.05)
            server.signal(signal.SIGTERM)
            # Two signals pending together are delivered lowest number first (SIGHUP before
            # SIGTERM), so the reload is sent only once the drain has begun.
            check(server.wait_for_log("SIGTERM: drain begins"), "the drain begins")
            with open(path, "w") as f:
                f.write('idle-timeout = "10s"\nhandler-timeout = "100ms"\n')
            server.signal(signal.SIGHUP)
            check(server.wait_for_log("SIGHUP during drain: ignored"), "a reload during a drain "
                  "is ignored")
            status, _, body = read_response(busy, 5.0)
            check(status == 200 and body == b"delayed\n",
                  f"the request in flight keeps its handler timeout ({status} {body!r})")
            busy.close()
            check(server.wait(10) == 0, "the drain ends and the process exits 0")
            return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
