#!/usr/bin/env bash
# One behaviour: SIGUSR2 replaces a running closewise with a new process on the same listening
# sockets, under load, and no client sees a failed request.
#
# No balancer here: wrk talks to closewise directly, so a refused connect, a reset, or a request
# lost in a listen queue would each show as a wrk socket error. Two handoffs happen in a row
# (the successor hands over again), with --workers 2 so each worker's SO_REUSEPORT socket must
# travel. Load: keep-alive GETs, Connection: close GETs, and slow /delay?ms=500 requests that are
# in flight whenever a drain begins. The zero-failure proof through a balancer, keep-alive
# included, is haproxy_rolling_restart.sh.
#
#   handoff_under_load.sh /path/to/closewise
source "$(dirname "$0")/lib.sh"
CLOSEWISE=${1:?usage: handoff_under_load.sh /path/to/closewise}
LOAD_SECONDS=9

# The slow requests are the demo route /delay, which no shipped deploy file turns on: this test
# turns it on itself.
start_closewise cw "$CLOSEWISE" --listen 127.0.0.1:0 --admin 127.0.0.1:0 --workers 2 \
  --drain-delay 300ms --drain-timeout 10s --demo-routes=true
url="http://127.0.0.1:$cw_port"
log="$WORK/cw.log"

wrk -t1 -c8 -d${LOAD_SECONDS}s --timeout 5s "$url/" >"$WORK/keepalive.txt" 2>&1 &
wrk_keepalive=$!
wrk -t1 -c4 -d${LOAD_SECONDS}s --timeout 5s -H 'Connection: close' "$url/echo" \
  >"$WORK/close.txt" 2>&1 &
wrk_close=$!
wrk -t1 -c4 -d${LOAD_SECONDS}s --timeout 5s "$url/delay?ms=500" >"$WORK/slow.txt" 2>&1 &
wrk_slow=$!
STARTED_PIDS+=("$wrk_keepalive" "$wrk_close" "$wrk_slow")

# handoff PID: SIGUSR2, then wait for the successor's READY and the predecessor's exit 0.
# Prints the successor's pid.
handoff() {
  local old=$1
  local before
  before=$(grep -c 'is ready; closing the admin listener' "$log" || true)
  kill -USR2 "$old"
  wait_for 30 bash -c "[ \$(grep -c 'is ready; closing the admin listener' '$log') -gt $before ]" ||
    { cat "$log" >&2; fail "no successor became ready after SIGUSR2 to $old"; }
  local new
  new=$(grep 'is ready; closing the admin listener' "$log" | tail -1 |
    sed -E 's/.*successor pid ([0-9]+) is ready.*/\1/')
  KILL_ALSO="${KILL_ALSO:-} $new"
  wait_exit "$old" 20 || fail "predecessor $old still running 20 s after its successor was ready"
  echo "$new"
}

sleep 2
first=$cw_pid
second=$(handoff "$first")
wait "$first" && status=0 || status=$?
[ "$status" = 0 ] || fail "the first process exited with $status after handing over"
sleep 2
third=$(handoff "$second")
sleep 1

# The port and the admin port now belong to the third process, which is ready.
curl -fsS "http://127.0.0.1:$cw_admin/readyz" >/dev/null || fail "/readyz after two handoffs"
[ "$(curl -fsS "$url/")" = "hello from closewise" ] || fail "GET / after two handoffs"

wait "$wrk_keepalive" "$wrk_close" "$wrk_slow" || true
kill -TERM "$third"
wait_exit "$third" 20 || fail "the last process did not drain on SIGTERM"

# Every request must succeed, keep-alive ones included: the old process's drain closes only
# connections idle for a moment (Worker::kDrainIdleGrace), and a keep-alive connection in use gets
# its next answer with Connection: close, so wrk reconnects (to the new process, which accepts on
# the same sockets) instead of losing the request it had in flight.
total=0
for kind in keepalive close slow; do
  file="$WORK/$kind.txt"
  requests=$(wrk_field "$file" requests)
  non2xx=$(wrk_field "$file" non2xx)
  errors=$(wrk_field "$file" errors)
  echo "$kind: $requests requests, $non2xx non-2xx, $errors socket errors"
  [ "$non2xx" = 0 ] && [ "$errors" = 0 ] ||
    { cat "$file" >&2; fail "$kind: failed requests ($errors socket errors, $non2xx non-2xx)"; }
  [ "$requests" -gt 10 ] || { cat "$file" >&2; fail "$kind: too few requests ($requests)"; }
  total=$((total + requests))
done
# Each drain began with slow requests in flight; the predecessors' summaries prove they were
# finished, not reset, at the deadline.
resets=$(grep -c 'reset at the drain deadline' "$log" || true)
grep 'closewise exits' "$log" | grep -v ' 0 reset at the drain deadline' &&
  fail "a predecessor reset connections at its drain deadline"
echo "PASS: $total requests across 2 handoffs (pids $first -> $second -> $third);" \
  "0 failed on new connections; all $resets processes exited with 0 resets"
