"""Runs the real closewise binary for the system tests and talks to it over loopback.

The server is started on port 0 (public and admin); the first info line on stderr names the
bound addresses, which is how a script finds its ports. Everything here is bounded in time: every
wait has a limit, and a server that outlives its test is killed by its process id.

The scripts ask for the demo routes (/echo, /delay, /bytes, /stream) that the binary serves by
default: they test the program as it is shipped. The in-process server tests use routes of their
own instead (tests/support/test_routes.h), so they do not depend on demo routes a fork turns off.
"""

import os
import re
import signal
import socket
import subprocess
import threading
import time

LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+) .*admin on 127\.0\.0\.1:(\d+)")


class Closewise:
    """One closewise process. Use as a context manager so it is always stopped."""

    # The line that names the bound ports: the public one, then the admin one.
    listening = LISTENING

    def __init__(self, binary, *flags, prefix=(), bind_flags=True):
        # bind_flags=False leaves the addresses to a --config file among the flags, which must
        # then bind 127.0.0.1:0 for both listeners.
        binds = ["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"] if bind_flags else []
        self._start(list(prefix) + [binary, "serve"] + binds + list(flags))

    def _start(self, argv, env=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.lines = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.port = self.admin_port = None
        # A reader thread keeps the pipe drained, so a chatty server never blocks on stderr.
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        if not self._ready.wait(30) or self.port is None:
            self.kill()
            raise RuntimeError(f"{argv[0]} did not report its ports:\n" + self.log())

    def _read_stderr(self):
        for line in self.proc.stderr:
            with self._lock:
                self.lines.append(line)
            match = self.listening.search(line)
            if match and not self._ready.is_set():
                self.port = int(match.group(1))
                self.admin_port = int(match.group(2)) if match.group(2) else None
                self._ready.set()
        self._ready.set()

    def log(self):
        with self._lock:
            return "".join(self.lines)

    def wait_for_log(self, text, limit_s=5.0):
        """True once a line of the log contains text."""
        return wait_until(lambda: text in self.log(), limit_s)

    def rss_kib(self):
        """The resident set of the process (VmRSS in /proc/PID/status), in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS line")

    def signal(self, signum=signal.SIGTERM):
        self.proc.send_signal(signum)

    def wait(self, timeout):
        """The exit status, or None if the process is still running after timeout seconds."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._reader.join(5)
        return status

    def cpu_seconds(self):
        """utime + stime of the process (all its threads), from /proc/PID/stat."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
        return ticks / os.sysconf("SC_CLK_TCK")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def connect(port, timeout=5.0):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def request(path, headers=""):
    # The Host a client of http://127.0.0.1:PORT/ sends; the admin listener refuses names it
    # does not know (docs/admin.md, "Which requests are served").
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()


def read_response(sock, deadline_s=10.0):
    """Reads one response with a Content-Length body. Returns (status, head text, body bytes)."""
    data = b""
    end = time.monotonic() + deadline_s
    while b"\r\n\r\n" not in data:
        if time.monotonic() > end:
            raise TimeoutError("no complete response head: %r" % data[:200])
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("EOF before a complete response head: %r" % data[:200])
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    head = head.decode("latin-1")
    length = int(re.search(r"\r\nContent-Length: (\d+)", head).group(1))
    while len(body) < length:
        if time.monotonic() > end:
            raise TimeoutError("short body")
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("EOF inside the body")
        body += chunk
    return int(head.split(" ", 2)[1]), head, body


def get(port, path, timeout=5.0):
    """One GET on a fresh connection: (status, head, body)."""
    with connect(port, timeout) as sock:
        sock.sendall(request(path, "Connection: close\r\n"))
        return read_response(sock, timeout)


def serves(port, path="/"):
    """True if a GET of path on a fresh connection is answered 200."""
    try:
        return get(port, path)[0] == 200
    except (OSError, EOFError):
        return False


def post(port, path, timeout=5.0):
    """A POST without a body on a fresh connection, as `curl -X POST` sends it: (status, head,
    body). The Host is the loopback address the admin listener serves."""
    with connect(port, timeout) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                     "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
        return read_response(sock, timeout)


def wait_until(predicate, limit_s, step_s=0.01):
    end = time.monotonic() + limit_s
    while True:
        if predicate():
            return True
        if time.monotonic() > end:
            return False
        time.sleep(step_s)


def peer_ended(sock, limit_s=5.0):
    """How the peer ended the connection: 'eof', 'reset', or 'open' if neither within limit_s.
    Any bytes still arriving are read and discarded."""
    sock.settimeout(limit_s)
    try:
        while True:
            if not sock.recv(65536):
                return "eof"
    except ConnectionResetError:
        return "reset"
    except socket.timeout:
        return "open"


class Check:
    """Collects failed expectations so a script reports all of them, then exits 1 if any."""

    def __init__(self, name):
        self.name = name
        self.failures = []

    def __call__(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.failures.append(what)
        return ok

    def finish(self, server=None):
        if self.failures and server is not None:
            print("---- server log ----\n" + server.log()[-6000:])
        print(f"{self.name}: {len(self.failures)} failed", flush=True)
        return 1 if self.failures else 0
