#!/usr/bin/env bash
# Lab time-wait-side: TIME_WAIT is held by whichever side sent the first FIN, not by "the server".
# Three runs of 20 requests against closewise, each on its own port so the counts cannot mix:
#   A. closewise closes idle connections (--idle-timeout 200ms): TIME_WAIT on the server side;
#   B. the client closes after each answer:                       TIME_WAIT on the client side;
#   C. the client keeps one connection alive for all 20:           one TIME_WAIT in all.
# Claims: docs/close-handling.md "TIME_WAIT: normal, on the side that closed first".
source "$(dirname "$0")/lib.sh"
need_closewise

N=20
say "lab time-wait-side: $N requests per run against closewise on 127.0.0.1"

# A: the server closes first. Each client waits (up to 5 s) for the server's FIN, then closes.
start_closewise cw-a "$CLOSEWISE" --listen 127.0.0.1:0 --admin off --idle-timeout 200ms
PORT_A=$CW_PORT
peer run-a wait-server-close --port "$PORT_A" --count "$N" --timeout 5
A_SERVER=$(tcp_state "$PORT_A" TIME_WAIT)
A_CLIENT=$(ss_count time-wait dport "$PORT_A")

# B: the client closes first (one request per connection, then close, as most clients do).
start_closewise cw-b "$CLOSEWISE" --listen 127.0.0.1:0 --admin off
PORT_B=$CW_PORT
peer run-b churn --port "$PORT_B" --count "$N"
# The server closes right after reading the client's FIN; wait for that before counting.
wait_until '[[ $(tcp_state "$PORT_B" ESTABLISHED) == 0 ]]' 5 || true
B_SERVER=$(tcp_state "$PORT_B" TIME_WAIT)
B_CLIENT=$(ss_count time-wait dport "$PORT_B")

# C: keep-alive: the same 20 requests on one connection, then the client closes it.
start_closewise cw-c "$CLOSEWISE" --listen 127.0.0.1:0 --admin off
PORT_C=$CW_PORT
peer run-c per-request --port "$PORT_C" --count "$N" --keepalive
wait_until '[[ $(tcp_state "$PORT_C" ESTABLISHED) == 0 ]]' 5 || true
C_SERVER=$(tcp_state "$PORT_C" TIME_WAIT)
C_CLIENT=$(ss_count time-wait dport "$PORT_C")

say ""
row "run ($N requests)" "TIME_WAIT, server side" "TIME_WAIT, client side"
row "A. server closes idle (--idle-timeout 200ms)" "$A_SERVER" "$A_CLIENT"
row "B. client closes after each answer" "$B_SERVER" "$B_CLIENT"
row "C. client reuses one keep-alive connection" "$C_SERVER" "$C_CLIENT"
say ""

expect "A: the server saw every connection through to its own FIN first" \
  test "$(kv run-a server_closed_first)" -eq "$N"
expect "A: the $N TIME_WAITs are on the server side" test "$A_SERVER" -eq "$N"
expect "A: none on the client side" test "$A_CLIENT" -eq 0
expect "B: all $N requests answered" test "$(kv run-b ok)" -eq "$N"
expect "B: the $N TIME_WAITs are on the client side" test "$B_CLIENT" -eq "$N"
expect "B: none on the server side" test "$B_SERVER" -eq 0
expect "C: all $N requests answered" test "$(kv run-c ok)" -eq "$N"
expect "C: keep-alive leaves a single TIME_WAIT in all" test $((C_SERVER + C_CLIENT)) -eq 1
finish
