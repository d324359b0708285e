#!/usr/bin/env bash
# Lab dead-peer: a client host that vanishes without a FIN or RST (power loss, a cable, a
# firewall dropping state) leaves the server's socket ESTABLISHED for as long as the server sends
# nothing. Three closewise instances in one namespace each hold one request of the client; then
# every packet from the client is dropped (nftables, in the server's namespace).
#   - :8080 holds a request in processing (/delay?ms=60000, --handler-timeout 2m, so no closewise
#     deadline interferes) with --tcp-keepalive 2s: the kernel probes (idle 2 s, every 1 s, 4
#     probes), gets no answer, fails the socket with ETIMEDOUT, and closewise closes it;
#   - :8081 the same without keepalive: the socket stays ESTABLISHED, even though the namespace's
#     keepalive sysctls are set to probe after 1 s: the sysctls are defaults for sockets that
#     enable SO_KEEPALIVE and do nothing for the others;
#   - :8082 is sending a large answer when the client vanishes, keepalive off: its unacknowledged
#     data is retransmitted until net.ipv4.tcp_retries2 is used up (3 here, about 3 s; the
#     default 15 is about 15 minutes), and the kernel fails the socket with ETIMEDOUT.
# And keepalive against CLOSE_WAIT: a naive server that never closes, with keepalive probes every
# second on its sockets, keeps its CLOSE_WAIT sockets while the client is alive (the client's
# kernel answers the probes); once the client is gone the probes fail and the sockets leave
# CLOSE_WAIT, but the descriptors stay open until the program closes them.
# Claims: docs/close-handling.md "A peer that vanishes" and the keepalive myth.
source "$(dirname "$0")/lib.sh"
need_netns
need_closewise
command -v nft >/dev/null || skip "needs nftables (nft)"

SERVER_NS="${LAB_ID}-srv"
CLIENT_NS="${LAB_ID}-cli"
make_netns "$SERVER_NS"
make_netns "$CLIENT_NS"
make_veth "$SERVER_NS" 10.78.0.1 "$CLIENT_NS" 10.78.0.2
# The folk fix, applied where it would have to work: the server's namespace. tcp_retries2 is
# lowered so the lab sees in seconds what takes about 15 minutes by default.
ip netns exec "$SERVER_NS" sysctl -qw net.ipv4.tcp_keepalive_time=1 \
  net.ipv4.tcp_keepalive_intvl=1 net.ipv4.tcp_keepalive_probes=2 net.ipv4.tcp_retries2=3

COMMON=(--admin off --handler-timeout 2m --idle-timeout 2m --write-timeout 2m)
start_closewise cw-ka netns "$SERVER_NS" "$CLOSEWISE" --listen 10.78.0.1:8080 "${COMMON[@]}" \
  --tcp-keepalive 2s
start_closewise cw-noka netns "$SERVER_NS" "$CLOSEWISE" --listen 10.78.0.1:8081 "${COMMON[@]}"
start_closewise cw-send netns "$SERVER_NS" "$CLOSEWISE" --listen 10.78.0.1:8082 "${COMMON[@]}"
bg naive netns "$SERVER_NS" "$PYTHON" "$PEER" serve-leak --host 10.78.0.1 --port 8083 --keepalive \
  --max-seconds 60
NAIVE_PID=$BG_PID
wait_for_log naive '^listening='

say "lab dead-peer: requests held on three servers, then the client host goes silent"
bg client-ka netns "$CLIENT_NS" "$PYTHON" "$PEER" hold --host 10.78.0.1 --port 8080 \
  --path "/delay?ms=60000" --seconds 60
bg client-noka netns "$CLIENT_NS" "$PYTHON" "$PEER" hold --host 10.78.0.1 --port 8081 \
  --path "/delay?ms=60000" --seconds 60
bg client-send netns "$CLIENT_NS" "$PYTHON" "$PEER" slow-reader --host 10.78.0.1 --port 8082 \
  --path "/bytes?n=1073741824" --delay 0 --timeout 60
