#!/usr/bin/env bash
# Lab lingering-close: a client sends a request whose head is invalid, with a 16 MiB body, all of
# it, and then reads the answer (the order of almost every HTTP client library). A server that
# answers 400 and closes at once, with the body still arriving, makes its kernel send RST: the
# client's send fails with a reset and it never reads the 400. closewise answers 400, sends FIN,
# and reads and discards until the client is done (lingering close, RFC 9112 section 9.6): the
# client reads the 400. Claims: docs/close-handling.md "Lingering close".
source "$(dirname "$0")/lib.sh"
need_closewise

BODY=$((16 << 20))
say "lab lingering-close: POST with an invalid header and a $BODY-byte body, sent whole, then read"

bg naive "$PYTHON" "$PEER" serve-close-early --port 0 --max-seconds 30
wait_for_log naive '^listening='
peer naive-client post-bad-header --port "$(kv naive listening)" --body-bytes "$BODY" --timeout 10

start_closewise cw "$CLOSEWISE" --listen 127.0.0.1:0 --admin off
peer cw-client post-bad-header --port "$CW_PORT" --body-bytes "$BODY" --timeout 10

say ""
row "" "answer 400, close() at once" "closewise (lingering close)"
row "body bytes the client got to send" "$(kv naive-client body_bytes_sent)" \
  "$(kv cw-client body_bytes_sent)"
row "the client's send ended with" "$(kv naive-client send_error)" "$(kv cw-client send_error)"
row "status the client read" "$(kv naive-client status)" "$(kv cw-client status)"
row "an answer left unread in its receive buffer" "$(kv naive-client unread_answer)" \
  "$(kv cw-client unread_answer)"
say ""

expect "close at once: the client's send fails with a reset (ECONNRESET or EPIPE)" \
  grep -Eq '^send_error=(ECONNRESET|EPIPE)' "$LAB_TMP/naive-client.log"
expect "close at once: the client never reads the 400" \
  test "$(kv naive-client status)" == none
expect "closewise: the client sends its whole body without an error" \
  test "$(kv cw-client send_error)" == none
expect "closewise: and reads the 400" test "$(kv cw-client status)" == 400
finish
