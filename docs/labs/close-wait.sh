#!/usr/bin/env bash
# Lab close-wait: a server that forgets to close after the peer's FIN piles up CLOSE_WAIT until
# accept() fails with EMFILE; closewise, under the same clients and the same fd limit, keeps
# CLOSE_WAIT at 0. Then the folk fix: restart the naive server. The restart clears every
# CLOSE_WAIT, because exiting closes every descriptor, and the same clients fill them again.
# The CLOSE_WAIT counts come from closewise's own reader (`closewise states`) and from `ss`, which
# must agree. Claims: docs/close-handling.md "CLOSE_WAIT: always the application", myth "Restart
# the server".
source "$(dirname "$0")/lib.sh"
need_closewise

FD_LIMIT=64
CLIENTS=100

say "lab close-wait: $CLIENTS clients, one request each, then the client closes;" \
  "server fd limit $FD_LIMIT"

# Starts the naive server with the small fd limit: `start_naive NAME PORT` (0: the kernel picks).
start_naive() {
  bg "$1" bash -c "ulimit -n $FD_LIMIT; exec $PYTHON $PEER serve-leak --port $2 --max-seconds 60"
  NAIVE_PID=$BG_PID
  wait_for_log "$1" '^listening='
  NAIVE_PORT=$(kv "$1" listening)
}
stop() {
  kill "$1"
  wait "$1" 2>/dev/null || true
}

start_naive naive 0
peer naive-clients churn --port "$NAIVE_PORT" --count "$CLIENTS" --timeout 1
# CLOSE_WAIT is the state of the server's sockets, so count on the server's (local) port.
NAIVE_CW=$(tcp_state "$NAIVE_PORT" CLOSE_WAIT)
NAIVE_CW_SS=$(ss_count close-wait sport "$NAIVE_PORT")

# The folk fix: restart the server, on the same port.
stop "$NAIVE_PID"
AFTER_EXIT_CW=$(tcp_state "$NAIVE_PORT" CLOSE_WAIT)
start_naive restarted "$NAIVE_PORT"
peer restarted-clients churn --port "$NAIVE_PORT" --count "$CLIENTS" --timeout 1
RESTARTED_CW=$(tcp_state "$NAIVE_PORT" CLOSE_WAIT)
stop "$NAIVE_PID"

bg closewise bash -c "ulimit -n $FD_LIMIT; exec $CLOSEWISE --listen 127.0.0.1:0 --admin off"
CW_PID=$BG_PID
wait_for_log closewise 'listening on '
CW_PORT=$(sed -n 's/.*listening on [^ ,]*:\([0-9]*\)[ ,].*/\1/p' "$LAB_TMP/closewise.log")
peer cw-clients churn --port "$CW_PORT" --count "$CLIENTS" --timeout 1
# closewise closes in the same loop turn that reads the FIN; a second is ample on a loaded host.
wait_until '[[ $(tcp_state "$CW_PORT" CLOSE_WAIT) == 0 ]]' 2 || true
CW_CW=$(tcp_state "$CW_PORT" CLOSE_WAIT)
CW_CW_SS=$(ss_count close-wait sport "$CW_PORT")
CW_ESTAB=$(tcp_state "$CW_PORT" ESTABLISHED)

say ""
row "" "naive server" "closewise"
row "requests answered (of $CLIENTS)" "$(kv naive-clients ok)" "$(kv cw-clients ok)"
row "first client error" "$(kv naive-clients first_error)" "$(kv cw-clients first_error)"
row "server's accept() error" "$(kv naive accept_error)" "none"
row "CLOSE_WAIT on the server port afterwards" "$NAIVE_CW" "$CW_CW"
row "  the same, counted by ss" "$NAIVE_CW_SS" "$CW_CW_SS"
say ""
row "the naive server restarted" "" ""
row "CLOSE_WAIT once the old process has exited" "$AFTER_EXIT_CW" ""
row "requests answered after the restart" "$(kv restarted-clients ok)" ""
row "its accept() error" "$(kv restarted accept_error)" ""
row "CLOSE_WAIT afterwards" "$RESTARTED_CW" ""
say ""

NAIVE_OK=$(kv naive-clients ok)
expect "the naive server stops answering before $CLIENTS requests" test "$NAIVE_OK" -lt "$CLIENTS"
expect "its accept() fails with EMFILE" grep -q '^accept_error=EMFILE' "$LAB_TMP/naive.log"
expect "CLOSE_WAIT climbed to about the fd limit ($FD_LIMIT)" \
  test "$NAIVE_CW" -ge $((FD_LIMIT / 2))
expect "ss counts the same CLOSE_WAIT as closewise states" test "$NAIVE_CW_SS" -eq "$NAIVE_CW"
expect "restart: exiting closed every CLOSE_WAIT" test "$AFTER_EXIT_CW" -eq 0
expect "restart: the restarted server answers again" test "$(kv restarted-clients ok)" -gt 0
expect "restart: and leaks again, to EMFILE" \
  grep -q '^accept_error=EMFILE' "$LAB_TMP/restarted.log"
expect "restart: CLOSE_WAIT is back near the fd limit" \
  test "$RESTARTED_CW" -ge $((FD_LIMIT / 2))
expect "closewise answers all $CLIENTS requests" test "$(kv cw-clients ok)" -eq "$CLIENTS"
expect "closewise leaves 0 sockets in CLOSE_WAIT" test "$CW_CW" -eq 0
expect "ss agrees: 0 CLOSE_WAIT" test "$CW_CW_SS" -eq 0
expect "and none left open (ESTABLISHED 0)" test "$CW_ESTAB" -eq 0
stop "$CW_PID"
finish
