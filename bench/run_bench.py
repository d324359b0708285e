#!/usr/bin/env python3
"""The closewise benchmark of issue 4: closewise against nginx and Node.js on loopback, and of
issue 17: closewise's WebSockets against Node's ws.

Every server answers `GET /` with the same 21-byte text/plain 200. The server runs on CPU 0 and
every load generator (wrk, h2load, the Python clients, this script) on CPU 1, so the two never
compete for a core and the server's CPU time is its own. Each figure is measured for every server
within the same run, the order of the servers rotating from run to run, and reported as the median
over the runs. What each scenario measures, and why that way, is in bench/README.md.

Usage: bench/run_bench.py [--runs 3] [--duration 10] [--idle 10000] ... (see --help)
Writes <results-dir>/<date>-<host>.json and .md and prints the markdown.

Every process it starts and every temporary directory it makes is removed on the way out, also on
an error or Ctrl-C; every load is bounded in both count and time.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import queue
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
BODY = b"hello from closewise\n"
SERVER_CPU = "0"
LOAD_CPU = "1"
SERVERS = ("closewise", "nginx", "node")
SCENARIOS = ("keepalive", "churn", "pipeline", "idle_memory", "drain", "admin", "kernel_query",
             "proxy", "ws_echo", "ws_idle_memory")
# The WebSocket scenarios pit closewise's /ws/echo against Node's ws (bench/node_ws_server.js);
# nginx has no WebSocket server of its own to compare.
WS_SCENARIOS = ("ws_echo", "ws_idle_memory")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------
# Processes and clean-up


class Reaper:
    """Everything this script started, so that every exit path can stop it."""

    def __init__(self):
        self.processes = []
        self.directories = []

    def spawn(self, argv, **kwargs):
        process = subprocess.Popen(argv, **kwargs)
        self.processes.append(process)
        return process

    def tempdir(self, prefix):
        path = tempfile.mkdtemp(prefix=prefix)
        self.directories.append(path)
        return path

    def stop(self, process, sig=signal.SIGTERM, grace=10.0):
        if process.poll() is None:
            try:
                process.send_signal(sig)
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.processes:
            self.processes.remove(process)

    def cleanup(self):
        for process in reversed(list(self.processes)):
            self.stop(process, grace=5.0)
        for path in self.directories:
            shutil.rmtree(path, ignore_errors=True)
        self.directories.clear()


REAPER = Reaper()


def pinned(cpus, argv):
    """argv run on the given CPUs only (taskset keeps the pid: it execs the command)."""
    return ["taskset", "-c", cpus] + list(argv) if cpus else list(argv)


def run_pinned(cpus, argv, timeout):
    """Runs a load generator to completion, bounded in time; returns its stdout."""
    process = REAPER.spawn(pinned(cpus, argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        REAPER.stop(process, signal.SIGKILL)
        raise RuntimeError("%s did not finish within %.0f s" % (argv[0], timeout))
    REAPER.processes.remove(process)
    if process.returncode != 0:
        raise RuntimeError("%s exited with %d:\n%s" % (" ".join(argv), process.returncode, out))
    return out


class JsonLines:
    """Reads a child's stdout, one JSON object a line, without ever blocking the caller."""

    def __init__(self, process):
        self.lines = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            line = line.strip()
            if line.startswith("{"):
                self.lines.put(json.loads(line))
        self.lines.put(None)

    def next(self, event, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                item = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError("no '%s' from the client within %.0f s" % (event, timeout))
            if item is None:
                raise RuntimeError("the client exited before '%s'" % event)
            if item.get("event", event) == event:
                return item


def python_tool(name, *args):
    return [sys.executable, str(BENCH_DIR / name)] + [str(a) for a in args]


# --------------------------------------------------------------------------------------------
# What the kernel says about a process


def cpu_seconds(pid):
    """utime + stime of the whole process (all its threads), from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        # The command name may hold spaces and parentheses; the fields after the last ')' are
        # state (field 3) onwards, so utime (14) and stime (15) are at 11 and 12 here.
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS for pid %d" % pid)


def children_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def wait_exit(process, timeout):
    """Waits for process to exit; returns time.monotonic() at the moment the kernel saw it exit.

    A pidfd becomes readable when the process exits, so the time is not rounded to a polling
    interval."""
    fd = os.pidfd_open(process.pid)
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(timeout * 1000):
            raise RuntimeError("pid %d did not exit within %.0f s" % (process.pid, timeout))
        exited = time.monotonic()
    finally:
        os.close(fd)
    process.wait()
    return exited


def time_wait_counts(port):
    """TIME_WAIT sockets on each side of connections to port: the server's end has sport = port,
    the client's end has dport = port."""
    def count(expression):
        out = subprocess.run(["ss", "-Htan", "state", "time-wait", expression],
                             capture_output=True, text=True, check=True).stdout
        return sum(1 for line in out.splitlines() if line.strip())
    return count("( sport = :%d )" % port), count("( dport = :%d )" % port)


# --------------------------------------------------------------------------------------------
# The three servers


class Server:
    def __init__(self, name, process, port, pid, admin_port=None, workdir=None):
        self.name = name
        self.process = process  # what we signal and wait for
        self.port = port
        self.pid = pid  # what we measure: nginx's worker, the process itself otherwise
        self.admin_port = admin_port
        self.workdir = workdir


def free_port():
    """A port the kernel just handed out for 127.0.0.1. nginx cannot bind port 0 and tell us the
    port, so it gets one of these; a race with another program is detected and retried."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_log(path, pattern, process, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = Path(path).read_text(errors="replace") if Path(path).exists() else ""
        match = re.search(pattern, text)
        if match:
            return match
        if process.poll() is not None:
            raise RuntimeError("server exited with %s:\n%s" % (process.returncode, text[-2000:]))
        time.sleep(0.02)
    raise RuntimeError("no line matching %r within %.0f s" % (pattern, timeout))


def get(port, path="/", timeout=5.0):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_closewise(opts, cpus, workers=1, admin=False, extra=()):
    workdir = REAPER.tempdir("closewise-bench-")
    log = os.path.join(workdir, "stderr.log")
    argv = [opts.closewise, "serve", "--listen", "127.0.0.1:0",
            "--admin", "127.0.0.1:0" if admin else "off", "--workers", str(workers),
            # The idle and drain scenarios hold connections for tens of seconds.
            "--idle-timeout", "10m", *extra]
    with open(log, "w") as stderr:
        process = REAPER.spawn(pinned(cpus, argv), stdout=subprocess.DEVNULL, stderr=stderr)
    match = wait_for_log(log, r"listening on 127\.0\.0\.1:(\d+)", process, 10)
    admin_port = None
    if admin:
        admin_port = int(wait_for_log(log, r"admin on 127\.0\.0\.1:(\d+)", process, 10).group(1))
    return Server("closewise", process, int(match.group(1)), process.pid, admin_port, workdir)


# Where Debian's node-ws lives; Node does not look there by itself.
NODE_PATH = "/usr/share/nodejs"


NGINX_CONF = """\
# nginx from Debian, configured for the benchmark: one worker, nothing but `return 200`.
worker_processes 1;
daemon off;
master_process on;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
worker_rlimit_nofile 20000;
events {{
    worker_connections 19000;
}}
http {{
    access_log off;
    keepalive_timeout 600s;
    keepalive_requests 1000000000;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    {upstreams}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            {location}
        }}
    }}
}}
"""


NGINX_RETURN = 'default_type text/plain; return 200 "hello from closewise\\n";'
# The proxy scenario's nginx: proxy_pass to one upstream through a pool of kept-alive connections
# as large as closewise's default (--upstream-max-connections 32), HTTP/1.1 without the client's
# Connection field, as nginx's documentation for upstream keepalive sets it up.
NGINX_UPSTREAM = "upstream up { server %s; keepalive 32; }"
NGINX_PROXY = 'proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection "";'


def start_nginx(opts, cpus, location=NGINX_RETURN, upstreams=""):
    last_error = None
    for _attempt in range(3):
        workdir = REAPER.tempdir("nginx-bench-")
        # The worker drops to nobody when nginx runs as root; let it use its temp paths.
        os.chmod(workdir, 0o755)
        port = free_port()
        conf = os.path.join(workdir, "nginx.conf")
        Path(conf).write_text(NGINX_CONF.format(workdir=workdir, port=port, location=location,
                                                upstreams=upstreams))
        log = os.path.join(workdir, "stderr.log")
        with open(log, "w") as stderr:
            process = REAPER.spawn(
                pinned(cpus, [opts.nginx, "-p", workdir, "-c", conf, "-e",
                              os.path.join(workdir, "error.log")]),
                stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            workers = children_of(process.pid)
            if workers:
                try:
                    if get(port)[0] == 200:
                        return Server("nginx", process, port, workers[0], workdir=workdir)
                except OSError:
                    pass
            time.sleep(0.02)
        last_error = Path(workdir, "error.log").read_text(errors="replace") \
            if Path(workdir, "error.log").exists() else ""
        REAPER.stop(process)
    raise RuntimeError("nginx did not start:\n" + (last_error or ""))


def start_node(opts, cpus):
    workdir = REAPER.tempdir("node-bench-")
    log = os.path.join(workdir, "stderr.log")
    with open(log, "w") as stderr:
        process = REAPER.spawn(
            pinned(cpus, [opts.node, str(BENCH_DIR / "node_server.js"), "--port", "0"]),
            stdout=subprocess.DEVNULL, stderr=stderr)
    match = wait_for_log(log, r"listening on 127\.0\.0\.1:(\d+)", process, 10)
    return Server("node", process, int(match.group(1)), process.pid, workdir=workdir)


def start_node_ws(opts, cpus):
    workdir = REAPER.tempdir("node-ws-bench-")
    log = os.path.join(workdir, "stderr.log")
    with open(log, "w") as stderr:
        process = REAPER.spawn(
            pinned(cpus, [opts.node, str(BENCH_DIR / "node_ws_server.js"), "--port", "0"]),
            stdout=subprocess.DEVNULL, stderr=stderr,
            env=dict(os.environ, NODE_PATH=NODE_PATH))
    match = wait_for_log(log, r"listening on 127\.0\.0\.1:(\d+)", process, 10)
    return Server("node", process, int(match.group(1)), process.pid, workdir=workdir)


class launch:
    """`with launch(opts, "nginx") as server:` a fresh server, checked, stopped on the way out."""

    def __init__(self, opts, name, cpus=SERVER_CPU, **kwargs):
        self.opts, self.name, self.cpus, self.kwargs = opts, name, cpus, kwargs
        self.server = None

    def __enter__(self):
        starters = {"closewise": start_closewise, "nginx": start_nginx, "node": start_node}
        self.server = starters[self.name](self.opts, self.cpus, **self.kwargs)
        status, body = get(self.server.port)
        if status != 200 or body != BODY:
            raise RuntimeError("%s answered GET / with %d %r, not 200 %r" %
                               (self.name, status, body, BODY))
        return self.server

    def __exit__(self, *exc):
        REAPER.stop(self.server.process)
        return False


# --------------------------------------------------------------------------------------------
# Load generators and their output


def wrk_time_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}[unit]


def run_wrk(opts, port, duration, close=False, cpus=LOAD_CPU, connections=None, path="/"):
    argv = ["wrk", "-t1", "-c%d" % (connections or opts.connections), "-d%ds" % duration,
            "--latency", "--timeout", "5s"]
    if close:
        argv += ["-H", "Connection: close"]
    out = run_pinned(cpus, argv + ["http://127.0.0.1:%d%s" % (port, path)], timeout=duration + 30)
    result = {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": wrk_time_ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99_ms": wrk_time_ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "errors": 0,
    }
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    if socket_errors:
        result["errors"] += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        result["errors"] += int(non_2xx.group(1))
    return result


def warm_up(opts, server, path="/"):
    """Lets lazy initialisation and allocator growth happen before anything is measured."""
    if opts.warmup > 0:
        run_wrk(opts, server.port, opts.warmup, path=path)


def measured_wrk(opts, server, close=False, path="/"):
    before = cpu_seconds(server.pid)
    result = run_wrk(opts, server.port, opts.duration, close=close, path=path)
    cpu = cpu_seconds(server.pid) - before
    result["cpu_us_per_request"] = cpu * 1e6 / max(1, result["requests"])
    return result


# --------------------------------------------------------------------------------------------
# The scenarios. Each takes a fresh server, so nothing one leaves behind (TIME_WAIT sockets,
# a grown heap) is measured by the next.


def scenario_keepalive(opts, name):
    with launch(opts, name) as server:
        warm_up(opts, server)
        return measured_wrk(opts, server)


def scenario_churn(opts, name):
    with launch(opts, name) as server:
        warm_up(opts, server)
        result = measured_wrk(opts, server, close=True)
        # Right after the run, before any TIME_WAIT (60 s on Linux) can expire.
        result["time_wait_server"], result["time_wait_client"] = time_wait_counts(server.port)
        return result


def scenario_proxy(opts, name):
    """The server as a reverse proxy to one upstream, an nginx answering the same 21 bytes on the
    load generator's core: closewise's /proxy and its pool, or nginx's proxy_pass and its upstream
    keepalive pool. The figure is the proxy's CPU per request; the upstream's is the same for
    both and not counted."""
    with launch(opts, "nginx", cpus=LOAD_CPU) as upstream:
        origin = "127.0.0.1:%d" % upstream.port
        if name == "closewise":
            # nginx opens as many upstream connections as requests need (keepalive 32 bounds
            # only the idle ones it keeps); closewise's pool is capped, so the cap is raised to
            # wrk's connections for the two to carry the same concurrency.
            kwargs = {"extra": ("--upstream", "up=http://" + origin,
                                "--upstream-max-connections", str(opts.connections))}
            path = "/proxy/up/"
        else:
            kwargs, path = {"location": NGINX_PROXY, "upstreams": NGINX_UPSTREAM % origin}, "/"
        with launch(opts, name, **kwargs) as server:
            warm_up(opts, server, path)
            return measured_wrk(opts, server, path=path)


def scenario_pipeline(opts, name):
    with launch(opts, name) as server:
        warm_up(opts, server)
        before = cpu_seconds(server.pid)
        out = run_pinned(LOAD_CPU, ["h2load", "--h1", "-m", "16", "-c", "10",
                                    "-n", str(opts.pipeline_requests),
                                    "http://127.0.0.1:%d/" % server.port],
                         timeout=opts.duration * 10 + 60)
        cpu = cpu_seconds(server.pid) - before
        counts = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                           r"(\d+) failed, (\d+) errored, (\d+) timeout", out)
        succeeded = int(counts.group(4))
        return {
            "rps": float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1)),
            "requests": succeeded,
            "errors": int(counts.group(1)) - succeeded,
            "cpu_us_per_request": cpu * 1e6 / max(1, succeeded),
        }


def start_idle_clients(opts, server, *extra):
    process = REAPER.spawn(
        pinned(LOAD_CPU, python_tool("idle_clients.py", "--port", server.port, *extra)),
        stdout=subprocess.PIPE, text=True)
    return process, JsonLines(process)


def scenario_idle_memory(opts, name):
    with launch(opts, name) as server:
        # A few requests first, so one-time start-up allocations are not charged to the
        # connections.
        for _ in range(20):
            get(server.port)
        time.sleep(0.2)
        before = rss_bytes(server.pid)
        client, events = start_idle_clients(opts, server, "--count", opts.idle, "--hold",
                                            "--timeout", opts.client_timeout)
        ready = events.next("ready", opts.client_timeout)
        time.sleep(opts.settle)
        after = rss_bytes(server.pid)
        REAPER.stop(client)
        done = events.next("done", 10)
        return {
            "rss_before": before, "rss_after": after, "connections": ready["idle"],
            "setup_failures": ready["failed"],
            "closed_by_server": done["idle"]["count"] - done["idle"]["endings"].get("open", 0),
            "bytes_per_connection": (after - before) / max(1, ready["idle"]),
        }


def scenario_drain(opts, name):
    with launch(opts, name) as server:
        client, events = start_idle_clients(
            opts, server, "--count", opts.idle, "--until-closed", "--inflight", opts.inflight,
            "--inflight-path", "/delay?ms=%d" % opts.inflight_ms, "--timeout", opts.client_timeout)
        ready = events.next("ready", opts.client_timeout)
        sent = events.next("inflight_sent", 30)
        # The in-flight requests must have reached the server's handler before the signal: the
        # drain is about work already accepted.
        time.sleep(opts.drain_lead_ms / 1000)
        signalled = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        exited = wait_exit(server.process, opts.client_timeout)
        done = events.next("done", opts.client_timeout)
        REAPER.stop(client)

    idle = done["idle"]
    inflight = done["inflight"]
    idle_errors = idle["count"] - idle["endings"].get("fin", 0)
    inflight_ok = min(inflight["statuses"].get("200", 0), inflight["with_connection_close"],
                      inflight["endings"].get("fin", 0))
    inflight_errors = inflight["count"] - inflight_ok
    last_answer = inflight["last_answer_t"] or signalled
    return {
        "idle": ready["idle"], "inflight": sent["count"],
        "sigterm_to_exit_ms": (exited - signalled) * 1e3,
        "work_left_at_sigterm_ms": max(0.0, last_answer - signalled) * 1e3,
        "overhead_ms": (exited - max(signalled, last_answer)) * 1e3,
        "client_errors": idle_errors + inflight_errors + ready["failed"],
        "idle_endings": idle["endings"], "inflight_endings": inflight["endings"],
        "inflight_statuses": inflight["statuses"],
        "inflight_with_connection_close": inflight["with_connection_close"],
    }


def admin_path(server):
    status, _ = get(server.admin_port, "/stats")
    return "/stats" if status == 200 else "/healthz"


def scenario_admin(opts, name, run_index):
    result = {}
    # Alternating which goes first cancels a slow drift of the machine over the run.
    order = (False, True) if run_index % 2 == 0 else (True, False)
    for polled in order:
        with launch(opts, name, admin=True) as server:
            warm_up(opts, server)
            path = admin_path(server)
            poller = None
            if polled:
                poller = REAPER.spawn(
                    pinned(LOAD_CPU, python_tool("stats_poller.py", "--port", server.admin_port,
                                                 "--path", path, "--hz", 10,
                                                 "--duration", opts.duration)),
                    stdout=subprocess.PIPE, text=True)
            measured = measured_wrk(opts, server)
            key = "polled" if polled else "not_polled"
            result[key + "_cpu_us_per_request"] = measured["cpu_us_per_request"]
            result[key + "_rps"] = measured["rps"]
            if poller is not None:
                out, _ = poller.communicate(timeout=opts.duration + 30)
                REAPER.processes.remove(poller)
                polls = json.loads(out)
                result["admin_path"] = path
                result["polls"] = polls["polls"]
                result["poll_statuses"] = polls["statuses"]
    result["cpu_increase_pct"] = 100.0 * (result["polled_cpu_us_per_request"] /
                                          result["not_polled_cpu_us_per_request"] - 1)
    return result


def scenario_workers(opts, name, run_index):
    """--workers 1 vs 2, neither pinned: see the README for what this can and cannot show."""
    result = {}
    for workers in (1, 2):
        with launch(opts, name, cpus="0,1", workers=workers) as server:
            warm_up(opts, server)
            before = cpu_seconds(server.pid)
            measured = run_wrk(opts, server.port, opts.duration, cpus="0,1")
            cpu = cpu_seconds(server.pid) - before
            result["workers%d_rps" % workers] = measured["rps"]
            result["workers%d_p99_ms" % workers] = measured["p99_ms"]
            result["workers%d_cpu_us_per_request" % workers] = \
                cpu * 1e6 / max(1, measured["requests"])
    return result


def parse_proc_net_tcp(port):
    """Counts the states of sockets whose local port is port, from /proc/net/tcp, the way a
    program without sock_diag would: the kernel prints every socket, we filter afterwards."""
    wanted = ":%04X" % port
    states = {}
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[1].endswith(wanted):
                states[fields[3]] = states.get(fields[3], 0) + 1
    return states


def sock_diag_walk_floor(port):
    """One IPv4 sock_diag dump for sockets on port in SYN_RECV only, which none of the
    benchmark's are in: the kernel answers with no socket at all, so the time is what it takes
    to walk its TCP hash tables, the floor under any sock_diag query on this host. Returns the
    number of sockets the kernel reported (expected 0)."""
    netlink_sock_diag, sock_diag_by_family, nlmsg_done, nlmsg_error = 4, 20, 3, 2
    syn_recv = 1 << 3
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, netlink_sock_diag) as nl:
        # inet_diag_req_v2: family, protocol, ext, pad, states; inet_diag_sockid: sport, dport
        # (network order), src[16], dst[16], if, cookie[2].
        request = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, 0, 0, syn_recv)
        request += struct.pack("!HH", port, 0) + bytes(32) + struct.pack("=I", 0) + bytes(8)
        header = struct.pack("=IHHII", 16 + len(request), sock_diag_by_family,
                             0x1 | 0x300, 1, 0)  # NLM_F_REQUEST | NLM_F_DUMP
        nl.send(header + request)
        reported = 0
        while True:
            data = nl.recv(65536)
            offset = 0
            while offset + 16 <= len(data):
                length, kind = struct.unpack_from("=IH", data, offset)
                if kind == nlmsg_done:
                    return reported
                if kind == nlmsg_error:
                    raise RuntimeError("sock_diag dump refused")
                reported += 1
                offset += (length + 3) & ~3


def count_host_tcp_sockets():
    total = 0
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(path) as f:
            total += sum(1 for _ in f) - 1
    return total


class launch_ws:
    """`with launch_ws(opts, "node") as server:` a fresh WebSocket echo server on /ws/echo:
    closewise (its demo route) or Node's ws, stopped on the way out."""

    def __init__(self, opts, name):
        self.opts, self.name, self.server = opts, name, None

    def __enter__(self):
        start = start_closewise if self.name == "closewise" else start_node_ws
        self.server = start(self.opts, SERVER_CPU)
        return self.server

    def __exit__(self, *exc):
        REAPER.stop(self.server.process)
        return False


