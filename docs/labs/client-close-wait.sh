#!/usr/bin/env bash
# Lab client-close-wait: CLOSE_WAIT is not only a server's disease. An upstream that closes idle
# connections (here 50 ms after each answer, as a short keep-alive timeout does) sends its FIN to
# the client; a naive client that never closes its sockets keeps every one of them in CLOSE_WAIT
# until it reaches its fd limit and cannot open another connection. closewise's upstream pool,
# under the same upstream and the same fd limit, reads its idle connections, sees each FIN and
# closes: 0 CLOSE_WAIT. The counts come from `ss`, on the client's side of each connection.
# Claims: docs/close-handling.md "Client side".
source "$(dirname "$0")/lib.sh"
need_closewise

FD_LIMIT=64
REQUESTS=100
CLIENTS=4

say "lab client-close-wait: an upstream that closes 50 ms after each answer; client fd limit $FD_LIMIT"

bg upstream "$PYTHON" "$PEER" serve-idle-close --port 0 --idle 0.05 --max-seconds 60
UPSTREAM_PID=$BG_PID
wait_for_log upstream '^listening='
UP_PORT=$(kv upstream listening)
# Client sockets toward the upstream in STATE, from ss.
toward_upstream() { ss_count "$1" dport "$UP_PORT"; }

# 1. The naive client: a connection per request, and not one close().
bg naive bash -c "ulimit -n $FD_LIMIT; exec $PYTHON $PEER hold-many --port $UP_PORT \
  --count $REQUESTS --seconds 30"
NAIVE_PID=$BG_PID
wait_for_log naive '^holding=' 20
# The upstream's FINs follow its answers by 50 ms; let the last one arrive.
sleep 0.3
NAIVE_CW=$(toward_upstream close-wait)
NAIVE_ESTAB=$(toward_upstream established)
NAIVE_OK=$(kv naive opened)
kill "$NAIVE_PID"
wait "$NAIVE_PID" 2>/dev/null || true
# The naive client's connections were all closed by the upstream; the pool's are counted apart.
wait_until '[[ $(kv upstream closed_idle) == "$NAIVE_OK" ]]' 2 || true
NAIVE_CLOSED=$(kv upstream closed_idle)

# 2. The same requests through closewise's pool, closewise under the same fd limit. The clients
#    keep their own connections to closewise open, so every fd closewise spends on the upstream
#    side comes out of the same 64.
start_closewise closewise bash -c "ulimit -n $FD_LIMIT; exec $CLOSEWISE --listen 127.0.0.1:0 \
  --admin off --demo-routes=true --upstream up=http://127.0.0.1:$UP_PORT"
pooled_clients "$CW_PORT"
# The upstream closes the pool's idle connections 50 ms after the last answers. The pool reads
# them in the same loop turn; a second is ample on a loaded host, and well under the pool's own
# idle timeout (4 s), which would otherwise close them and hide a pool that never read.
wait_until '[[ $(toward_upstream close-wait) == 0 && $(toward_upstream established) == 0 ]]' 1 ||
  true
POOL_CW=$(toward_upstream close-wait)
POOL_ESTAB=$(toward_upstream established)
POOL_CLOSED=$(($(kv upstream closed_idle) - NAIVE_CLOSED))
kill "$UPSTREAM_PID"
wait "$UPSTREAM_PID" 2>/dev/null || true

say ""
row "" "naive client" "closewise's pool"
row "requests answered (of $REQUESTS)" "$(kv naive opened)" "$POOLED_OK"
row "first error" "$(kv naive first_error)" "$POOLED_ERROR"
row "client sockets in CLOSE_WAIT (ss)" "$NAIVE_CW" "$POOL_CW"
row "client sockets still ESTABLISHED (ss)" "$NAIVE_ESTAB" "$POOL_ESTAB"
row "connections the upstream closed when idle" "$NAIVE_CLOSED" "$POOL_CLOSED"
say ""

expect "the naive client stops before $REQUESTS requests" test "$NAIVE_OK" -lt "$REQUESTS"
expect "because socket() fails with EMFILE: it cannot connect" \
  grep -q '^first_error=EMFILE' "$LAB_TMP/naive.log"
expect "its CLOSE_WAIT climbed to about its fd limit ($FD_LIMIT)" \
  test "$NAIVE_CW" -ge $((FD_LIMIT / 2)) -a "$NAIVE_CW" -ge "$((NAIVE_OK - 2))"
expect "the pool answers all $REQUESTS under the same fd limit" test "$POOLED_OK" -eq "$REQUESTS"
expect "the upstream closed pooled connections when they were idle" \
  test "$POOL_CLOSED" -ge 1
expect "the pool leaves 0 sockets in CLOSE_WAIT (ss)" test "$POOL_CW" -eq 0
expect "and none open toward an upstream that closed them all" test "$POOL_ESTAB" -eq 0
finish
