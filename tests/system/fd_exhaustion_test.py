#!/usr/bin/env python3
"""Running out of file descriptors must not make the server spin or die.

closewise runs under RLIMIT_NOFILE 64 (prlimit) and 120 clients connect at once and stay.
Above --max-connections (derived from the limit) closewise answers 503; once accept() itself
fails with EMFILE, the listener accepts with a reserve fd and closes (as libuv's
uv__emfile_trick), so it does not report readiness in a busy loop; it logs the shedding at most
once a second and counts it in /stats (totals.shed). Asserted: the process stays alive, its CPU
time over 3 s of the flood stays low (a spinning loop would burn a whole core), and as soon as
the clients go away a new request is served. Usage: fd_exhaustion_test.py CLOSEWISE
"""

import json
import re
import socket
import sys
import time

from closewise_process import Check, Closewise, get, request, wait_until

# CTest's SKIP_RETURN_CODE for this script (see CMakeLists.txt).
SKIPPED = 77
CLIENTS = 120
HOLD_S = 3.0
# A loop that spins on accept burns ~1 CPU second per second; an idle one, a few milliseconds.
MAX_CPU_S = 0.6


def vptr_checked(binary):
    """True if the binary carries UBSan's -fsanitize=vptr checks. Those verify a vtable is
    readable by writing it into a pipe() (sanitizer_common's IsAccessibleMemoryRange); with no fd
    left the pipe fails and a sound object is reported as "invalid vptr", which aborts the
    process. That is the sanitizer running out of fds, not closewise, so the run is skipped."""
    with open(binary, "rb") as f:
        return b"__ubsan_handle_dynamic_type_cache_miss" in f.read()


def outcomes(clients):
    """What the flood's clients saw so far: 200s, 503s, closed with no answer, still waiting."""
    seen = {"200": 0, "503": 0, "closed": 0, "waiting": 0}
    for sock in clients:
        try:
            data = sock.recv(4096)
            key = "closed" if not data else data[9:12].decode("latin-1", "replace")
        except BlockingIOError:
            key = "waiting"
        except OSError:
            key = "closed"
        seen[key] = seen.get(key, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in seen.items())


def logged_shed(log):
    """The connections the server's shed lines report, summed."""
    return sum(int(m.group(1)) for m in re.finditer(
        r"out of file descriptors \(EMFILE\): closed (\d+) connection", log))


def main(binary):
    check = Check("fd exhaustion")
    if vptr_checked(binary):
        print("skipped: the binary is built with -fsanitize=vptr, whose checks need free fds; "
              "build with -fno-sanitize=vptr or without CLOSEWISE_SANITIZE to run this test")
        return SKIPPED
    with Closewise(binary, "--header-timeout", "30s", "--idle-timeout", "30s",
                   prefix=["prlimit", "--nofile=64:64", "--"]) as server:
        check(get(server.port, "/")[0] == 200, "serves before the flood")
        clients = []
        for _ in range(CLIENTS):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", server.port))
            clients.append(sock)
        time.sleep(0.3)
        for sock in clients:
            try:
                sock.send(request("/"))
            except OSError:
                pass  # already closed by the server: that is one of the expected outcomes

        time.sleep(0.5)
        print("info outcomes: " + outcomes(clients))
        before = server.cpu_seconds()
        time.sleep(HOLD_S)
        used = server.cpu_seconds() - before
        check(server.proc.poll() is None, "the process is alive under the flood")
        check(used < MAX_CPU_S, f"CPU over {HOLD_S:.0f} s of flood: {used:.2f} s "
              f"(limit {MAX_CPU_S} s)")
        shed_lines = [line for line in server.log().splitlines()
                      if "out of file descriptors (EMFILE)" in line]
        print(f"info shed log lines: {len(shed_lines)}; "
              f"503 answers logged: {server.log().count('over --max-connections')}")
        # A flood sheds on every wakeup; the log says so, but at most once a second.
        check(1 <= len(shed_lines) <= HOLD_S + 2,
              f"the shedding is logged, at most once a second: {len(shed_lines)} lines")

        for sock in clients:
            sock.close()
        gone = time.monotonic()

        def serves():
            try:
                return get(server.port, "/", 1.0)[0] == 200
            except OSError:
                return False
        check(wait_until(serves, 10.0, 0.05),
              f"serves again {(time.monotonic() - gone) * 1000:.0f} ms after the clients left")
        status, _, body = get(server.admin_port, "/stats")
        shed = json.loads(body)["totals"]["shed"] if status == 200 else -1
        # What a burst left unsaid is written within a second (the probe timer); then the log
        # and /stats agree.
        check(wait_until(lambda: logged_shed(server.log()) == shed > 0, 3.0, 0.1),
              f"/stats totals.shed {shed}, the log {logged_shed(server.log())}")
        check(server.proc.poll() is None, "still alive at the end")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
