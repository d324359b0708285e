#!/usr/bin/env bash
# Lab close-wait: a server that forgets to close after the peer's FIN piles up CLOSE_WAIT until
# accept() fails with EMFILE; closewise, under the same clients and the same fd limit, keeps
# CLOSE_WAIT at 0. Claims: docs/close-handling.md "CLOSE_WAIT: always the application".
source "$(dirname "$0")/lib.sh"
need_closewise

FD_LIMIT=64
CLIENTS=100

say "lab close-wait: $CLIENTS clients, one request each, then the client closes;" \
  "server fd limit $FD_LIMIT"

# The naive server runs with the small fd limit; port 0 lets the kernel pick a free port.
bg naive bash -c "ulimit -n $FD_LIMIT; exec $PYTHON $PEER serve-leak --port 0 --max-seconds 60"
NAIVE_PID=$BG_PID
wait_for_log naive '^listening='
NAIVE_PORT=$(kv naive listening)
peer naive-clients churn --port "$NAIVE_PORT" --count "$CLIENTS" --timeout 1
# CLOSE_WAIT is the state of the server's sockets, so count on the server's (local) port.
NAIVE_CW=$(tcp_state "$NAIVE_PORT" CLOSE_WAIT)
kill "$NAIVE_PID"
wait "$NAIVE_PID" 2>/dev/null || true

bg closewise bash -c "ulimit -n $FD_LIMIT; exec $CLOSEWISE --listen 127.0.0.1:0 --admin off"
CW_PID=$BG_PID
wait_for_log closewise 'listening on '
CW_PORT=$(sed -n 's/.*listening on [^ ,]*:\([0-9]*\)[ ,].*/\1/p' "$LAB_TMP/closewise.log")
peer cw-clients churn --port "$CW_PORT" --count "$CLIENTS" --timeout 1
# closewise closes in the same loop turn that reads the FIN; a second is ample on a loaded host.
wait_until '[[ $(tcp_state "$CW_PORT" CLOSE_WAIT) == 0 ]]' 2 || true
CW_CW=$(tcp_state "$CW_PORT" CLOSE_WAIT)
CW_ESTAB=$(tcp_state "$CW_PORT" ESTABLISHED)

say ""
row "" "naive server" "closewise"
row "requests answered (of $CLIENTS)" "$(kv naive-clients ok)" "$(kv cw-clients ok)"
row "first client error" "$(kv naive-clients first_error)" "$(kv cw-clients first_error)"
row "server's accept() error" "$(kv naive accept_error)" "none"
row "CLOSE_WAIT on the server port afterwards" "$NAIVE_CW" "$CW_CW"
say ""

NAIVE_OK=$(kv naive-clients ok)
expect "the naive server stops answering before $CLIENTS requests" test "$NAIVE_OK" -lt "$CLIENTS"
expect "its accept() fails with EMFILE" grep -q '^accept_error=EMFILE' "$LAB_TMP/naive.log"
expect "CLOSE_WAIT climbed to about the fd limit ($FD_LIMIT)" \
  test "$NAIVE_CW" -ge $((FD_LIMIT / 2))
expect "closewise answers all $CLIENTS requests" test "$(kv cw-clients ok)" -eq "$CLIENTS"
expect "closewise leaves 0 sockets in CLOSE_WAIT" test "$CW_CW" -eq 0
expect "and none left open (ESTABLISHED 0)" test "$CW_ESTAB" -eq 0
kill "$CW_PID"
finish
