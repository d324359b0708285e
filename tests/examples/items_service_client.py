#!/usr/bin/env python3
"""Uses examples/items-service as a client program would, with Python's http.client: create,
read and list items, send bad JSON, ask for an unknown id, and call the backend through the
front copy's named upstream. Every answer must be JSON with the status the service promises.

Usage: items_service_client.py BACKEND_PORT FRONT_PORT
(FRONT's upstream "backend" is BACKEND; BACKEND has no upstream.)"""
import http.client
import json
import sys


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


def main():
    backend, front = int(sys.argv[1]), int(sys.argv[2])
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
    expect(backend, "POST", "/items", 400, "[1, 2]")  # JSON, but not an object
    for unknown in ["999999", "abc", "1x", "-1"]:
        expect(backend, "GET", f"/items/{unknown}", 404)
    assert len(expect(backend, "GET", "/items", 200)) == len(before) + 2, "a bad request added"

    expect(backend, "GET", "/backend-time", 503)  # the backend has no upstream of its own
    via_front = expect(front, "GET", "/backend-time", 200)
    assert via_front["backend_status"] == 404 and via_front["date"].endswith(" GMT"), via_front
    print("PASS: create, read, list, bad JSON 400, unknown id 404, /backend-time through 'backend'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
