#!/usr/bin/env python3
"""At a file-descriptor limit too low to start, the start fails with a message, never a crash.

Every libuv loop needs descriptors of its own (an epoll fd and an eventfd), and so do the
listeners, so under a low `ulimit -n` one of them fails with EMFILE at start. Each failure must be
reported as "cannot start: ... EMFILE" with exit status 1, whichever step it hits: a loop whose
uv_loop_init failed and is used anyway crashes the process instead. Limits from 6 to 40 descriptors, four workers: the low ones fail at the main
loop, the middle ones at a worker's loop or a listener; one high enough to start is stopped with
SIGTERM and must exit 0.
Usage: low_fd_limit_start_test.py CLOSEWISE
"""

import resource
import signal
import subprocess
import sys

from closewise_process import Check


def start(binary, limit):
    def lower_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    return subprocess.Popen([binary, "--workers", "4", "--listen", "127.0.0.1:0", "--admin", "off"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lower_limit)


def main(binary):
    check = Check("low fd limit at start")
    failed_at = set()
    for limit in range(6, 41, 2):
        process = start(binary, limit)
        try:
            _, stderr = process.communicate(timeout=3)
        except subprocess.TimeoutExpired:
            # It started: a clean stop is all that is asked of it here.
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=20)
            check(process.returncode == 0,
                  f"ulimit -n {limit}: started, then SIGTERM: exit status {process.returncode}")
            continue
        message = next((line for line in stderr.splitlines() if "cannot start:" in line), "")
        check(process.returncode == 1 and "EMFILE" in message,
              f"ulimit -n {limit}: exit status {process.returncode} with a message naming EMFILE: "
              f"{stderr.strip()[-300:]!r}")
        if "loop: EMFILE" in message:
            failed_at.add(message.split("cannot start: ", 1)[1].split(":", 1)[0])
    check("main loop" in failed_at and any(step.startswith("worker") for step in failed_at),
          f"the main loop and a worker's loop each failed at some limit: {sorted(failed_at)}")
    return check.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
