#!/usr/bin/env python3
"""Uses examples/items-service as a client program would, with Python's http.client: create,
read and list items, send bad JSON, ask for an unknown id, and call the backend through the
front copy's named upstream. Every answer must be JSON with the status the service promises.

It also uploads: a body streamed to a file through POST /uploads, with a Content-Length and
chunked, and a client that leaves mid-upload, whose partial file must not stay behind.

Usage: items_service_client.py BACKEND_PORT FRONT_PORT UPLOAD_DIR
(FRONT's upstream "backend" is BACKEND; BACKEND has no upstream and stores its uploads in
UPLOAD_DIR.)"""
import hashlib
import http.client
import json
import os
import socket
import struct
import sys
import time


def call(port, method, path, body=None):
    """One exchange on a fresh connection: (status, parsed JSON body, response)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        content_type = response.getheader("Content-Type", "")
        if content_type != "application/json":
            raise AssertionError(f"{method} {path}: Content-Type {content_type!r}: {raw!r}")
        return response.status, json.loads(raw), response
    finally:
        connection.close()


def item_path(item):
    return f"/items/{item['id']}"


def expect(port, method, path, status, body=None, location=None):
    got, answer, response = call(port, method, path, body)
    if got != status:
        raise AssertionError(f"{method} {path}: {got} {answer}, expected {status}")
    if location is not None and response.getheader("Location") != location(answer):
        raise AssertionError(f"{method} {path}: Location {response.getheader('Location')!r}")
    return answer


def wait_until(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def stored(upload_dir, answer):
    with open(os.path.join(upload_dir, answer["file"]), "rb") as f:
        return f.read()


def upload(port, upload_dir, body, chunked=False):
    """POST /uploads; the file it names must hold exactly the bytes sent."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        if chunked:
            pieces = (body[i:i + 100_000] for i in range(0, len(body), 100_000))
            connection.request("POST", "/uploads", body=pieces, encode_chunked=True)
        else:
            connection.request("POST", "/uploads", body=body)
        response = connection.getresponse()
        answer = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 201, (response.status, answer)
    assert answer["bytes"] == len(body), (answer, len(body))
    content = stored(upload_dir, answer)
    assert hashlib.sha256(content).digest() == hashlib.sha256(body).digest(), \
        f"{answer['file']}: {len(content)} bytes stored differ from the {len(body)} sent"
    return answer


def upload_too_large(port, upload_dir):
    """A chunked body that grows past --max-body-bytes (16 MiB) gets 413 at the chunk that
    crosses it, and what was stored of it goes."""
    before = set(os.listdir(upload_dir))
    body = os.urandom(17 << 20)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        pieces = (body[i:i + (1 << 20)] for i in range(0, len(body), 1 << 20))
        try:
            connection.request("POST", "/uploads", body=pieces, encode_chunked=True)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the service answered and closed while the rest was still being sent
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 413, response.status
    left = lambda: set(os.listdir(upload_dir)) - before
    assert wait_until(lambda: not left()), f"left behind by a body over the limit: {left()}"


def leave_mid_upload(port, upload_dir, reset):
    """Announces 8 MiB, sends 1 MiB, and closes (FIN) or resets (RST): the upload had a file
    while it ran, and the file must be gone once the service notices."""
    before = set(os.listdir(upload_dir))
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(b"POST /uploads HTTP/1.1\r\nHost: items\r\nContent-Length: 8388608\r\n\r\n")
    client.sendall(os.urandom(1 << 20))
    partial = lambda: set(os.listdir(upload_dir)) - before
    assert wait_until(lambda: len(partial()) == 1), f"no file while uploading: {partial()}"
    if reset:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    assert wait_until(lambda: not partial()), f"left behind after the client left: {partial()}"


def main():
    backend, front, upload_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    before = expect(backend, "GET", "/items", 200)
    first = expect(backend, "POST", "/items", 201, json.dumps({"name": "lamp", "price": 12}),
                   location=item_path)
    second = expect(backend, "POST", "/items", 201, json.dumps({"name": "désk"}))
    assert first["name"] == "lamp" and first["price"] == 12, first
    assert second["id"] != first["id"], (first, second)
    assert expect(backend, "GET", f"/items/{first['id']}", 200) == first
    assert expect(backend, "GET", "/items", 200) == before + [first, second]

    for bad in ['{"name": ', "not json", "\xff"]:
        error = expect(backend, "POST", "/items", 400, bad.encode("latin-1"))
        assert "error" in error, error
    expect(backend, "POST", "/items", 422, "[1, 2]")  # JSON, but not an object
    connection = http.client.HTTPConnection("127.0.0.1", backend, timeout=5)
    connection.request("POST", "/items", body='{"name": "x"}', headers={"Content-Type": "text/plain"})
    response = connection.getresponse()
    assert response.status == 415 and "error" in json.loads(response.read()), response.status
    connection.close()
    for unknown in ["999999", "abc", "1x", "-1"]:
        expect(backend, "GET", f"/items/{unknown}", 404)
    # The parameter is decoded ("%31" is "1"), and it is one segment: /items/ID/x is no route.
    encoded = "".join(f"%{ord(digit):02X}" for digit in str(first["id"]))
    assert expect(backend, "GET", f"/items/{encoded}", 200) == first
    connection = http.client.HTTPConnection("127.0.0.1", backend, timeout=5)
    connection.request("GET", f"/items/{first['id']}/x")
    assert connection.getresponse().status == 404, "/items/ID/x reached a route"
    connection.close()
    assert len(expect(backend, "GET", "/items", 200)) == len(before) + 2, "a bad request added"

    expect(backend, "GET", "/backend-time", 503)  # the backend has no upstream of its own
    via_front = expect(front, "GET", "/backend-time", 200)
    assert via_front["backend_status"] == 404 and via_front["date"].endswith(" GMT"), via_front

    upload(backend, upload_dir, b"")
    big = os.urandom(8 << 20)
    stored_big = upload(backend, upload_dir, big)
    # Hashed on the thread pool: the same digest as ours, and names it never made are unknown.
    digest = expect(backend, "GET", f"/uploads/{stored_big['file']}/sha256", 200)
    assert digest == {"file": stored_big["file"], "bytes": len(big),
                      "sha256": hashlib.sha256(big).hexdigest()}, digest
    for name in ["upload-zzzzzz", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "upload-"]:
        expect(backend, "GET", f"/uploads/{name}/sha256", 404)
    upload(backend, upload_dir, os.urandom(3 << 20), chunked=True)
    upload_too_large(backend, upload_dir)
    leave_mid_upload(backend, upload_dir, reset=False)
    leave_mid_upload(backend, upload_dir, reset=True)
    upload(backend, upload_dir, b"still serving after clients left mid-upload")
    print("PASS: create, read, list, bad JSON 400, unknown id 404, /backend-time through 'backend',"
          " uploads stored whole, none left behind by a client that left mid-upload")
    return 0


if __name__ == "__main__":
    sys.exit(main())