# Three clients that come and go: the naive server keeps each socket, in CLOSE_WAIT.
peer client-cw netns "$CLIENT_NS" churn --host 10.78.0.1 --port 8083 --count 3
estab() { ss_count established sport "$1" "$SERVER_NS"; }
wait_until '[[ $(estab 8080) == 1 && $(estab 8081) == 1 && $(estab 8082) == 1 ]]' 10
wait_for_log client-ka '^sent=' 5
wait_for_log client-noka '^sent=' 5
sleep 0.2 # the requests reach the handlers
timer() {
  ip netns exec "$SERVER_NS" ss -Htno state "$1" "( sport = :$2 )" |
    grep -o 'timer:([a-z]*' | cut -d'(' -f2 | sort -u | tr '\n' ' ' | sed 's/ $//' || true
}
TIMER_KA=$(timer established 8080)
TIMER_NOKA=$(timer established 8081)
# Keepalive has probed the CLOSE_WAIT sockets every second for a while: the client answers.
sleep 3
CW_BEFORE=$(ss_count close-wait sport 8083 "$SERVER_NS")
TIMER_CW=$(timer close-wait 8083)
# Sockets the naive server holds open: its descriptors that are sockets, less the listener.
naive_fds() {
  local fd sockets=0
  for fd in "/proc/$NAIVE_PID/fd"/*; do
    [[ $(readlink "$fd") == socket:* ]] && sockets=$((sockets + 1))
  done
  echo $((sockets - 1))
}
FDS_BEFORE=$(naive_fds)

ip netns exec "$SERVER_NS" nft -f - <<NFT
table inet lab {
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr 10.78.0.2 drop
  }
}
NFT
DROPPED_AT=$(now)

# Retransmissions give up after about 0.2 + 0.4 + 0.8 + 1.6 s (tcp_retries2=3, the RTO doubling
# from 200 ms); keepalive after about 2 + 4 x 1 = 6 s. Allow 20 s on a loaded machine.
wait_until '[[ $(estab 8082) == 0 ]]' 20 || true
SEND_AFTER=$(estab 8082)
SEND_SECONDS=$(since "$DROPPED_AT")
wait_until '[[ $(estab 8080) == 0 ]]' 20 || true
KA_AFTER=$(estab 8080)
KA_SECONDS=$(since "$DROPPED_AT")
# Give the sysctl-only server more time than its sysctls would need (1 + 2 x 1 s).
sleep 2
NOKA_AFTER=$(estab 8081)
NOKA_SECONDS=$(since "$DROPPED_AT")
CW_AFTER=$(ss_count close-wait sport 8083 "$SERVER_NS")
FDS_AFTER=$(naive_fds)

first_error() {
  local line
  line=$(grep -o '\(read\|write\) error: [A-Z]*' "$LAB_TMP/$1.log" | head -n 1 || true)
  echo "${line:-nothing}"
}
say ""
row "" "--tcp-keepalive 2s" "keepalive off (sysctls 1s/1s/2)"
row "timer on the server socket before the drop" "${TIMER_KA:-none}" "${TIMER_NOKA:-none}"
row "ESTABLISHED on the server, before the drop" "1" "1"
row "ESTABLISHED on the server, after the drop" "$KA_AFTER (at ${KA_SECONDS}s)" \
  "$NOKA_AFTER (at ${NOKA_SECONDS}s)"
row "closewise log" "$(first_error cw-ka)" "$(first_error cw-noka)"
say ""
row "sending an answer, keepalive off, tcp_retries2=3" "" ""
row "ESTABLISHED on the server after the drop" "$SEND_AFTER (at ${SEND_SECONDS}s)" ""
row "closewise log" "$(first_error cw-send)" ""
say ""
row "naive server, never closes, keepalive 1s/1s/2" "client alive" "client gone"
row "CLOSE_WAIT sockets" "$CW_BEFORE (timer ${TIMER_CW:-none})" "$CW_AFTER"
row "descriptors it still holds for them" "$FDS_BEFORE" "$FDS_AFTER"
say ""

expect "with --tcp-keepalive the socket has a keepalive timer" test "$TIMER_KA" == keepalive
expect "without it there is none, whatever the sysctls say" test -z "$TIMER_NOKA"
expect "with --tcp-keepalive 2s the dead peer's connection is reclaimed" test "$KA_AFTER" -eq 0
expect "by the kernel's verdict ETIMEDOUT" grep -q 'read error: ETIMEDOUT' "$LAB_TMP/cw-ka.log"
expect "without keepalive, an idle wait is still ESTABLISHED" test "$NOKA_AFTER" -eq 1
expect "a server that is sending notices without keepalive: its retransmissions time out" \
  test "$SEND_AFTER" -eq 0
send_timed_out() {
  [[ $(first_error cw-send) == *ETIMEDOUT ]] && awk -v t="$SEND_SECONDS" 'BEGIN { exit !(t < 10) }'
}
expect "with ETIMEDOUT, within 10 s (tcp_retries2=3)" send_timed_out
expect "keepalive probes do not end a CLOSE_WAIT whose peer is alive" \
  test "$CW_BEFORE" -eq 3 -a "$TIMER_CW" == keepalive
expect "once the peer is gone they take the sockets out of CLOSE_WAIT" test "$CW_AFTER" -eq 0
expect "but every descriptor stays open until the program closes it" \
  test "$FDS_BEFORE" -eq 3 -a "$FDS_AFTER" -eq 3
finish
