#!/usr/bin/env python3
"""Opens many keep-alive connections to an HTTP server and holds them idle, in a process of its own.

Each connection sends one `GET /` and reads the whole answer, then stays open and sends nothing:
what a pool of idle keep-alive connections looks like to a server. The benchmark uses it twice:

  idle memory   --hold: hold until SIGTERM (or --timeout), then close every connection (our FIN)
                and exit. The server's RSS is read while they are held.
  drain         --until-closed --inflight 100 --inflight-path '/delay?ms=1000': once the idle
                connections are up, send 100 slow requests on fresh connections, then wait until
                the server has closed every connection (or --timeout) and report how each ended.
                Correct drain: every in-flight request gets its 200 with "Connection: close"
                (RFC 9112 section 9.6) and then a FIN; every idle connection sees a FIN, never an
                RST (RFC 9293 section 3.6: an orderly close, not an abort).

The client runs in its own process so that its memory and CPU are never counted as the server's,
and so the server's fd budget is not shared with it. It reports on stdout, one JSON object a line:

  {"event": "ready", "idle": N, "failed": F, "t": T}        the idle connections are up
  {"event": "inflight_sent", "count": K, "t": T}              the K slow requests are written
  {"event": "done", ...}                                      how every connection ended

`t` is time.monotonic(), CLOCK_MONOTONIC, which every process on the host shares, so the
orchestrator can subtract its own timestamps from these.
"""

import argparse
import errno
import json
import resource
import selectors
import signal
import socket
import sys
import time

# Connections being set up at once. Small enough that the server's accept queue (511 for
# closewise, nginx and Node) never overflows: an overflowing queue drops SYNs, and a dropped SYN
# is retried only after a second, which would turn set-up time into noise.
DEFAULT_CONCURRENCY = 200


class Conn:
    """One connection and what happened to it."""

    __slots__ = ("sock", "kind", "buf", "status", "close_header", "complete", "answered_at",
                 "ending", "extra_bytes")

    def __init__(self, sock, kind):
        self.sock = sock
        self.kind = kind  # "idle" or "inflight"
        self.buf = b""
        self.status = None
        self.close_header = False
        self.complete = False
        self.answered_at = None
        self.ending = None  # None while open; then "fin", "rst" or "error:<name>"
        self.extra_bytes = 0


def request_bytes(path):
    return ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode("ascii")


