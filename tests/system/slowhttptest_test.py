#!/usr/bin/env python3
"""slowhttptest against closewise with short deadlines: the service stays available.

Modes: -H slow headers (slowloris; the total header deadline cuts each one off), -B slow body
(the per-read body deadline), -X slow read (the write deadline resets a reader that stalls).
Two judges: slowhttptest's own "service available" verdict for every second of the attack (its
-g statistics: the column holds the attack's connection count (-c) while its probe connection is
answered and 0 when it is not, so the graphs it draws scale), and a probe of ours that
GETs / every 200 ms during the attack and must always be answered. slowhttptest ends early ("No
open connections left") when the server has cut off every slow connection; that is a pass.
Usage: slowhttptest_test.py CLOSEWISE -H|-B|-X [--mayfail]

--mayfail still fails the run if closewise dies or stops serving, but only reports a gap in
availability. No mode uses it now: -X once stalled the loop for 1-3 s, when each slow reader let
megabytes into its autotuned kernel send buffer; TCP_NOTSENT_LOWAT on accepted sockets
(server/connection.cc) bounds that, and the slowest probe under -X dropped to a few ms.
"""

import csv
import subprocess
import sys
import tempfile
import threading
import time

from closewise_process import Check, Closewise, get

LENGTH_S = 10
CONNECTIONS = 200


def attack_argv(mode, port, stats_prefix):
    common = ["slowhttptest", mode, "-c", str(CONNECTIONS), "-r", "100", "-l", str(LENGTH_S),
              "-p", "3", "-g", "-o", stats_prefix]
    if mode == "-H":
        return common + ["-i", "1", "-u", f"http://127.0.0.1:{port}/"]
    if mode == "-B":
        return common + ["-i", "2", "-s", "8192", "-u", f"http://127.0.0.1:{port}/echo"]
    # Slow read: a tiny advertised window and rare small reads of a large answer.
    return common + ["-k", "1", "-n", "3", "-w", "64", "-y", "128", "-z", "32",
                     "-u", f"http://127.0.0.1:{port}/bytes?n=2000000"]


def main(binary, mode, mayfail=False):
    check = Check(f"slowhttptest {mode}")
    with Closewise(binary, "--header-timeout", "1s", "--body-timeout", "1s",
                   "--write-timeout", "1s", "--idle-timeout", "5s") as server:
        probes = []
        stop = threading.Event()

        def probe():
            while not stop.is_set():
                started = time.monotonic()
                try:
                    ok = get(server.port, "/", 3.0)[0] == 200
                except OSError:
                    ok = False
                probes.append((ok, time.monotonic() - started))
                stop.wait(0.2)

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        with tempfile.TemporaryDirectory() as tmp:
            prefix = f"{tmp}/stats"
            attack = subprocess.run(attack_argv(mode, server.port, prefix), capture_output=True,
                                    text=True, timeout=LENGTH_S + 60, start_new_session=True)
            try:
                with open(prefix + ".csv", newline="") as f:
                    seconds = list(csv.DictReader(f))
            except OSError:
                seconds = []
        stop.set()
        prober.join(10)
        output = attack.stdout + attack.stderr
        verdicts = [row["Service Available"] for row in seconds]
        peak = max((int(row["Connected"]) for row in seconds), default=0)
        print(f"info slowhttptest exit {attack.returncode}; {len(seconds)} seconds; peak "
              f"{peak} slow connections open at once; probe statuses {verdicts}")
        check(attack.returncode == 0 and len(seconds) >= 2, "slowhttptest ran and kept statistics")
        check(peak >= 20, f"the attack really held slow connections open (peak {peak})")
        available = all(int(v) > 0 for v in verdicts)
        failed = [t for ok, t in probes if not ok]
        slowest = max((t for _, t in probes), default=0.0)
        probe_ok = len(probes) >= LENGTH_S and not failed
        probe_text = (f"our probe: {len(probes) - len(failed)}/{len(probes)} GETs answered "
                      f"during the attack, slowest {slowest * 1000:.0f} ms")
        if mayfail and not (available and probe_ok):
            print("KNOWN ISSUE (--mayfail): service available throughout: "
                  f"{available}; {probe_text}")
        else:
            check(available, "slowhttptest's probe got 200 every second: service available")
            check(probe_ok, probe_text)
        check(server.proc.poll() is None, "closewise is alive after the attack")
        check(get(server.port, "/", 3.0)[0] == 200, "closewise serves after the attack")
        if check.failures:
            print("---- slowhttptest output (tail) ----\n" + output[-3000:])
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], "--mayfail" in sys.argv[3:]))
