#!/usr/bin/env bash
# Lab accept-queue: what a full accept queue does to new connections.
#   - A server listens with backlog 4 and stops calling accept() (a stalled accept loop). The
#     kernel completes handshakes on its own and queues them: backlog + 1 = 5 fit.
#   - The next SYNs are dropped, silently: the client sees nothing but a missing SYN-ACK, sends
#     its SYN again 1 s later (then 3 s, 7 s ...), and connects once the server accepts. Every drop
#     is counted in TcpExtListenOverflows and TcpExtListenDrops.
#   - `ss -ltn` shows the queue as Recv-Q (waiting) and Send-Q (backlog); `closewise states`
#     shows the same for any local port.
#   - listen()'s backlog is capped by net.core.somaxconn: 4096 by default since Linux 5.4.
# Claims: docs/close-handling.md "Connection setup: the SYN and accept queues".
source "$(dirname "$0")/lib.sh"
need_netns
need_closewise

NS="${LAB_ID}-aq"
make_netns "$NS"
in_ns() { ip netns exec "$NS" "$@"; }
GO="$LAB_TMP/go"

say "lab accept-queue: backlog 4, a server that does not accept, 8 clients 50 ms apart"
bg server netns "$NS" "$PYTHON" "$PEER" serve-no-accept --port 9000 --backlog 4 --go-file "$GO" \
  --max-seconds 20
wait_for_log server '^listening='
OVERFLOWS_0=$(counter TcpExtListenOverflows "$NS")
DROPS_0=$(counter TcpExtListenDrops "$NS")

bg clients netns "$NS" "$PYTHON" "$PEER" connect-many --port 9000 --count 8 --spacing 0.05 \
  --timeout 8
# The 8 connects leave within 0.4 s; three of them wait for a SYN-ACK that does not come.
wait_until "[[ \$(ss_count syn-sent dport 9000 $NS) == 3 ]]" 5 || true
SYN_SENT=$(ss_count syn-sent dport 9000 "$NS")
QUEUE_SS=$(in_ns ss -Hltn '( sport = :9000 )' | awk '{ print $2 "/" $3 }')
QUEUE_CW=$(in_ns "$CLOSEWISE" states --port 9000 --json |
  "$PYTHON" -c 'import json, sys
q = json.load(sys.stdin)["listen_queue"][0]
print(q["pending"], q["backlog"], sep="/")')
OVERFLOWS=$(($(counter TcpExtListenOverflows "$NS") - OVERFLOWS_0))
DROPS=$(($(counter TcpExtListenDrops "$NS") - DROPS_0))
# The server's accept loop resumes; the dropped clients get in with their next SYN.
touch "$GO"
wait_for_log clients '^after_a_retry=' 10

# somaxconn: a backlog of 65535 with the default, then 511 with somaxconn lowered to 16.
SOMAXCONN=$(in_ns sysctl -n net.core.somaxconn)
bg big netns "$NS" "$PYTHON" "$PEER" serve-no-accept --port 9001 --backlog 65535 \
  --go-file "$GO.never" --max-seconds 20
wait_for_log big '^listening='
in_ns sysctl -qw net.core.somaxconn=16
bg small netns "$NS" "$PYTHON" "$PEER" serve-no-accept --port 9002 --backlog 511 \
  --go-file "$GO.never" --max-seconds 20
wait_for_log small '^listening='
backlog_of() { in_ns ss -Hltn "( sport = :$1 )" | awk '{ print $3 }'; }
BIG=$(backlog_of 9001)
SMALL=$(backlog_of 9002)

say ""
row "8 connects, backlog 4, accept() stalled" "" ""
row "accept queue, ss -ltn (Recv-Q/Send-Q)" "$QUEUE_SS" ""
row "accept queue, closewise states (pending/backlog)" "$QUEUE_CW" ""
row "clients still in SYN_SENT" "$SYN_SENT" ""
row "TcpExtListenOverflows / TcpExtListenDrops" "$OVERFLOWS / $DROPS" ""
row "how long each connect took, s" "$(kv clients times)" ""
row "connected at once / after a resent SYN" \
  "$(kv clients at_once) / $(kv clients after_a_retry)" ""
say ""
row "listen() backlog and somaxconn" "backlog asked" "backlog given (Send-Q)"
row "somaxconn $SOMAXCONN (this kernel's default)" "65535" "$BIG"
row "somaxconn 16" "511" "$SMALL"
say ""

expect "backlog 4 queues 5 completed connections (backlog + 1)" test "$QUEUE_SS" == 5/4
expect "closewise states reads the same queue" test "$QUEUE_CW" == 5/4
expect "the other 3 SYNs were dropped: their clients wait in SYN_SENT" test "$SYN_SENT" -eq 3
expect "each drop is counted in ListenOverflows and ListenDrops" \
  test "$OVERFLOWS" -ge 3 -a "$DROPS" -ge 3
expect "the queued 5 connected at once" test "$(kv clients at_once)" -eq 5
expect "the dropped 3 connected with a resent SYN, a second or more later" \
  test "$(kv clients after_a_retry)" -eq 3
expect "somaxconn caps the backlog (default 4096 since Linux 5.4)" \
  test "$BIG" -eq "$SOMAXCONN" -a "$SOMAXCONN" -eq 4096
expect "and a lower somaxconn caps it lower" test "$SMALL" -eq 16
finish
