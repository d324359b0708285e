#!/usr/bin/env bash
# Lab time-wait-side: TIME_WAIT is held by whichever side sent the first FIN, not by "the server".
# Three runs of 20 requests against closewise, each on its own port so the counts cannot mix:
#   A. closewise closes idle connections (--idle-timeout 200ms): TIME_WAIT on the server side;
#   B. the client closes after each answer:                       TIME_WAIT on the client side;
#   C. the client keeps one connection alive for all 20:           one TIME_WAIT in all.
# Then D: a TIME_WAIT on the server does not block the client's port. The client binds the same
# source port five times in a row and asks for `Connection: close`, so closewise closes first and
# keeps a TIME_WAIT for exactly the four-tuple the next connection uses. Each new SYN is accepted
# all the same: Linux lets a SYN that is newer than the old connection (a higher sequence number
# or timestamp; RFC 6191, RFC 1122 section 4.2.2.13) take over a TIME_WAIT it holds.
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

# D: one source port, five connections in a row, the server closing first each time.
ROUNDS=5
start_closewise cw-d "$CLOSEWISE" --listen 127.0.0.1:0 --admin off
PORT_D=$CW_PORT
# A source port nothing uses: the kernel picks a free one, which the rounds then bind by hand.
SRC_PORT=$("$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
D_OK=0
D_TAKEOVERS=0
for ((round = 1; round <= ROUNDS; round++)); do
  # The four-tuple this round will use, in TIME_WAIT on the server from the round before?
  tw_before=$(ss -Htan state time-wait "( sport = :$PORT_D and dport = :$SRC_PORT )" | wc -l)
  peer run-d bind-connect --port "$PORT_D" --bind-port "$SRC_PORT" --reuseaddr --request
  if [[ $(kv run-d status) == 200 && $(kv run-d server_closed_first) == yes ]]; then
    D_OK=$((D_OK + 1))
    ((tw_before == 1)) && D_TAKEOVERS=$((D_TAKEOVERS + 1))
  fi
  wait_until "[[ \$(ss -Htan state time-wait '( sport = :$PORT_D and dport = :$SRC_PORT )' |
    wc -l) == 1 ]]" 2 || true
done
D_TW=$(ss -Htan state time-wait "( sport = :$PORT_D and dport = :$SRC_PORT )" | wc -l)

say ""
row "run ($N requests)" "TIME_WAIT, server side" "TIME_WAIT, client side"
row "A. server closes idle (--idle-timeout 200ms)" "$A_SERVER" "$A_CLIENT"
row "B. client closes after each answer" "$B_SERVER" "$B_CLIENT"
row "C. client reuses one keep-alive connection" "$C_SERVER" "$C_CLIENT"
say ""
row "D. $ROUNDS connections in a row from port $SRC_PORT" "server side" ""
row "   answered, and closewise closed first" "$D_OK of $ROUNDS" ""
row "   SYNs that found the four-tuple in TIME_WAIT" "$D_TAKEOVERS" ""
row "   TIME_WAITs for it on the server at the end" "$D_TW" ""
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
expect "D: every connection from the one source port is answered, closewise closing first" \
  test "$D_OK" -eq "$ROUNDS"
expect "D: though each new SYN met a TIME_WAIT for its four-tuple" \
  test "$D_TAKEOVERS" -eq $((ROUNDS - 1))
expect "D: each took that TIME_WAIT over (one left, from the last round)" test "$D_TW" -eq 1
finish
