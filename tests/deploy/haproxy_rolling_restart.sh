#!/usr/bin/env bash
# One behaviour: behind a real HAProxy, restarting each closewise backend in turn (SIGTERM, wait
# for exit, start again on the same ports) under load fails no request.
#
# Why it works, and what this checks: on SIGTERM closewise fails /readyz at once and keeps
# serving for --drain-delay (1.5 s here), longer than HAProxy needs to mark it down (check
# inter 200 ms x fall 2, plus the check's own time), so no new request is sent to it once its
# listener closes; what it still has in flight (slow /delay?ms=500 requests) finishes with
# Connection: close. HAProxy's idle connections that the drain closes are retried on the other
# server (retry-on empty-response). The client (wrk) retries nothing, so every failure would show.
#
# Asserted: 0 non-2xx and 0 socket errors at the client for keep-alive, Connection: close and
# slow requests; every backend exits 0 with 0 connections reset at its drain deadline; no
# CLOSE_WAIT ever seen on a backend port (closewise's own sock_diag reader, sampled every
# 100 ms); the TIME_WAIT count on the backend ports stays small, because HAProxy reuses its
# connections to the backends (http-reuse always) and closes idle ones itself.
#
#   haproxy_rolling_restart.sh /path/to/closewise [/path/to/haproxy.cfg]
# HTTP_REUSE=never runs the same test with reuse off, to compare TIME_WAIT (it is not asserted
# then: only the numbers are printed).
source "$(dirname "$0")/lib.sh"
CLOSEWISE=${1:?usage: haproxy_rolling_restart.sh /path/to/closewise [haproxy.cfg]}
TEMPLATE=${2:-$(cd "$(dirname "$0")/../.." && pwd)/deploy/haproxy/haproxy.cfg}
HTTP_REUSE=${HTTP_REUSE:-always}
LOAD_SECONDS=16
TIME_WAIT_LIMIT=64
command -v haproxy >/dev/null || fail "haproxy is not installed (deploy/install-deps.sh --with-system-tests)"

# A free loopback port for HAProxy's own listeners (closewise itself starts on port 0).
# The load uses the demo routes / , /echo and /delay, which no shipped deploy file turns on: the
# backends of this test turn them on themselves.
backend_args=(--drain-delay 1500ms --drain-timeout 10s --demo-routes=true)
start_closewise b1 "$CLOSEWISE" --listen 127.0.0.1:0 --admin 127.0.0.1:0 "${backend_args[@]}"
start_closewise b2 "$CLOSEWISE" --listen 127.0.0.1:0 --admin 127.0.0.1:0 "${backend_args[@]}"
front=$(free_port)
stats=$(free_port)

# The production file with the test's addresses and a faster health check. Everything else,
# timeouts, reuse and retries included, is the shipped configuration.
cfg="$WORK/haproxy.cfg"
sed -E \
  -e "s|^( *bind )127\.0\.0\.1:8080 .*|\1127.0.0.1:$front|" \
  -e "s|^( *bind )127\.0\.0\.1:8404 .*|\1127.0.0.1:$stats|" \
  -e "s|^( *server closewise1 ).*|\1127.0.0.1:$b1_port port $b1_admin|" \
  -e "s|^( *server closewise2 ).*|\1127.0.0.1:$b2_port port $b2_admin|" \
  -e "s|check inter 2s fall 2 rise 2|check inter 200ms fall 2 rise 1|" \
  -e "s|timeout check 2s|timeout check 500ms|" \
  -e "s|^( *http-reuse ).*|\1$HTTP_REUSE|" \
  "$TEMPLATE" >"$cfg"
grep -q "127.0.0.1:$b2_port port $b2_admin" "$cfg" || fail "could not rewrite $TEMPLATE"
haproxy -c -q -f "$cfg" || fail "generated HAProxy config is invalid"
haproxy -db -f "$cfg" -p "$WORK/haproxy.pid" >"$WORK/haproxy.log" 2>&1 &
STARTED_PIDS+=("$!")

# server_status NAME: UP, DOWN, ... as HAProxy sees it (stats CSV, field 18).
server_status() {
  curl -fsS "http://127.0.0.1:$stats/stats;csv" 2>/dev/null |
    awk -F, -v s="$1" '$1 == "closewise" && $2 == s { print $18 }'
}
wait_up() {
  wait_for 20 bash -c "[ \"\$(curl -fsS 'http://127.0.0.1:$stats/stats;csv' 2>/dev/null |
    awk -F, '\$1 == \"closewise\" && \$2 == \"$1\" { print \$18 }')\" = UP ]" ||
    { cat "$WORK/haproxy.log" >&2; fail "HAProxy never saw $1 UP"; }
}
wait_up closewise1
wait_up closewise2

