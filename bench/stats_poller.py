#!/usr/bin/env python3
"""Polls an admin URL at a fixed rate, like a metrics scraper, for the admin-cost benchmark.

One keep-alive connection (as Prometheus keeps one per target), one `GET` every 1/--hz seconds on
a fixed schedule, for --duration seconds. Runs in its own process, pinned by the caller to the
load generator's CPU, so its own work is never counted as the server's.

Prints one JSON object: {"path": P, "polls": N, "statuses": {...}, "errors": {...}}.
"""

import argparse
import http.client
import json
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/stats")
    parser.add_argument("--hz", type=float, default=10.0)
    parser.add_argument("--duration", type=float, required=True)
    args = parser.parse_args()

    statuses = {}
    errors = {}
    polls = 0
    connection = None
    period = 1.0 / args.hz
    started = time.monotonic()
    next_poll = started
    while next_poll < started + args.duration:
        time.sleep(max(0.0, next_poll - time.monotonic()))
        next_poll += period
        polls += 1
        try:
            if connection is None:
                connection = http.client.HTTPConnection(args.host, args.port, timeout=5)
            connection.request("GET", args.path)
            response = connection.getresponse()
            response.read()
            key = str(response.status)
            statuses[key] = statuses.get(key, 0) + 1
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as error:
            name = type(error).__name__
            errors[name] = errors.get(name, 0) + 1
            if connection is not None:
                connection.close()
            connection = None
    if connection is not None:
        connection.close()
    json.dump({"path": args.path, "polls": polls, "statuses": statuses, "errors": errors},
              sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
