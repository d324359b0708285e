#!/usr/bin/env python3
"""Leaves many TIME_WAIT sockets on an HTTP server's port, for the kernel-state query benchmark.

Each connection sends `GET / HTTP/1.1` with `Connection: close`, reads the answer to EOF and then
closes. The server closes first (it answers a "close" request and then sends its FIN, RFC 9112
section 9.6), so the end that goes through TIME_WAIT is the server's (RFC 9293 section 3.6: the
side that closes first waits 2 MSL), and its local port is the server port the query filters on.

Every 4-tuple must be new. A SYN that arrives for the 4-tuple of a socket in TIME_WAIT may recycle
it (Linux accepts one when the timestamps are newer), which would shrink the very population being
built. So the client binds a source address of its own (127.0.0.3 by default, still loopback) and
an explicit source port, counting up from 1025, below the ephemeral range: no other connection of
this benchmark uses that address, and no port repeats within one run.

Prints one JSON object: {"made": N, "in_use": U, "errors": {...}, "seconds": S}.
"""

import argparse
import errno
import json
import selectors
import socket
import sys
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--source", default="127.0.0.3")
    parser.add_argument("--first-port", type=int, default=1025)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    selector = selectors.DefaultSelector()
    started = time.monotonic()
    next_port = args.first_port
    made = 0
    in_use = 0
    errors = {}
    active = 0

    def note(name):
        errors[name] = errors.get(name, 0) + 1

    while made + sum(errors.values()) < args.count or active > 0:
        if time.monotonic() - started > args.timeout:
            note("timeout")
            break
        while active < args.concurrency and made + sum(errors.values()) + active < args.count:
            if next_port > 65535:
                note("out_of_source_ports")
                break
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind((args.source, next_port))
            except OSError as error:
                sock.close()
                next_port += 1
                if error.errno == errno.EADDRINUSE:
                    in_use += 1
                    continue
                raise
            next_port += 1
            sock.setblocking(False)
            err = sock.connect_ex((args.host, args.port))
            if err not in (0, errno.EINPROGRESS):
                sock.close()
                note(errno.errorcode.get(err, str(err)))
                continue
            selector.register(sock, selectors.EVENT_WRITE, "connecting")
            active += 1
        if "out_of_source_ports" in errors and active == 0:
            break
        for key, mask in selector.select(0.1):
            sock = key.fileobj
            if key.data == "connecting":
                err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err == 0:
                    sock.send(REQUEST)
                    selector.modify(sock, selectors.EVENT_READ, "reading")
                    continue
                note(errno.errorcode.get(err, str(err)))
            else:
                try:
                    if sock.recv(65536):
                        continue
                    made += 1  # EOF: the server closed first.
                except OSError as error:
                    note(errno.errorcode.get(error.errno, str(error.errno)))
            selector.unregister(sock)
            sock.close()
            active -= 1

    for key in list(selector.get_map().values()):
        key.fileobj.close()
    json.dump({"made": made, "in_use": in_use, "errors": errors,
               "seconds": round(time.monotonic() - started, 3)}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