def ws_load(opts, server, mode, *args):
    """bench/ws_load.cc on the load CPU, and its JSON lines."""
    process = REAPER.spawn(pinned(LOAD_CPU, [opts.ws_load, mode, "--port", str(server.port),
                                             *map(str, args)]),
                           stdout=subprocess.PIPE, text=True)
    return process, JsonLines(process)


def scenario_ws_echo(opts, name):
    """Messages per second and the server's CPU per message, a message being one echo: a frame
    read, decoded and validated, and one written."""
    with launch_ws(opts, name) as server:
        client, events = ws_load(opts, server, "echo", "--connections", opts.ws_connections,
                                 "--in-flight", opts.ws_in_flight, "--message-bytes",
                                 opts.ws_message_bytes, "--warmup", max(opts.warmup, 0.5),
                                 "--duration", opts.duration)
        ready = events.next("ready", opts.client_timeout)
        events.next("measuring", opts.warmup + 30)
        before = cpu_seconds(server.pid)
        done = events.next("done", opts.duration + 30)
        cpu = cpu_seconds(server.pid) - before
        REAPER.stop(client)
        return {
            "messages": done["messages"],
            "messages_per_s": done["messages"] / max(done["seconds"], 1e-9),
            "cpu_us_per_message": cpu * 1e6 / max(1, done["messages"]),
            "client_cpu_us_per_message": done["cpu_seconds"] * 1e6 / max(1, done["messages"]),
            "errors": done["errors"] + ready["failed"],
        }


