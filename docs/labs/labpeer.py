#!/usr/bin/env python3
"""The other end of every lab: small naive servers and scripted clients (stdlib only).

The naive servers are deliberately wrong, each in exactly one way that a real service gets wrong,
so the lab can show what the mistake looks like from outside. They are NOT closewise and they are
not examples to copy. Each subcommand prints `key=value` lines that the lab scripts read; every
loop is bounded in count and in time, so a lab can never hang on this program.

    labpeer.py serve-leak        --port P [--keepalive]   forgets to close after the peer's FIN
    labpeer.py serve-no-accept   --port P --backlog N --go-file F   accepts only once F exists
    labpeer.py serve-linger0     --port P --bytes N  answers, then close() with SO_LINGER {1, 0}
    labpeer.py serve-close-early --port P            answers 400, then close() with input unread
    labpeer.py serve-inactivity  --port P --timeout S   only a per-read timeout on the head
    labpeer.py serve-idle-close  --port P --idle S   closes a connection S seconds after its answer
    labpeer.py churn         --port P --count N   one request per connection, client closes
    labpeer.py wait-server-close --port P --count N   keep-alive requests, wait for the server's FIN
    labpeer.py per-request   --port P --count N [--keepalive] [--reuseaddr] [--bind-ports A-B]
                             [--path X]
    labpeer.py bind-connect  --port P [--bind-port N] [--reuseaddr] [--no-port] [--request]
    labpeer.py hold-many     --port P --count N --seconds S     opens connections, never closes
    labpeer.py connect-many  --port P --count N --spacing S     times each connect
    labpeer.py slow-reader   --port P --path X --delay S        reads its answer late
    labpeer.py post-bad-header --port P --body-bytes N          head error while still sending
    labpeer.py dribble       --port P --interval S --max-seconds S   slowloris
    labpeer.py hold          --port P --path X --seconds S      sends a request, then waits
    labpeer.py close-pairs   --port P --seconds S               one FIN_WAIT_2 and one TIME_WAIT
    labpeer.py make-time-waits --port P --count N               N TIME_WAITs on the client side
    labpeer.py keepalive-pair --port P --method M --go-file F   two requests on one connection,
                                                                the second when F exists
"""

import argparse
import errno
import os
import selectors
import socket
import struct
import sys
import time


def say(key, value):
    print(f"{key}={value}", flush=True)


def err_name(exc):
    code = getattr(exc, "errno", None)
    if code is None:
        return type(exc).__name__
    return errno.errorcode.get(code, str(code))


# Linux's IP_BIND_ADDRESS_NO_PORT (include/uapi/linux/in.h), which Python does not name.
IP_BIND_ADDRESS_NO_PORT = 24


def listener(host, port, backlog=16):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