def parse_response(conn):
    """Marks conn complete once its buffer holds a whole response with a Content-Length body."""
    head_end = conn.buf.find(b"\r\n\r\n")
    if head_end < 0:
        return
    head = conn.buf[:head_end].decode("latin-1").split("\r\n")
    parts = head[0].split(" ", 2)
    conn.status = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else -1
    length = 0
    for line in head[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and "close" in value.lower():
            conn.close_header = True
    if len(conn.buf) - (head_end + 4) >= length:
        conn.complete = True
        conn.answered_at = time.monotonic()
        conn.extra_bytes = len(conn.buf) - (head_end + 4) - length
        conn.buf = b""


class Pool:
    def __init__(self, args):
        self.args = args
        self.selector = selectors.DefaultSelector()
        self.conns = []
        self.failed_connects = {}
        self.stop = False
        # Connections opened whose answer has not arrived and that have not ended yet.
        self.setting_up = 0
        self.open_count = 0

    def open(self, kind, path):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        err = sock.connect_ex((self.args.host, self.args.port))
        if err not in (0, errno.EINPROGRESS):
            sock.close()
            name = errno.errorcode.get(err, str(err))
            self.failed_connects[name] = self.failed_connects.get(name, 0) + 1
            return None
        conn = Conn(sock, kind)
        self.selector.register(sock, selectors.EVENT_WRITE, (conn, path))
        self.conns.append(conn)
        self.setting_up += 1
        self.open_count += 1
        return conn

    def end(self, conn, how):
        if not conn.complete:
            self.setting_up -= 1
        conn.ending = how
        self.open_count -= 1
        self.selector.unregister(conn.sock)
        conn.sock.close()

    def on_event(self, conn, path, mask):
        if mask & selectors.EVENT_WRITE:
            err = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err != 0:
                self.end(conn, "error:" + errno.errorcode.get(err, str(err)))
                return
            # A request this small always fits the empty send buffer of a new connection.
            conn.sock.send(request_bytes(path))
            self.selector.modify(conn.sock, selectors.EVENT_READ, (conn, path))
            return
        try:
            data = conn.sock.recv(65536)
        except ConnectionResetError:
            self.end(conn, "rst")
            return
        except OSError as error:
            self.end(conn, "error:" + errno.errorcode.get(error.errno, str(error.errno)))
            return
        if not data:
            self.end(conn, "fin")
            return
        if conn.complete:
            conn.extra_bytes += len(data)
        else:
            conn.buf += data
            parse_response(conn)
            if conn.complete:
                self.setting_up -= 1

    def poll(self, timeout):
        for key, mask in self.selector.select(timeout):
            conn, path = key.data
            self.on_event(conn, path, mask)

    def open_idle(self):
        """Opens --count connections, at most --concurrency being set up at a time."""
        deadline = time.monotonic() + self.args.timeout
        opened = 0
        while time.monotonic() < deadline and not self.stop:
            while opened < self.args.count and self.setting_up < self.args.concurrency:
                opened += 1
                self.open("idle", self.args.path)
            if opened >= self.args.count and self.setting_up == 0:
                break
            self.poll(0.05)

    def summary(self):
        result = {"event": "done", "t": time.monotonic(), "failed_connects": self.failed_connects}
        for kind in ("idle", "inflight"):
            conns = [c for c in self.conns if c.kind == kind]
            endings = {}
            for c in conns:
                key = c.ending or "open"
                endings[key] = endings.get(key, 0) + 1
            statuses = {}
            for c in conns:
                key = str(c.status) if c.complete else "none"
                statuses[key] = statuses.get(key, 0) + 1
            answered = [c.answered_at for c in conns if c.answered_at is not None]
            result[kind] = {
                "count": len(conns),
                "endings": endings,
                "statuses": statuses,
                "with_connection_close": sum(1 for c in conns if c.complete and c.close_header),
                "unexpected_bytes": sum(c.extra_bytes for c in conns),
                "last_answer_t": max(answered) if answered else None,
            }
        return result


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--path", default="/")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--inflight", type=int, default=0)
    parser.add_argument("--inflight-path", default="/delay?ms=1000")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--hold", action="store_true", help="hold until SIGTERM or --timeout")
    mode.add_argument("--until-closed", action="store_true",
                      help="wait until the server has closed every connection")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds the whole run may take; a bound, not a target")
    args = parser.parse_args()

    # Every connection is one fd; the hard limit is what this host allows us.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    pool = Pool(args)
    started = time.monotonic()

    def on_signal(_signum, _frame):
        pool.stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    pool.open_idle()
    idle_ok = sum(1 for c in pool.conns if c.kind == "idle" and c.complete and c.ending is None)
    emit({"event": "ready", "idle": idle_ok, "failed": args.count - idle_ok,
          "seconds": round(time.monotonic() - started, 3), "t": time.monotonic()})

    if args.inflight > 0 and not pool.stop:
        inflight = [pool.open("inflight", args.inflight_path) for _ in range(args.inflight)]
        # Written once every in-flight connection has sent its request (the write side of the
        # selector registration flips to read once the request is out).
        while any(c is not None and c.ending is None and
                  pool.selector.get_key(c.sock).events & selectors.EVENT_WRITE
                  for c in inflight) and time.monotonic() - started < args.timeout:
            pool.poll(0.01)
        emit({"event": "inflight_sent", "count": sum(1 for c in inflight if c is not None),
              "t": time.monotonic()})

    deadline = started + args.timeout
    while not pool.stop and time.monotonic() < deadline:
        if args.until_closed and pool.open_count == 0:
            break
        pool.poll(0.1)

    # Whatever is still open is closed by us: an orderly FIN from the client side.
    for conn in pool.conns:
        if conn.ending is None:
            conn.sock.close()
    emit(pool.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
