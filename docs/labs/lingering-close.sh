#!/usr/bin/env bash
# Lab lingering-close: a client sends a request whose head is invalid, with a 16 MiB body, all of
# it, and then reads the answer (the order of almost every HTTP client library). A server that
# answers 400 and closes at once, with the body still arriving, makes its kernel send RST: the
# client's send fails with a reset and it never reads the 400, although on Linux the 400 is
# still in its receive queue. closewise answers 400, sends FIN, and reads and discards until the
# client is done (lingering close, RFC 9112 section 9.6): the client reads the 400.
# In a network namespace of its own (where the kernel allows it), the lab also reads the kernel's
# counters of resets sent on close: TcpExtTCPAbortOnClose and TcpExtTCPAbortOnData.
# Claims: docs/close-handling.md "Lingering close", docs/diagnosing.md "Resets instead of answers".
source "$(dirname "$0")/lib.sh"
need_closewise
want_private_net

BODY=$((16 << 20))
say "lab lingering-close: POST with an invalid header and a $BODY-byte body, sent whole, then read"

# Resets this namespace's TCP sent because a socket was closed with data unread or arriving.
aborts() { echo $(($(counter TcpExtTCPAbortOnClose) + $(counter TcpExtTCPAbortOnData))); }

ABORTS_0=$(aborts)
bg naive "$PYTHON" "$PEER" serve-close-early --port 0 --max-seconds 30
wait_for_log naive '^listening='
peer naive-client post-bad-header --port "$(kv naive listening)" --body-bytes "$BODY" --timeout 10
ABORTS_1=$(aborts)

start_closewise cw "$CLOSEWISE" --listen 127.0.0.1:0 --admin off
peer cw-client post-bad-header --port "$CW_PORT" --body-bytes "$BODY" --timeout 10
ABORTS_2=$(aborts)

say ""
row "" "answer 400, close() at once" "closewise (lingering close)"
row "body bytes the client got to send" "$(kv naive-client body_bytes_sent)" \
  "$(kv cw-client body_bytes_sent)"
row "the client's send ended with" "$(kv naive-client send_error)" "$(kv cw-client send_error)"
row "what a client library reports" "$(kv naive-client library_saw)" \
  "$(kv cw-client library_saw)"
row "in its receive queue all the same" "$(kv naive-client unread_answer)" \
  "$(kv cw-client unread_answer)"
if ((LAB_PRIVATE_NET)); then
  row "resets on close (AbortOnClose + AbortOnData)" "$((ABORTS_1 - ABORTS_0))" \
    "$((ABORTS_2 - ABORTS_1))"
fi
say ""

expect "close at once: the client's send fails with a reset (ECONNRESET or EPIPE)" \
  grep -Eq '^send_error=(ECONNRESET|EPIPE)$' "$LAB_TMP/naive-client.log"
expect "close at once: so its library reports the reset, not the 400" \
  grep -Eq '^library_saw=(ECONNRESET|EPIPE)$' "$LAB_TMP/naive-client.log"
expect "close at once: the 400 had arrived, and stays readable after the RST on Linux" \
  test "$(kv naive-client unread_answer)" == 400
expect "closewise: the client sends its whole body without an error" \
  test "$(kv cw-client send_error)" == none
expect "closewise: and reads the 400" test "$(kv cw-client library_saw)" == 400
if ((LAB_PRIVATE_NET)); then
  expect "close at once: the server's kernel counts the reset (nstat TcpExtTCPAbortOn*)" \
    test $((ABORTS_1 - ABORTS_0)) -ge 1
  expect "closewise: no reset counted" test $((ABORTS_2 - ABORTS_1)) -eq 0
else
  say "  (no network namespace of its own here: the reset counters are not checked)"
fi
finish