url="http://127.0.0.1:$front"
wrk -t1 -c8 -d${LOAD_SECONDS}s --timeout 5s "$url/" >"$WORK/keepalive.txt" 2>&1 &
w1=$!
wrk -t1 -c4 -d${LOAD_SECONDS}s --timeout 5s -H 'Connection: close' "$url/echo" \
  >"$WORK/close.txt" 2>&1 &
w2=$!
wrk -t1 -c4 -d${LOAD_SECONDS}s --timeout 5s "$url/delay?ms=500" >"$WORK/slow.txt" 2>&1 &
w3=$!
STARTED_PIDS+=("$w1" "$w2" "$w3")

# The kernel's view of the backend ports, every 100 ms, until told to stop.
(
  while [ ! -e "$WORK/stop-sampling" ]; do
    # Columns: CLOSE_WAIT and TIME_WAIT on the backends' side, then TIME_WAIT on HAProxy's side
    # of the same connections (remote port = a backend port), which is where reuse shows.
    echo "$(kernel_states "$b1_port" "$b2_port" 2>/dev/null || echo '0 0')" \
      "$(ss -Htan state time-wait "( dport = :$b1_port or dport = :$b2_port )" | wc -l)" \
      >>"$WORK/states.txt"
    sleep 0.1
  done
) &
sampler=$!
STARTED_PIDS+=("$sampler")

# restart NAME INDEX: SIGTERM, wait for a clean exit, start again on the same two ports.
restarts=0
restart() {
  local name=$1 server=$2
  local pid_var="${name}_pid" port_var="${name}_port" admin_var="${name}_admin"
  local pid=${!pid_var} port=${!port_var} admin=${!admin_var}
  kill -TERM "$pid"
  # HAProxy must take it out of rotation during the drain delay, before the listener closes.
  wait_for 10 bash -c "! curl -fsS 'http://127.0.0.1:$stats/stats;csv' 2>/dev/null |
    awk -F, '\$1 == \"closewise\" && \$2 == \"$server\" { print \$18 }' | grep -qx UP" ||
    fail "HAProxy still had $server UP 10 s after its SIGTERM"
  local status=0
  wait "$pid" || status=$?
  [ "$status" = 0 ] || { cat "$WORK/$name.log" >&2; fail "$name exited with $status"; }
  start_closewise "$name" "$CLOSEWISE" --listen "127.0.0.1:$port" --admin "127.0.0.1:$admin" \
    "${backend_args[@]}"
  wait_up "$server"
  restarts=$((restarts + 1))
}

sleep 2
restart b1 closewise1
sleep 1
restart b2 closewise2
sleep 1
restart b1 closewise1

wait "$w1" "$w2" "$w3" || true
touch "$WORK/stop-sampling"
wait "$sampler" || true

total=0
for kind in keepalive close slow; do
  file="$WORK/$kind.txt"
  requests=$(wrk_field "$file" requests)
  non2xx=$(wrk_field "$file" non2xx)
  errors=$(wrk_field "$file" errors)
  echo "$kind: $requests requests, $non2xx non-2xx, $errors socket errors"
  [ "$non2xx" = 0 ] && [ "$errors" = 0 ] || { cat "$file" >&2; fail "$kind: failed requests"; }
  [ "$requests" -gt 10 ] || { cat "$file" >&2; fail "$kind: too few requests ($requests)"; }
  total=$((total + requests))
done

grep 'closewise exits' "$WORK"/b*.log | grep -v ' 0 reset at the drain deadline' &&
  fail "a backend reset connections at its drain deadline"
samples=$(wc -l <"$WORK/states.txt")
[ "$samples" -gt 20 ] || fail "only $samples kernel samples taken"
close_wait_max=$(awk 'BEGIN{m=0} $1>m{m=$1} END{print m}' "$WORK/states.txt")
time_wait_max=$(awk 'BEGIN{m=0} $2>m{m=$2} END{print m}' "$WORK/states.txt")
balancer_time_wait_max=$(awk 'BEGIN{m=0} $3>m{m=$3} END{print m}' "$WORK/states.txt")
echo "backend ports: CLOSE_WAIT max $close_wait_max, TIME_WAIT max $time_wait_max;" \
  "HAProxy's side: TIME_WAIT max $balancer_time_wait_max" \
  "($samples samples, http-reuse $HTTP_REUSE)"
[ "$close_wait_max" = 0 ] || fail "CLOSE_WAIT seen on a backend port"
if [ "$HTTP_REUSE" = always ]; then
  [ "$time_wait_max" -le "$TIME_WAIT_LIMIT" ] ||
    fail "TIME_WAIT on the backend ports reached $time_wait_max (limit $TIME_WAIT_LIMIT)"
fi
echo "PASS: $total requests through HAProxy, $restarts backend restarts, 0 failed"
