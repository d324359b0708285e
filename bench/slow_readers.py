#!/usr/bin/env python3
"""Memory a server holds per slow reader: clients that ask for a large answer and read none of it.

Starts the server binary given (closewise, on port 0, admin off), reads its VmRSS, opens N
connections whose receive buffer is as small as the kernel allows (SO_RCVBUF set before connect,
so the window scale is small too), sends each `GET /bytes?n=SIZE`, reads nothing, waits until the
server's RSS has stopped growing, reads it again, and prints one JSON line:

  {"readers": N, "rss_before": B, "rss_held": H, "per_reader": (H - B) / N, ...}

The server runs with --write-timeout long enough that no reader is reset while it is measured;
extra flags for it follow `--` (the floor under the send rate is turned off that way, for
instance, to measure what a slow reader holds rather than how soon it is dropped).

  bench/slow_readers.py build/bin/closewise --readers 1000 -- --min-send-rate 0

The clients run in this process, which is not the server's, so their memory is not counted.
"""

import argparse
import json
import re
import socket
import subprocess
import sys
import threading
import time

LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def start_server(binary, extra):
    argv = [binary, "serve", "--listen", "127.0.0.1:0", "--admin", "off",
            "--write-timeout", "10m", "--max-connections", "5000"] + extra
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    port = []
    ready = threading.Event()

    def read_log():
        for line in proc.stderr:
            match = LISTENING.search(line)
            if match and not port:
                port.append(int(match.group(1)))
                ready.set()
        ready.set()

    threading.Thread(target=read_log, daemon=True).start()
    if not ready.wait(30) or not port:
        proc.kill()
        raise RuntimeError("the server did not report its port")
    return proc, port[0]


def settled_rss(pid, limit_s):
    """RSS once it has not grown by more than 1% over half a second, or at limit_s."""
    deadline = time.monotonic() + limit_s
    last = rss_bytes(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = rss_bytes(pid)
        if now <= last * 1.01:
            return now
        last = now
    return last


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--size", type=int, default=20_000_000, help="bytes each reader asks for")
    parser.add_argument("--rcvbuf", type=int, default=1024)
    # Everything after "--" is the server's.
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    args.server_flags = argv[split + 1:]

    proc, port = start_server(args.binary, args.server_flags)
    readers = []
    try:
        time.sleep(0.5)
        before = rss_bytes(proc.pid)
        request = f"GET /bytes?n={args.size} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
        for _ in range(args.readers):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
            sock.connect(("127.0.0.1", port))
            sock.sendall(request)
            readers.append(sock)
        held = settled_rss(proc.pid, 30)
        alive = proc.poll() is None
        print(json.dumps({"readers": args.readers, "size": args.size, "rcvbuf": args.rcvbuf,
                          "rss_before": before, "rss_held": held,
                          "per_reader": round((held - before) / args.readers),
                          "server_alive": alive}))
        return 0 if alive else 1
    finally:
        for sock in readers:
            sock.close()
        proc.kill()
        proc.wait(10)


if __name__ == "__main__":
    sys.exit(main())
