#!/usr/bin/env bash
# One behaviour: under socket activation closewise serves on the sockets systemd passed
# (LISTEN_FDS, named by FileDescriptorName), an IPv4 and an IPv6 one as closewise.socket passes
# them, and binds nothing itself.
#
# systemd-socket-activate does what closewise.socket and closewise-admin.socket do, without a
# running systemd: it binds, and starts the service with LISTEN_PID, LISTEN_FDS and
# LISTEN_FDNAMES set. The --listen and --admin given to closewise name ports that must stay
# unused: if closewise bound them instead, the test sees it.
#
#   socket_activation.sh /path/to/closewise
source "$(dirname "$0")/lib.sh"
CLOSEWISE=${1:?usage: socket_activation.sh /path/to/closewise}
command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate is not installed"

public=$(free_port)
admin=$(free_port)
decoy=$(free_port)
decoy_admin=$(free_port)

# The name list is per fd, in --listen order: the two public sockets, then the admin one. GET /
# below is a demo route, which no shipped deploy file turns on; this test turns it on itself.
systemd-socket-activate -l "127.0.0.1:$public" -l "[::1]:$public" -l "127.0.0.1:$admin" \
  --fdname=http:http:admin \
  "$CLOSEWISE" --listen "127.0.0.1:$decoy" --admin "127.0.0.1:$decoy_admin" --workers 2 \
  --demo-routes=true \
  >"$WORK/cw.log" 2>&1 &
activator=$!
STARTED_PIDS+=("$activator")

# The activator binds in its own time: until it listens, a connect is refused, which says
# nothing about closewise. Wait for its sockets (at most 5 s).
for _ in $(seq 100); do
  [ "$(ss -Hltn "sport = :$public" | wc -l)" = 2 ] && ss -Hltn "sport = :$admin" | grep -q . && break
  sleep 0.05
done

# systemd-socket-activate starts closewise on the first connection, as systemd would with the
# service stopped: that first connect waits in the backlog rather than being refused.
body=$(curl -fsS --max-time 20 "http://127.0.0.1:$public/") || { cat "$WORK/cw.log" >&2; fail "GET /"; }
[ "$body" = "hello from closewise" ] || fail "unexpected body: $body"
[ "$(curl -fsS --max-time 5 "http://127.0.0.1:$admin/readyz")" = ready ] ||
  { cat "$WORK/cw.log" >&2; fail "/readyz on the activated admin socket"; }
body=$(curl -fsS --max-time 5 "http://[::1]:$public/") || fail "GET / on the IPv6 socket"
[ "$body" = "hello from closewise" ] || fail "unexpected body on the IPv6 socket: $body"
grep -q 'socket activation: 2 public sockets and the admin one from systemd' "$WORK/cw.log" ||
  { cat "$WORK/cw.log" >&2; fail "closewise did not report the activated sockets"; }
for port in "$decoy" "$decoy_admin"; do
  ! ss -Hltn "sport = :$port" | grep -q . || fail "closewise bound --listen/--admin port $port"
done

# Both workers accept from both passed sockets (the second worker through duplicates).
for _ in $(seq 10); do
  curl -fsS --max-time 5 "http://127.0.0.1:$public/" >/dev/null
  curl -fsS --max-time 5 "http://[::1]:$public/" >/dev/null
done

kill -TERM "$activator"
wait_exit "$activator" 20 || fail "closewise did not drain on SIGTERM"
grep -q 'closewise exits' "$WORK/cw.log" || { cat "$WORK/cw.log" >&2; fail "no exit summary"; }
echo "PASS: served 22 requests on systemd's IPv4 and IPv6 sockets; --listen and --admin stayed unbound"