def scenario_ws_idle_memory(opts, name):
    """The server's RSS grown by --ws-idle open WebSockets, per WebSocket."""
    with launch_ws(opts, name) as server:
        # Some echoes first, so one-time allocations are not charged to the idle WebSockets.
        warm, events = ws_load(opts, server, "echo", "--connections", 10, "--warmup", 0,
                               "--duration", 0.5)
        events.next("done", opts.client_timeout)
        REAPER.stop(warm)
        time.sleep(0.2)
        before = rss_bytes(server.pid)
        client, events = ws_load(opts, server, "idle", "--connections", opts.ws_idle)
        ready = events.next("ready", opts.client_timeout)
        time.sleep(opts.settle)
        after = rss_bytes(server.pid)
        REAPER.stop(client)
        return {
            "rss_before": before, "rss_after": after, "websockets": ready["open"],
            "setup_failures": ready["failed"],
            "bytes_per_websocket": (after - before) / max(1, ready["open"]),
        }


def scenario_kernel_query(opts):
    with launch(opts, "closewise") as server:
        client, events = start_idle_clients(opts, server, "--count", opts.kq_established,
                                            "--hold", "--timeout", opts.client_timeout * 2)
        established = events.next("ready", opts.client_timeout)["idle"]
        made = json.loads(run_pinned(LOAD_CPU, python_tool(
            "make_time_waits.py", "--port", server.port, "--count", opts.kq_time_waits),
            timeout=opts.client_timeout))
        states_argv = [opts.closewise, "states", "--port", str(server.port), "--json"]
        ss_argv = ["ss", "-tan", "state", "all", "( sport = :%d )" % server.port]
        methods = {
            "closewise_states_json": lambda: run_pinned(LOAD_CPU, states_argv, 30),
            "closewise_states_procfs_json": lambda: run_pinned(
                LOAD_CPU, states_argv + ["--source", "procfs"], 30),
            "ss": lambda: run_pinned(LOAD_CPU, ss_argv, 30),
            "proc_net_tcp_parse": lambda: parse_proc_net_tcp(server.port),
            "sock_diag_walk_floor": lambda: sock_diag_walk_floor(server.port),
        }
        seen = json.loads(run_pinned(LOAD_CPU, states_argv, 30))["tcp_states"]
        walls = {name: [] for name in methods}
        reported_us = []
        started = time.monotonic()
        for _ in range(opts.kq_queries):
            # The methods take turns, so all of them see the same socket population.
            for name, method in methods.items():
                t0 = time.perf_counter()
                out = method()
                walls[name].append((time.perf_counter() - t0) * 1e3)
                if name == "closewise_states_json":
                    reported_us.append(json.loads(out)["query_us"])
        elapsed = time.monotonic() - started
        host_sockets = count_host_tcp_sockets()
        seen_after = json.loads(run_pinned(LOAD_CPU, states_argv, 30))["tcp_states"]
        REAPER.stop(client)

    result = {
        "established_requested": opts.kq_established, "established_held": established,
        "time_waits_made": made["made"], "queries": opts.kq_queries,
        "states_before": {k: v for k, v in seen.items() if v},
        "states_after": {k: v for k, v in seen_after.items() if v},
        "seconds": elapsed,
        # sock_diag filters in the kernel, but the kernel still walks every TCP socket on the
        # host, including other programs'; this is how many there were.
        "host_tcp_sockets": host_sockets,
        "closewise_reported_query_ms": statistics.median(reported_us) / 1e3,
    }
    for name, samples in walls.items():
        samples.sort()
        result[name] = {"median_ms": statistics.median(samples),
                        "p90_ms": samples[len(samples) * 9 // 10], "min_ms": samples[0]}
    return result


# --------------------------------------------------------------------------------------------
# The machine, the medians and the report


def read_first_line(path):
    try:
        with open(path) as f:
            return f.readline().strip()
    except OSError:
        return None


def tool_version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return None


def describe_machine(opts):
    model = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    return {
        "host": platform.node(), "nproc": os.cpu_count(), "cpu_model": model,
        "kernel": platform.release(), "load_average_at_start": os.getloadavg(),
        "closewise_commit": commit or None,
        "nginx": tool_version([opts.nginx, "-v"]), "node": tool_version([opts.node, "--version"]),
        "wrk": tool_version(["wrk", "-v"]), "h2load": tool_version(["h2load", "--version"]),
        "python": platform.python_version(),
        "fd_limit": os.sysconf("SC_OPEN_MAX"),
        "sysctl": {name: read_first_line("/proc/sys/net/" + name) for name in (
            "ipv4/ip_local_port_range", "ipv4/tcp_tw_reuse", "ipv4/tcp_max_tw_buckets",
            "core/somaxconn")},
    }


def median_of(runs, scenario, server, key):
    values = [r[scenario][server][key] for r in runs
              if scenario in r and server in r[scenario] and key in r[scenario][server]]
    return statistics.median(values) if values else None


def summarize(runs):
    """Median over runs of every numeric figure, per scenario and server."""
    summary = {}
    for run in runs:
        for scenario, per_server in run.items():
            for server, figures in per_server.items():
                for key, value in figures.items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        summary.setdefault(scenario, {}).setdefault(server, {})[key] = None
    for scenario, per_server in summary.items():
        for server, figures in per_server.items():
            for key in figures:
                figures[key] = median_of(runs, scenario, server, key)
    return summary


PAIRED = (("keep-alive CPU per request", "keepalive", "cpu_us_per_request"),
          ("keep-alive req/s", "keepalive", "rps"),
          ("keep-alive p99 latency", "keepalive", "p99_ms"),
          ("close-per-request CPU per request", "churn", "cpu_us_per_request"),
          ("pipelined CPU per request", "pipeline", "cpu_us_per_request"),
          ("proxy CPU per request", "proxy", "cpu_us_per_request"))


def paired_ratios(runs):
    """closewise / nginx within each run, for the figures whose targets are ratios to nginx."""
    out = []
    for label, scenario, key in PAIRED:
        values = []
        for run in runs:
            a = run.get(scenario, {}).get("closewise", {}).get(key)
            b = run.get(scenario, {}).get("nginx", {}).get(key)
            if a is not None and b:
                values.append(a / b)
        if values:
            out.append((label, values))
    return out


def fig(summary, scenario, server, key):
    return summary.get(scenario, {}).get(server, {}).get(key)


def fmt(value, digits=1):
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return "{:,.0f}".format(value)
    return "{:.{}f}".format(value, digits)


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b


# Each target of issue 4: (description, check(summary) -> True/False/None when not measured).
def targets(summary, kq):
    def cw(s, k):
        return fig(summary, s, "closewise", k)

    def ng(s, k):
        return fig(summary, s, "nginx", k)

    def nd(s, k):
        return fig(summary, s, "node", k)

    def check(condition, *values):
        return None if any(v is None for v in values) else bool(condition())

    ka_cpu, ka_cpu_ng = cw("keepalive", "cpu_us_per_request"), ng("keepalive", "cpu_us_per_request")
    ka_rps, ka_rps_ng = cw("keepalive", "rps"), ng("keepalive", "rps")
    ka_rps_nd = nd("keepalive", "rps")
    p99, p99_ng = cw("keepalive", "p99_ms"), ng("keepalive", "p99_ms")
    churn, churn_ng = cw("churn", "cpu_us_per_request"), ng("churn", "cpu_us_per_request")
    mem, mem_ng = cw("idle_memory", "bytes_per_connection"), ng("idle_memory",
                                                                 "bytes_per_connection")
    drain, drain_err = cw("drain", "overhead_ms"), cw("drain", "client_errors")
    query = kq["closewise_reported_query_ms"] if kq else None
    admin = cw("admin", "cpu_increase_pct")
    proxy, proxy_ng = cw("proxy", "cpu_us_per_request"), ng("proxy", "cpu_us_per_request")
    proxy_errors = cw("proxy", "errors")
    ws_cpu, ws_cpu_nd = cw("ws_echo", "cpu_us_per_message"), nd("ws_echo", "cpu_us_per_message")
    ws_errors = cw("ws_echo", "errors")
    ws_mem, ws_mem_nd = (cw("ws_idle_memory", "bytes_per_websocket"),
                         nd("ws_idle_memory", "bytes_per_websocket"))
    return [
        ("keep-alive CPU/request <= 0.9 x nginx",
         check(lambda: ka_cpu <= 0.9 * ka_cpu_ng, ka_cpu, ka_cpu_ng)),
        ("keep-alive req/s >= nginx", check(lambda: ka_rps >= ka_rps_ng, ka_rps, ka_rps_ng)),
        ("keep-alive req/s >= 2.5 x node",
         check(lambda: ka_rps >= 2.5 * ka_rps_nd, ka_rps, ka_rps_nd)),
        ("keep-alive p99 <= nginx", check(lambda: p99 <= p99_ng, p99, p99_ng)),
        ("close-per-request CPU/request <= nginx", check(lambda: churn <= churn_ng, churn,
                                                         churn_ng)),
        ("idle memory/connection <= 1.0 x nginx", check(lambda: mem <= mem_ng, mem, mem_ng)),
        ("drain overhead < 100 ms with 0 client errors",
         check(lambda: drain < 100 and drain_err == 0, drain, drain_err)),
        ("kernel query (sock_diag, as closewise reports it) <= 5 ms",
         check(lambda: query <= 5, query)),
        ("admin polling at 10 Hz < 2% CPU/request", check(lambda: admin < 2, admin)),
        ("proxy CPU/request <= 1.0 x nginx proxy_pass, 0 errors",
         check(lambda: proxy <= proxy_ng and proxy_errors == 0, proxy, proxy_ng, proxy_errors)),
        ("WebSocket echo CPU/message <= 0.5 x node ws, 0 errors",
         check(lambda: ws_cpu <= 0.5 * ws_cpu_nd and ws_errors == 0, ws_cpu, ws_cpu_nd,
               ws_errors)),
        ("memory per idle WebSocket <= 0.25 x node ws",
         check(lambda: ws_mem <= 0.25 * ws_mem_nd, ws_mem, ws_mem_nd)),
    ]


def markdown(report):
    machine, summary, opts = report["machine"], report["summary"], report["options"]
    kq = report.get("kernel_query")
    lines = [
        "# closewise benchmark, %s" % report["started"],
        "",
        "%s: %s CPUs (%s), Linux %s, load average at start %s. closewise %s, %s, node %s, %s, "
        "%s." % (machine["host"], machine["nproc"], machine["cpu_model"], machine["kernel"],
                 " ".join("%.2f" % x for x in machine["load_average_at_start"]),
                 machine["closewise_commit"], machine["nginx"], machine["node"], machine["wrk"],
                 machine["h2load"]),
        "",
        "Server on CPU %s, load generators on CPU %s. Median of %d run(s) of %d s each; "
        "%d wrk connections; %d idle connections; pipelining %d requests (16 deep, 10 "
        "connections)." % (SERVER_CPU, LOAD_CPU, opts["runs"], opts["duration"],
                           opts["connections"], opts["idle"], opts["pipeline_requests"]),
        "",
    ]
    if any(s in opts["scenarios"] for s in WS_SCENARIOS):
        lines += ["WebSocket echo: %d connections, %d messages of %d bytes in flight on each "
                  "(bench/ws_load.cc); %d idle WebSockets." % (
                      opts["ws_connections"], opts["ws_in_flight"], opts["ws_message_bytes"],
                      opts["ws_idle"]), ""]
    if report.get("warnings"):
        lines += ["**Warnings:** " + " ".join(report["warnings"]), ""]
    table = []
    rows = [
        ("keep-alive req/s", "keepalive", "rps", 0),
        ("keep-alive p50 latency, ms", "keepalive", "p50_ms", 3),
        ("keep-alive p99 latency, ms", "keepalive", "p99_ms", 3),
        ("keep-alive server CPU per request, µs", "keepalive", "cpu_us_per_request", 2),
        ("keep-alive errors", "keepalive", "errors", 0),
        ("close-per-request req/s", "churn", "rps", 0),
        ("close-per-request server CPU per request, µs", "churn", "cpu_us_per_request", 2),
        ("close-per-request TIME_WAIT, server side", "churn", "time_wait_server", 0),
        ("close-per-request TIME_WAIT, client side", "churn", "time_wait_client", 0),
        ("close-per-request errors", "churn", "errors", 0),
        ("pipelined req/s (h2load -m 16 -c 10)", "pipeline", "rps", 0),
        ("pipelined server CPU per request, µs", "pipeline", "cpu_us_per_request", 2),
        ("pipelined errors", "pipeline", "errors", 0),
        ("idle memory per connection, bytes", "idle_memory", "bytes_per_connection", 0),
        ("drain: SIGTERM to exit beyond in-flight work, ms", "drain", "overhead_ms", 1),
        ("drain: SIGTERM to exit, ms", "drain", "sigterm_to_exit_ms", 1),
        ("drain: client errors", "drain", "client_errors", 0),
        ("proxy req/s", "proxy", "rps", 0),
        ("proxy CPU per request, µs", "proxy", "cpu_us_per_request", 2),
        ("proxy errors", "proxy", "errors", 0),
        ("WebSocket echo messages/s", "ws_echo", "messages_per_s", 0),
        ("WebSocket echo server CPU per message, µs", "ws_echo", "cpu_us_per_message", 2),
        ("WebSocket echo load generator's CPU per message, µs", "ws_echo",
         "client_cpu_us_per_message", 2),
        ("WebSocket echo errors", "ws_echo", "errors", 0),
        ("memory per idle WebSocket, bytes", "ws_idle_memory", "bytes_per_websocket", 0),
    ]
    for label, scenario, key, digits in rows:
        values = [fig(summary, scenario, s, key) for s in SERVERS]
        if all(v is None for v in values):
            continue
        table.append("| %s | %s | %s | %s | %s | %s |" % (
            label, *(fmt(v, digits) for v in values), fmt(ratio(values[0], values[1]), 2),
            fmt(ratio(values[0], values[2]), 2)))
    if table:
        lines += ["| figure | closewise | nginx | node | closewise / nginx | closewise / node |",
                  "|---|---:|---:|---:|---:|---:|"] + table

    paired = paired_ratios(report["runs"])
    if paired:
        lines += ["", "The same ratios run by run (closewise / nginx, both measured in that run), "
                  "and their median: the spread shows how much of a difference this machine "
                  "can resolve.", "",
                  "| figure | each run | median |", "|---|---|---:|"]
        for label, values in paired:
            lines.append("| %s | %s | %s |" % (label, ", ".join(fmt(v, 2) for v in values),
                                               fmt(statistics.median(values), 2)))

    admin = summary.get("admin", {}).get("closewise")
    if admin:
        path = next((r["admin"]["closewise"].get("admin_path") for r in report["runs"]
                     if "admin" in r), "/stats")
        note = "" if path == "/stats" else " (/stats answered 404: /healthz was polled instead)"
        lines += ["", "Admin cost, closewise keep-alive with %s polled 10 times a second%s:" %
                  (path, note), "",
                  "| not polled, µs/request | polled, µs/request | increase |", "|---:|---:|---:|",
                  "| %s | %s | %s%% |" % (fmt(admin["not_polled_cpu_us_per_request"], 2),
                                          fmt(admin["polled_cpu_us_per_request"], 2),
                                          fmt(admin["cpu_increase_pct"], 2))]
    if kq:
        lines += ["", "Kernel-state query for the closewise port with %s; %d TCP sockets on the "
                  "host in all (median of %d):" % (
                      ", ".join("%d %s" % (v, k) for k, v in sorted(kq["states_before"].items())),
                      kq["host_tcp_sockets"], kq["queries"]), "",
            "| method | median, ms | p90, ms | min, ms |", "|---|---:|---:|---:|"]
        for name, label in (("closewise_states_json", "`closewise states --port P --json` "
                                                      "(whole process)"),
                            ("closewise_states_procfs_json", "`closewise states ... --source "
                                                             "procfs` (whole process)"),
                            ("ss", "`ss -tan state all '( sport = :P )'` (whole process)"),
                            ("proc_net_tcp_parse", "/proc/net/tcp read and parsed in Python"),
                            ("sock_diag_walk_floor", "floor: one IPv4 sock_diag dump that "
                                                     "matches no socket (SYN_RECV only), i.e. "
                                                     "the kernel's walk of its tables alone")):
            m = kq[name]
            lines.append("| %s | %s | %s | %s |" % (label, fmt(m["median_ms"], 2),
                                                    fmt(m["p90_ms"], 2), fmt(m["min_ms"], 2)))
        lines.append("| the sock_diag query itself, as closewise reports it (`query_us`) | %s "
                     "| | |" % fmt(kq["closewise_reported_query_ms"], 2))
    workers = summary.get("workers", {}).get("closewise")
    if workers:
        lines += ["", "Workers scaling (closewise and wrk both unpinned on %s CPUs; see "
                  "bench/README.md for what this can show):" % machine["nproc"], "",
                  "| workers | req/s | p99, ms | CPU per request, µs |", "|---:|---:|---:|---:|"]
        for w in (1, 2):
            lines.append("| %d | %s | %s | %s |" % (w, fmt(workers["workers%d_rps" % w], 0),
                                                    fmt(workers["workers%d_p99_ms" % w], 3),
                                                    fmt(workers["workers%d_cpu_us_per_request"
                                                                % w], 2)))
    lines += ["", "Targets of issues 4 and 17:", "", "| target | met |", "|---|---|"]
    for description, met in targets(summary, kq):
        lines.append("| %s | %s |" % (description,
                                      {True: "yes", False: "**no**", None: "not measured"}[met]))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description="closewise vs nginx vs Node.js on loopback "
                                                 "under the same load; see bench/README.md")
    parser.add_argument("--runs", type=int, default=3, help="runs; each figure is their median")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--warmup", type=int, default=1,
                        help="seconds of unmeasured wrk load before each measured run; 0 = none")
    parser.add_argument("--connections", type=int, default=100, help="wrk connections")
    parser.add_argument("--pipeline-requests", type=int, default=None,
                        help="h2load -n (default: 50,000 per second of --duration)")
    parser.add_argument("--idle", type=int, default=10000, help="idle connections (#4, #5)")
    parser.add_argument("--inflight", type=int, default=100, help="in-flight requests (#5)")
    parser.add_argument("--inflight-ms", type=int, default=1000, help="their /delay (#5)")
    parser.add_argument("--drain-lead-ms", type=int, default=200,
                        help="time between sending the in-flight requests and SIGTERM")
    parser.add_argument("--kq-established", type=int, default=10000)
    parser.add_argument("--kq-time-waits", type=int, default=20000)
    parser.add_argument("--kq-queries", type=int, default=20)
    parser.add_argument("--ws-connections", type=int, default=100,
                        help="WebSocket echo connections")
    parser.add_argument("--ws-in-flight", type=int, default=8,
                        help="messages on their way on each echo connection")
    parser.add_argument("--ws-message-bytes", type=int, default=32)
    parser.add_argument("--ws-idle", type=int, default=10000, help="idle WebSockets")
    parser.add_argument("--ws-load", default=str(REPO / "build" / "bench" / "ws_load"),
                        help="bench/ws_load.cc built (make bench builds it)")
    parser.add_argument("--settle", type=float, default=0.5,
                        help="seconds between the idle connections being up and reading RSS")
    parser.add_argument("--client-timeout", type=float, default=120.0,
                        help="bound on any one client phase, seconds")
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help="any of " + ",".join(SCENARIOS) + " and workers")
    parser.add_argument("--workers-scaling", action="store_true",
                        help="also measure closewise --workers 1 vs 2 (optional mode)")
    parser.add_argument("--closewise", default=str(REPO / "build" / "bin" / "closewise"))
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--node", default=shutil.which("node") or "node")
    parser.add_argument("--results-dir", default=str(BENCH_DIR / "results"))
    opts = parser.parse_args()
    if opts.pipeline_requests is None:
        opts.pipeline_requests = 50000 * opts.duration
    opts.servers = [s for s in opts.servers.split(",") if s]
    opts.scenarios = [s for s in opts.scenarios.split(",") if s]
    if opts.workers_scaling and "workers" not in opts.scenarios:
        opts.scenarios.append("workers")
    for s in opts.servers:
        if s not in SERVERS:
            parser.error("unknown server %r" % s)
    for s in opts.scenarios:
        if s not in SCENARIOS + ("workers",):
            parser.error("unknown scenario %r" % s)
    return opts