def read_head(sock, limit=65536):
    """Reads until the blank line that ends a request or response head; returns all bytes read."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def read_response(sock):
    """Reads one response with a Content-Length; returns (status, body bytes read)."""
    data = read_head(sock)
    if b"\r\n\r\n" not in data:
        raise ConnectionError("no complete response head")
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("EOF inside the body")
        body += chunk
    return status, body


def request(path, host="lab", close=False):
    extra = "Connection: close\r\n" if close else ""
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode()


# ---- naive servers ------------------------------------------------------------------------------

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"


def serve_leak(args):
    """Answers every request, and on the peer's FIN stops watching the socket but never closes it.

    This is the CLOSE_WAIT bug in its commonest form: the code that handles EOF returns early
    (or throws) before the close, and the connection object stays referenced from a table.
    """
    lsock = listener(args.host, args.port)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ)
    leaked = {}  # fd -> socket: the table nobody removes from
    if args.keepalive:
        say("keepalive", "idle 1 s, interval 1 s, 2 probes")
    accepted = 0
    emfile = 0
    say("listening", lsock.getsockname()[1])
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            if key.fileobj is lsock:
                try:
                    conn, _ = lsock.accept()
                except OSError as exc:
                    if exc.errno in (errno.EMFILE, errno.ENFILE):
                        if emfile == 0:
                            say("accept_error", f"{err_name(exc)} after {accepted} connections")
                        emfile += 1
                        time.sleep(0.05)  # the listener stays readable; do not spin
                        continue
                    raise
                accepted += 1
                if args.keepalive:
                    # The folk fix for CLOSE_WAIT, applied on the socket itself so that the
                    # sysctls' defaults do not matter: probe after 1 s, every 1 s, 2 probes.
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
                leaked[conn.fileno()] = conn
                sel.register(conn, selectors.EVENT_READ)
                continue
            conn = key.fileobj
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            if data:
                if b"\r\n\r\n" in data:
                    conn.sendall(OK)
                continue
            sel.unregister(conn)  # EOF: the bug is the missing conn.close() right here
    say("accepted", accepted)
    say("emfile_errors", emfile)


def serve_linger0(args):
    """Answers with N bytes and closes with SO_LINGER {1, 0}, the folk fix for TIME_WAIT."""
    lsock = listener(args.host, args.port)
    say("listening", lsock.getsockname()[1])
    lsock.settimeout(args.max_seconds)
    conn, _ = lsock.accept()
    read_head(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % args.bytes + b"x" * args.bytes)
    # sendall returned: every byte is in OUR kernel's send queue, not yet in the peer's hands.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    say("closed_with", "SO_LINGER{1,0}")


def serve_close_early(args):
    """Reads the head, answers 400, and closes at once with the request body still arriving."""
    lsock = listener(args.host, args.port)
    say("listening", lsock.getsockname()[1])
    lsock.settimeout(args.max_seconds)
    conn, _ = lsock.accept()
    conn.recv(65536)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\nConnection: close\r\n\r\n"
                 b"bad request\n")
    conn.close()  # unread input in the receive queue: the kernel sends RST, not FIN
    say("closed_with", "close() with unread input")


def serve_inactivity(args):
    """Waits for a request head with only a per-read timeout, as many servers and proxies do."""
    lsock = listener(args.host, args.port)
    say("listening", lsock.getsockname()[1])
    lsock.settimeout(args.max_seconds)
    conn, _ = lsock.accept()
    conn.settimeout(args.timeout)  # re-armed by every recv: a byte a second keeps it alive
    started = time.monotonic()
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        if b"\r\n\r\n" in data:
            conn.sendall(OK)
    except socket.timeout:
        conn.sendall(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n")
    conn.close()
    say("held_seconds", f"{time.monotonic() - started:.1f}")


def serve_idle_close(args):
    """Answers every request and closes a connection `--idle` seconds after its last answer, as a
    server with a short keep-alive timeout does (nginx's keepalive_timeout, Node's
    keepAliveTimeout). Nothing is wrong with this one: it is the upstream a client has to expect.
    The answer does not announce the close, since an idle timeout cannot know it will expire."""
    lsock = listener(args.host, args.port, backlog=128)
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ)
    close_at = {}  # socket -> when it has been idle long enough
    accepted = closed = answered = 0
    say("listening", lsock.getsockname()[1])
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.01):
            if key.fileobj is lsock:
                conn, _ = lsock.accept()
                accepted += 1
                sel.register(conn, selectors.EVENT_READ)
                continue
            conn = key.fileobj
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            if not data:
                sel.unregister(conn)
                close_at.pop(conn, None)
                conn.close()
                continue
            if b"\r\n\r\n" in data:
                conn.sendall(OK)
                answered += 1
                close_at[conn] = time.monotonic() + args.idle
        now = time.monotonic()
        for conn in [c for c, at in close_at.items() if at <= now]:
            sel.unregister(conn)
            del close_at[conn]
            conn.close()  # our FIN first: the client must notice it and close its end
            closed += 1
            say("closed_idle", closed)  # as it happens: the lab reads it while this still runs
    say("accepted", accepted)
    say("answered", answered)


def serve_no_accept(args):
    """Listens with a small backlog and does not call accept() until `--go-file` exists, as a
    server whose accept loop is stalled (blocked on a lock, a full thread pool, a long GC pause)
    does. Then it accepts whatever is queued and holds it until the time is up."""
    lsock = listener(args.host, args.port, backlog=args.backlog)
    say("listening", lsock.getsockname()[1])
    deadline = time.monotonic() + args.max_seconds
    while not os.path.exists(args.go_file) and time.monotonic() < deadline:
        time.sleep(0.01)
    lsock.settimeout(0.2)
    held = []
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline:
        try:
            conn, _ = lsock.accept()
        except socket.timeout:
            continue
        held.append(conn)
        say("accepted", len(held))


# ---- clients ------------------------------------------------------------------------------------


def connect(args, timeout=None):
    sock = socket.create_connection((args.host, args.port), timeout=timeout or args.timeout)
    return sock


def churn(args):
    """Clients come and go: connect, one request, read the answer, close (the client's FIN)."""
    ok = failed = consecutive = 0
    first_error = "none"
    for _ in range(args.count):
        try:
            with connect(args) as sock:
                sock.sendall(request("/"))
                status, _ = read_response(sock)
                if status != 200:
                    raise ConnectionError(f"status {status}")
            ok += 1
            consecutive = 0
        except (OSError, ConnectionError) as exc:
            failed += 1
            consecutive += 1
            if first_error == "none":
                first_error = f"{err_name(exc)} at request {ok + failed}"
            if consecutive >= 3:
                break  # the server has stopped answering; more attempts only add waiting
    say("ok", ok)
    say("failed", failed)
    say("first_error", first_error)


def wait_server_close(args):
    """Opens N keep-alive connections, one request each, and waits for the server to close them."""
    socks = []
    for _ in range(args.count):
        sock = connect(args)
        sock.sendall(request("/"))
        read_response(sock)
        socks.append(sock)
    eof = 0
    for sock in socks:
        sock.settimeout(args.timeout)
        try:
            if sock.recv(1) == b"":
                eof += 1  # the server's FIN: it closed first
        except OSError:
            pass
        sock.close()
    say("connections", len(socks))
    say("server_closed_first", eof)


def per_request(args):
    """Many requests to one server: a new connection each (client closes first), or keep-alive."""
    ok = 0
    first_error = "none"
    sock = None
    bind_ports = []
    if args.bind_ports:
        low, high = (int(p) for p in args.bind_ports.split("-"))
        bind_ports = list(range(low, high + 1))
    started = time.monotonic()
    for i in range(args.count):
        try:
            if sock is None:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                if args.reuseaddr:
                    # The folk fix. Without a bind() it changes nothing: connect() picks its port
                    # without looking at it. With one, see bind_connect.
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if bind_ports:
                    # A client that chooses its own ports, in turn, as the write-ups' clients do.
                    sock.bind(("0.0.0.0", bind_ports[i % len(bind_ports)]))
                sock.settimeout(args.timeout)
                sock.connect((args.host, args.port))
            sock.sendall(request(args.path))
            status, _ = read_response(sock)
            if status != 200:
                raise ConnectionError(f"status {status}")
            ok += 1
            if not args.keepalive:
                sock.close()  # our FIN goes first, so this end keeps TIME_WAIT (and the port)
                sock = None
        except OSError as exc:
            first_error = f"{err_name(exc)} at request {i + 1}"
            say("first_error_text", os.strerror(exc.errno) if exc.errno else str(exc))
            break
    if sock is not None:
        sock.close()
    say("ok", ok)
    say("first_error", first_error)
    say("seconds", f"{time.monotonic() - started:.2f}")


def slow_reader(args):
    """Sends a request, then reads the answer only after a delay, as a busy client does."""
    got = 0
    outcome = "eof"
    with connect(args) as sock:
        sock.sendall(request(args.path, close=True))
        time.sleep(args.delay)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                got += len(chunk)
                time.sleep(0.001)  # a client that does work per piece: it drains, but not at once
        except OSError as exc:
            outcome = err_name(exc)
    say("received_bytes", got)
    say("ended_with", outcome)


def post_bad_header(args):
    """Sends a request whose head is invalid, with a large body, all of it, then reads the answer:
    the order almost every HTTP client library uses (send the request, then read the response).

    Reports what such a library reports (`library_saw`: the status it read, or the error its send
    failed with, since it gives up there), and, when the send failed, what was in the receive
    queue all the same (`unread_answer`): on Linux, data that arrived before an RST stays
    readable, so the answer it never showed its user was there."""
    head = (f"POST /echo HTTP/1.1\r\nHost: lab\r\nBad Header: space in the name\r\n"
            f"Content-Length: {args.body_bytes}\r\n\r\n").encode()
    piece = b"y" * 65536
    sent = 0
    send_error = "none"
    library_saw = "none"
    unread = "-"
    with connect(args) as sock:
        try:
            sock.sendall(head)
            while sent < args.body_bytes:
                sent += sock.send(piece[: min(len(piece), args.body_bytes - sent)])
        except OSError as exc:
            send_error = err_name(exc)
        if send_error == "none":
            try:
                library_saw = read_response(sock)[0]
            except (OSError, ConnectionError) as exc:
                library_saw = f"read failed: {err_name(exc)}"
        else:
            library_saw = send_error
            # Read on regardless, which almost no library does: is the answer there?
            try:
                data = sock.recv(65536)
                unread = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "none"
            except OSError as exc:
                unread = f"none ({err_name(exc)})"
    say("body_bytes_sent", sent)
    say("send_error", send_error)
    say("library_saw", library_saw)
    say("unread_answer", unread)


def dribble(args):
    """Slowloris: a request head sent one byte at a time, never finished."""
    head = b"GET / HTTP/1.1\r\nHost: lab\r\n" + b"X-Slow: " + b"a" * 4096
    started = time.monotonic()
    sent = 0
    answer = b""
    ended = "still open"
    with connect(args) as sock:
        sock.setblocking(False)
        while time.monotonic() - started < args.max_seconds and sent < len(head):
            try:
                sock.send(head[sent:sent + 1])
                sent += 1
            except BlockingIOError:
                pass
            except OSError as exc:
                ended = f"send failed: {err_name(exc)}"
                break
            time.sleep(args.interval)
            try:
                chunk = sock.recv(4096)
                if chunk:
                    answer += chunk
                    continue
                ended = "closed by server"
                break
            except BlockingIOError:
                continue
            except OSError as exc:
                ended = f"reset: {err_name(exc)}"
                break
    status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "none"
    say("held_seconds", f"{time.monotonic() - started:.1f}")
    say("bytes_sent", sent)
    say("answer_status", status)
    say("ended", ended)


def hold(args):
    """Sends one request and then waits without reading, until killed or `--seconds` pass."""
    with connect(args) as sock:
        sock.sendall(request(args.path))
        say("sent", args.path)
        time.sleep(args.seconds)


def bind_connect(args):
    """One socket, one step at a time: optional SO_REUSEADDR, optional bind() (to a given port, or
    to port 0, optionally with IP_BIND_ADDRESS_NO_PORT), connect(), and optionally one request
    with `Connection: close`, closing only after the server has. Prints how each step ended, so a
    lab can show which one fails."""
    bind_result = connect_result = status = "-"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(args.timeout)
        if args.reuseaddr:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if args.no_port:
            sock.setsockopt(socket.SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        try:
            if args.bind_port >= 0:
                bind_result = "error"
                sock.bind(("0.0.0.0", args.bind_port))
                bind_result = "ok"
            connect_result = "error"
            sock.connect((args.host, args.port))
            connect_result = "ok"
            say("local_port", sock.getsockname()[1])
            if args.request:
                sock.sendall(request("/", close=True))
                status, _ = read_response(sock)
                # Wait for the server's FIN before closing, so the server surely closed first.
                say("server_closed_first", "yes" if sock.recv(1) == b"" else "no")
        except (OSError, ConnectionError) as exc:
            if bind_result == "error":
                bind_result = err_name(exc)
            elif connect_result == "error":
                connect_result = err_name(exc)
            else:
                status = err_name(exc)
    say("bind", bind_result)
    say("connect", connect_result)
    say("status", status)


def hold_many(args):
    """Opens connections, one request each, and keeps every one: a pool that leaks. Stops at the
    first connect() that fails, then holds what it has for `--seconds`."""
    held = []
    first_error = "none"
    for i in range(args.count):
        try:
            sock = connect(args)
            sock.sendall(request("/"))
            read_response(sock)
            held.append(sock)
        except (OSError, ConnectionError) as exc:
            first_error = f"{err_name(exc)} at connection {i + 1}"
            break
    say("opened", len(held))
    say("first_error", first_error)
    say("holding", "yes")
    time.sleep(args.seconds)
    for sock in held:
        sock.close()


def connect_many(args):
    """Starts `--count` connects, `--spacing` seconds apart (each handshake completes before the
    next SYN leaves), and watches all of them until they complete or `--timeout` passes: how long
    each took shows which SYNs the server dropped and the client had to send again."""
    sel = selectors.DefaultSelector()
    started = []
    took = [None] * args.count

    def watch(until):
        while sel.get_map() and time.monotonic() < until:
            for key, _ in sel.select(timeout=max(0.0, until - time.monotonic())):
                sel.unregister(key.fileobj)
                if key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    took[key.data] = time.monotonic() - started[key.data]

    socks = []
    for index in range(args.count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        started.append(time.monotonic())
        try:
            sock.connect((args.host, args.port))
        except BlockingIOError:
            pass
        socks.append(sock)
        sel.register(sock, selectors.EVENT_WRITE, index)
        watch(time.monotonic() + args.spacing)
    watch(time.monotonic() + args.timeout)
    say("times", ",".join("-" if t is None else f"{t:.2f}" for t in took))
    say("connected", sum(t is not None for t in took))
    say("at_once", sum(t is not None and t < 0.2 for t in took))
    say("after_a_retry", sum(t is not None and t >= 0.8 for t in took))
    for sock in socks:
        sock.close()


def make_time_waits(args):
    """Makes `--count` TIME_WAITs on the client side: connect, the client closes first, then the
    server. Listener and clients both live in this process."""
    lsock = listener(args.host, args.port, backlog=args.count + 1)
    made = 0
    for _ in range(args.count):
        client = socket.create_connection((args.host, lsock.getsockname()[1]))
        server, _ = lsock.accept()
        client.close()
        server.recv(1)  # the client's FIN: now the server's close ends the client in TIME_WAIT
        server.close()
        made += 1
    say("closed", made)
    time.sleep(args.seconds)


def keepalive_pair(args):
    """Two requests on one kept-alive connection, as a balancer's client sends them: the first at
    once, the second when `--go-file` exists (the lab creates it at the moment it wants)."""
    body = b"hello\n"
    def one():
        if args.method == "POST":
            sock.sendall(f"POST {args.path} HTTP/1.1\r\nHost: lab\r\nContent-Length: {len(body)}"
                         f"\r\n\r\n".encode() + body)
        else:
            sock.sendall(request(args.path))
        return read_response(sock)[0]
    with connect(args) as sock:
        say("first", one())
        deadline = time.monotonic() + args.max_seconds
        while not os.path.exists(args.go_file) and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            say("second_sent", args.method)
            say("second", one())
        except (OSError, ConnectionError) as exc:
            say("second", f"error {err_name(exc)}")


def close_pairs(args):
    """Makes one orphaned FIN_WAIT_2 and one TIME_WAIT on the client side, then holds.

    Pair 1: the client closes, the server never does, so the client socket (already released by
    its program) waits in FIN_WAIT_2 for a FIN that never comes. Pair 2: the client closes first,
    the server closes after, so the client socket ends in TIME_WAIT.
    """
    lsock = listener(args.host, args.port)
    fin_wait_client = socket.create_connection((args.host, args.port))
    held_server_side, _ = lsock.accept()  # kept open: that is the point
    say("fin_wait_2_port", fin_wait_client.getsockname()[1])
    time_wait_client = socket.create_connection((args.host, args.port))
    tw_server_side, _ = lsock.accept()
    say("time_wait_port", time_wait_client.getsockname()[1])
    fin_wait_client.close()
    time_wait_client.close()
    time.sleep(0.1)
    tw_server_side.close()
    say("closed", "both")
    time.sleep(args.seconds)
    held_server_side.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name, fn, **extra):
        p = sub.add_parser(name)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--timeout", type=float, default=2.0)
        p.add_argument("--max-seconds", type=float, default=60.0)
        for flag, kw in extra.items():
            p.add_argument("--" + flag.replace("_", "-"), **kw)
        p.set_defaults(fn=fn)

    add("serve-leak", serve_leak, keepalive=dict(action="store_true"))
    add("serve-no-accept", serve_no_accept, backlog=dict(type=int, default=4),
        go_file=dict(required=True))
    add("serve-linger0", serve_linger0, bytes=dict(type=int, default=8 << 20))
    add("serve-close-early", serve_close_early)
    add("serve-inactivity", serve_inactivity)
    add("serve-idle-close", serve_idle_close, idle=dict(type=float, default=0.05))
    add("churn", churn, count=dict(type=int, default=100))
    add("wait-server-close", wait_server_close, count=dict(type=int, default=10))
    add("per-request", per_request, count=dict(type=int, default=300),
        keepalive=dict(action="store_true"), reuseaddr=dict(action="store_true"),
        bind_ports=dict(default=""), path=dict(default="/"))
    add("bind-connect", bind_connect, bind_port=dict(type=int, default=-1),
        reuseaddr=dict(action="store_true"), no_port=dict(action="store_true"),
        request=dict(action="store_true"))
    add("hold-many", hold_many, count=dict(type=int, default=200),
        seconds=dict(type=float, default=10.0))
    add("connect-many", connect_many, count=dict(type=int, default=8),
        spacing=dict(type=float, default=0.05))
    add("slow-reader", slow_reader, path=dict(default="/"), delay=dict(type=float, default=0.3))
    add("post-bad-header", post_bad_header, body_bytes=dict(type=int, default=16 << 20))
    add("dribble", dribble, interval=dict(type=float, default=0.3))
    add("hold", hold, path=dict(default="/"), seconds=dict(type=float, default=60.0))
    add("close-pairs", close_pairs, seconds=dict(type=float, default=30.0))
    add("make-time-waits", make_time_waits, count=dict(type=int, default=10),
        seconds=dict(type=float, default=0.0))
    add("keepalive-pair", keepalive_pair, method=dict(default="GET"), path=dict(default="/"),
        go_file=dict(required=True))
    args = parser.parse_args()
    args.fn(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
