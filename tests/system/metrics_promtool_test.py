#!/usr/bin/env python3
"""GET /metrics passes Prometheus' own checker, and the request histograms count what was served.

`promtool check metrics` (Debian's prometheus package) parses the exposition with Prometheus'
parser and lints it with its rules (counters end in _total, a histogram's buckets, sums and
counts, units in names). Asserted: after some traffic of several methods and statuses, promtool
exits 0 on the text; the duration and size histograms hold one series per method and status
class seen, with as many exchanges as were made; and promtool does fail on a text that breaks
its rules, so a pass means something.
Usage: metrics_promtool_test.py CLOSEWISE
"""

import re
import shutil
import subprocess
import sys
import time

from closewise_process import Check, Closewise, get, post


def promtool(text):
    done = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                          text=True, timeout=30)
    return done.returncode, done.stdout + done.stderr


def sample(text, name, labels):
    pattern = re.escape(name) + r"\{" + re.escape(labels) + r"\} (\S+)"
    found = re.search(pattern, text)
    return float(found.group(1)) if found else None


def main(binary):
    check = Check("metrics pass promtool")
    if shutil.which("promtool") is None:
        print("promtool is not installed (Debian package prometheus; deploy/install-deps.sh "
              "--with-system-tests installs it)")
        return 1
    code, said = promtool("# HELP x_bytes h\n# TYPE x_bytes counter\nx_bytes 1\n")
    check(code != 0, f"promtool refuses a counter without _total ({code}: {said.strip()})")
    with Closewise(binary) as server:
        for _ in range(3):
            check(get(server.port, "/")[0] == 200, "GET / answers 200")
        check(get(server.port, "/nothing-here")[0] == 404, "an unknown path answers 404")
        check(post(server.port, "/echo")[0] == 200, "POST /echo answers 200")
        # An exchange is counted when the worker has handed its last byte to the kernel, which
        # may come just after the client has read it: read until the last one shows.
        text = ""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            status, _, body = get(server.admin_port, "/metrics")
            text = body.decode()
            if sample(text, "closewise_http_request_duration_seconds_count",
                      'method="POST",status_class="2xx"') == 1:
                break
            time.sleep(0.05)
        check(status == 200, f"GET /metrics answers 200 ({status})")
        code, said = promtool(text)
        check(code == 0, f"promtool check metrics exits 0 ({code}): {said.strip()}")
        duration = "closewise_http_request_duration_seconds_count"
        size = "closewise_http_response_size_bytes_count"
        for name in (duration, size):
            got = sample(text, name, 'method="GET",status_class="2xx"')
            check(got == 3, f"{name} GET 2xx is 3 ({got})")
            got = sample(text, name, 'method="GET",status_class="4xx"')
            check(got == 1, f"{name} GET 4xx is 1 ({got})")
            got = sample(text, name, 'method="POST",status_class="2xx"')
            check(got == 1, f"{name} POST 2xx is 1 ({got})")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