def preflight(opts, warnings):
    for tool in ("wrk", "h2load", "ss", "taskset"):
        if shutil.which(tool) is None:
            raise SystemExit("run_bench: %s is not installed (make deps-test installs it)" % tool)
    if not os.access(opts.closewise, os.X_OK):
        raise SystemExit("run_bench: no %s; `make build` makes it" % opts.closewise)
    ws = [s for s in opts.scenarios if s in WS_SCENARIOS]
    if ws and not os.access(opts.ws_load, os.X_OK):
        warnings.append("no %s (make bench builds it): %s left out." % (opts.ws_load,
                                                                       ", ".join(ws)))
        opts.scenarios = [s for s in opts.scenarios if s not in WS_SCENARIOS]
    for name, path in (("nginx", opts.nginx), ("node", opts.node)):
        if name in opts.servers and shutil.which(path) is None:
            warnings.append("%s not found (%s): left out." % (name, path))
            opts.servers.remove(name)
    if (os.cpu_count() or 1) < 2:
        raise SystemExit("run_bench: needs 2 CPUs, one for the server, one for the load")
    if os.getloadavg()[0] > 0.5:
        warnings.append("load average %.2f at start: the machine is not quiet, so absolute "
                        "figures and latencies are noisy." % os.getloadavg()[0])
    sys.stderr.write("run_bench: closewise is %s\n" % opts.closewise)


