#!/usr/bin/env python3
"""/stream honours back-pressure: a client that stops reading holds the server to a bounded
amount of memory, and once it reads again the stream goes on and completes.

The client asks for /stream?chunks=400000&ms=0, about 7 MiB of chunked answer, with a small
receive buffer, and reads nothing. The server may queue what keeps the socket busy (the
connection's high-water mark, 256 KiB, plus the kernel's buffers), not the whole answer: its
resident memory must not grow by more than MAX_GROWTH_KIB while the client is stalled. Then the
client reads to the end, and every chunk must be there, in order, followed by the last chunk.
Usage: stream_backpressure_test.py CLOSEWISE
"""

import socket
import sys
import time

from closewise_process import Check, Closewise, connect, request

CHUNKS = 400_000
MAX_GROWTH_KIB = 3 * 1024  # well under the 7 MiB the whole answer would take
STALL_S = 1.5


def settled_rss(server, limit_s):
    """The server's RSS once it stops changing (the producer has stopped), or after limit_s."""
    end = time.monotonic() + limit_s
    last = server.rss_kib()
    while time.monotonic() < end:
        time.sleep(0.25)
        now = server.rss_kib()
        if abs(now - last) < 64:
            return now
        last = now
    return last


def read_to_end(sock, limit_s):
    """Reads until the last chunk (0 CRLF CRLF) or EOF; returns the bytes."""
    sock.settimeout(limit_s)
    data = bytearray()
    end = time.monotonic() + limit_s
    try:
        while not data.endswith(b"\r\n0\r\n\r\n") and time.monotonic() < end:
            piece = sock.recv(1 << 20)
            if not piece:
                break
            data += piece
    except (socket.timeout, ConnectionResetError):
        pass  # the caller checks what arrived
    return bytes(data)


def chunk_payloads(body):
    """The payloads of a chunked body, or None if its framing is broken."""
    payloads, i = [], 0
    while True:
        crlf = body.find(b"\r\n", i)
        if crlf < 0:
            return None
        size = int(body[i:crlf], 16)
        if size == 0:
            return payloads
        payloads.append(body[crlf + 2:crlf + 2 + size])
        i = crlf + 2 + size + 2


def main(binary):
    check = Check("stream back-pressure")
    with Closewise(binary) as server:
        # Warm up with a small stream read to the end, so the baseline counts what any stream
        # allocates once.
        with connect(server.port) as warm:
            warm.sendall(request("/stream?chunks=1000&ms=0", "Connection: close\r\n"))
            read_to_end(warm, 2.0)
        baseline = settled_rss(server, 2.0)

        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", server.port))
        sock.sendall(request(f"/stream?chunks={CHUNKS}&ms=0"))
        time.sleep(STALL_S)
        stalled = settled_rss(server, 3.0)
        growth = stalled - baseline
        check(growth < MAX_GROWTH_KIB,
              f"a stalled reader grows the server by {growth} KiB (limit {MAX_GROWTH_KIB} KiB)")

        started = time.monotonic()
        data = read_to_end(sock, 30.0)
        took = time.monotonic() - started
        sock.close()
        head, _, body = data.partition(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.1 200 OK\r\n") and b"Transfer-Encoding: chunked" in head,
              f"a chunked 200 ({head[:40]!r})")
        payloads = chunk_payloads(body)
        expected = [b"chunk %d\n" % i for i in range(CHUNKS)]
        check(payloads == expected,
              f"all {CHUNKS} chunks arrive in order once the client reads "
              f"({'broken framing' if payloads is None else len(payloads)} chunks, "
              f"{len(data)} bytes in {took:.1f} s)")
        return check.finish(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
