#!/usr/bin/env bash
# Lab linger-zero: SO_LINGER {1, 0} (the folk fix for TIME_WAIT) makes close() send RST and throw
# away whatever is still queued; the client gets part of the answer and "connection reset".
# closewise closes gracefully (FIN after the last byte, then lingers) and the whole answer
# arrives. Both answers are 8 MiB and the client starts reading 300 ms late, as a busy client
# does. In a network namespace of its own (where the kernel allows it), the lab also reads the
# kernel's count of such aborts: a close with SO_LINGER {1, 0} is counted in TcpExtTCPAbortOnData.
# Claims: docs/close-handling.md, myth "SO_LINGER 0 fixes TIME_WAIT".
source "$(dirname "$0")/lib.sh"
need_closewise
want_private_net

BYTES=$((8 << 20))
say "lab linger-zero: an answer of $BYTES bytes, read by a client that starts 300 ms late"

ABORTS_0=$(counter TcpExtTCPAbortOnData)
bg naive "$PYTHON" "$PEER" serve-linger0 --port 0 --bytes "$BYTES" --max-seconds 30
wait_for_log naive '^listening='
NAIVE_PORT=$(kv naive listening)
peer naive-client slow-reader --port "$NAIVE_PORT" --path / --delay 0.3
NAIVE_TW=$(ss_count time-wait sport "$NAIVE_PORT")
ABORTS_1=$(counter TcpExtTCPAbortOnData)

start_closewise cw "$CLOSEWISE" --listen 127.0.0.1:0 --admin off
peer cw-client slow-reader --port "$CW_PORT" --path "/bytes?n=$BYTES" --delay 0.3
CW_TW=$(tcp_state "$CW_PORT" TIME_WAIT)
ABORTS_2=$(counter TcpExtTCPAbortOnData)

# The answers carry a head before the body; count body bytes against the size asked for.
NAIVE_GOT=$(kv naive-client received_bytes)
CW_GOT=$(kv cw-client received_bytes)
say ""
row "" "SO_LINGER {1,0} then close" "closewise (graceful close)"
row "bytes received (head + $BYTES body)" "$NAIVE_GOT" "$CW_GOT"
row "the read ended with" "$(kv naive-client ended_with)" "$(kv cw-client ended_with)"
row "TIME_WAIT left on the server side" "$NAIVE_TW" "$CW_TW"
((LAB_PRIVATE_NET)) &&
  row "TcpExtTCPAbortOnData" "$((ABORTS_1 - ABORTS_0))" "$((ABORTS_2 - ABORTS_1))"
say ""

expect "SO_LINGER 0: the client's read ends in ECONNRESET" \
  test "$(kv naive-client ended_with)" == ECONNRESET
expect "SO_LINGER 0: part of the answer never arrives" test "$NAIVE_GOT" -lt "$BYTES"
expect "SO_LINGER 0: and, yes, no TIME_WAIT" test "$NAIVE_TW" -eq 0
expect "closewise: the whole answer arrives" test "$CW_GOT" -gt "$BYTES"
expect "closewise: the read ends in a clean EOF" test "$(kv cw-client ended_with)" == eof
expect "closewise: the TIME_WAIT stays with the server, which closed first" test "$CW_TW" -eq 1
if ((LAB_PRIVATE_NET)); then
  expect "SO_LINGER 0: the kernel counts the abort (nstat TcpExtTCPAbortOnData)" \
    test $((ABORTS_1 - ABORTS_0)) -eq 1
  expect "closewise: no abort counted" test $((ABORTS_2 - ABORTS_1)) -eq 0
else
  say "  (no network namespace of its own here: the abort counter is not checked)"
fi
finish