def main():
    opts = parse_args()
    warnings = []
    preflight(opts, warnings)
    # This script is part of the load: it stays off the server's CPU.
    os.sched_setaffinity(0, {int(LOAD_CPU)})
    # Turn SIGTERM and SIGHUP into an exception, as Ctrl-C already is, so the finally below
    # stops everything.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))

    started = datetime.datetime.now()
    report = {"started": started.isoformat(timespec="seconds"), "options": vars(opts),
              "machine": describe_machine(opts), "warnings": warnings, "runs": []}
    per_server = ("keepalive", "churn", "pipeline", "idle_memory")
    try:
        # First, before the churn scenario leaves tens of thousands of TIME_WAIT sockets that the
        # kernel would have to walk past on every query (for a minute, until they expire).
        if "kernel_query" in opts.scenarios:
            sys.stderr.write("kernel query (once, %d queries per method)\n" % opts.kq_queries)
            report["kernel_query"] = scenario_kernel_query(opts)
        for index in range(opts.runs):
            run = {}
            # Rotate the server order so that none is always measured first or last.
            order = opts.servers[index % len(opts.servers):] + \
                opts.servers[:index % len(opts.servers)]
            for scenario in opts.scenarios:
                if scenario == "kernel_query":
                    continue
                for name in order:
                    if scenario in per_server:
                        fn = globals()["scenario_" + scenario]
                        args = (opts, name)
                    elif scenario == "drain" and name in ("closewise", "node"):
                        fn, args = scenario_drain, (opts, name)
                    elif scenario in WS_SCENARIOS and name in ("closewise", "node"):
                        fn, args = globals()["scenario_" + scenario], (opts, name)
                    elif scenario == "proxy" and name in ("closewise", "nginx"):
                        fn, args = scenario_proxy, (opts, name)
                    elif scenario in ("admin", "workers") and name == "closewise":
                        fn, args = globals()["scenario_" + scenario], (opts, name, index)
                    else:
                        continue
                    sys.stderr.write("run %d/%d: %s, %s\n" % (index + 1, opts.runs, scenario,
                                                              name))
                    run.setdefault(scenario, {})[name] = fn(*args)
            report["runs"].append(run)
    finally:
        REAPER.cleanup()

    report["finished"] = datetime.datetime.now().isoformat(timespec="seconds")
    report["summary"] = summarize(report["runs"])
    report["targets"] = [{"target": t, "met": m}
                         for t, m in targets(report["summary"], report.get("kernel_query"))]
    text = markdown(report)
    results = Path(opts.results_dir)
    results.mkdir(parents=True, exist_ok=True)
    base = str(results / ("%s-%s" % (started.strftime("%Y-%m-%d-%H%M%S"), platform.node())))
    Path(base + ".json").write_text(json.dumps(report, indent=2) + "\n")
    Path(base + ".md").write_text(text)
    sys.stdout.write(text)
    sys.stderr.write("run_bench: wrote %s.json and %s.md\n" % (base, base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
