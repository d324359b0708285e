#!/usr/bin/env bash
# Lab tw-sysctls: what the TIME_WAIT sysctls really do on this kernel.
#   - net.ipv4.tcp_fin_timeout bounds an ORPHANED FIN_WAIT_2 (we closed, the peer never does),
#     not TIME_WAIT: with it set to 5 s the FIN_WAIT_2 socket is gone after about 5 s while a
#     TIME_WAIT socket made at the same moment still has about 55 s to run (Linux hard-codes
#     TIME_WAIT at 60 s, TCP_TIMEWAIT_LEN);
#   - net.ipv4.tcp_tw_recycle does not exist (removed in Linux 4.12), so a sysctl file that still
#     sets it makes `sysctl -p` report an error and exit non-zero (the other lines still apply);
#   - net.ipv4.tcp_max_tw_buckets: a socket that would overflow it skips TIME_WAIT altogether
#     (counted in TcpExtTCPTimeWaitOverflow);
#   - conntrack, when something in the namespace uses it, keeps its own TIME_WAIT entry for
#     net.netfilter.nf_conntrack_tcp_timeout_time_wait, 120 s, twice the socket's.
# Everything happens in namespaces of its own, so the host's sysctls are untouched.
# Claims: docs/close-handling.md, myths "tcp_tw_recycle" and "tcp_fin_timeout shortens TIME_WAIT",
# "TIME_WAIT: normal, on the side that closed first" and "conntrack and balancers".
source "$(dirname "$0")/lib.sh"
need_netns

NS="${LAB_ID}-tw"
make_netns "$NS"
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_fin_timeout=5
FIN_TIMEOUT=$(ip netns exec "$NS" sysctl -n net.ipv4.tcp_fin_timeout)
say "lab tw-sysctls: kernel $(uname -r), tcp_fin_timeout=$FIN_TIMEOUT in a namespace"
# A connection-tracking rule makes conntrack follow this namespace's connections, as a host
# firewall or NAT does; without nft the conntrack row is left out.
CONNTRACK=0
if command -v nft >/dev/null; then
  ip netns exec "$NS" nft -f - <<NFT && CONNTRACK=1
table inet lab {
  chain output {
    type filter hook output priority 0; policy accept;
    ct state new counter
  }
}
NFT
fi

# One orphaned FIN_WAIT_2 and one TIME_WAIT, both on the client side, made together.
bg pairs netns "$NS" "$PYTHON" "$PEER" close-pairs --port 9000 --seconds 30
wait_for_log pairs '^closed=both' 10
START=$(now)
FW2_PORT=$(kv pairs fin_wait_2_port)
TW_PORT=$(kv pairs time_wait_port)

# `ss -tano` shows both with timer:(timewait,<left>,0). ss writes the time left as "59sec",
# "1min", or, under ten seconds, "4.740ms", which means 4 s and 740 ms. In seconds, to a tenth:
timer_left() {
  ip netns exec "$NS" ss -Htano state "$1" "( sport = :$2 )" |
    sed -n 's/.*timer:(timewait,\([^,]*\),.*/\1/p' |
    awk '{ t = $0; s = 0
           if (match(t, /^[0-9]+min/)) {
             s += substr(t, 1, RLENGTH - 3) * 60
             t = substr(t, RLENGTH + 1)
           }
           if (match(t, /^[0-9]+sec/)) s += substr(t, 1, RLENGTH - 3)
           else if (match(t, /^[0-9]+\.[0-9]+ms/)) s += substr(t, 1, RLENGTH - 2)
           else if (match(t, /^[0-9]+ms/)) s += substr(t, 1, RLENGTH - 2) / 1000
           printf "%.1f", s }'
}
present() { [[ $(ss_count "$1" sport "$2" "$NS") -gt 0 ]]; }

FW2_LEFT_0=$(timer_left fin-wait-2 "$FW2_PORT")
TW_LEFT_0=$(timer_left time-wait "$TW_PORT")
say ""
say "  right after both closes (ss -tano):"
ip netns exec "$NS" ss -Htano "( sport = :$FW2_PORT or sport = :$TW_PORT )" | sed 's/^/    /'

wait_until "! present fin-wait-2 $FW2_PORT" 15 || true
FW2_GONE_AFTER=$(since "$START")
FW2_AFTER=$(ss_count fin-wait-2 sport "$FW2_PORT" "$NS")
TW_AFTER=$(ss_count time-wait sport "$TW_PORT" "$NS")
TW_LEFT_1=$(timer_left time-wait "$TW_PORT")
RECYCLE=absent
[[ -e /proc/sys/net/ipv4/tcp_tw_recycle ]] && RECYCLE=present
# conntrack's entry for the same TIME_WAIT connection: "... tcp 6 <seconds left> TIME_WAIT
# src=... sport=<client port> ...".
CT_LEFT=-
if ((CONNTRACK)); then
  CT_LEFT=$(ip netns exec "$NS" cat /proc/net/nf_conntrack 2>/dev/null |
    awk -v p="sport=$TW_PORT" '$6 == "TIME_WAIT" && index($0, p " ") { print $5 }' | head -n 1)
fi

# A sysctl file from a tuning guide, applied with sysctl -p (in the namespace: only net.* keys).
cat >"$LAB_TMP/tuning.conf" <<CONF
net.ipv4.tcp_tw_recycle = 1
net.ipv4.tcp_fin_timeout = 7
CONF
SYSCTL_STATUS=0
ip netns exec "$NS" sysctl -p "$LAB_TMP/tuning.conf" >"$LAB_TMP/sysctl-p.log" 2>&1 ||
  SYSCTL_STATUS=$?
FIN_AFTER_P=$(ip netns exec "$NS" sysctl -n net.ipv4.tcp_fin_timeout)

# tcp_max_tw_buckets, in a namespace of its own so that nothing else holds a TIME_WAIT there.
NS2="${LAB_ID}-tw2"
make_netns "$NS2"
ip netns exec "$NS2" sysctl -qw net.ipv4.tcp_max_tw_buckets=5
OVERFLOW_0=$(counter TcpExtTCPTimeWaitOverflow "$NS2")
peer buckets netns "$NS2" make-time-waits --port 9000 --count 10
TW_IN_NS2=$(ip netns exec "$NS2" ss -Htan state time-wait | wc -l)
OVERFLOWS=$(($(counter TcpExtTCPTimeWaitOverflow "$NS2") - OVERFLOW_0))

say ""
row "" "orphaned FIN_WAIT_2" "TIME_WAIT"
row "timer left just after the close" "${FW2_LEFT_0:-?} s" "${TW_LEFT_0:-?} s"
row "sockets ${FW2_GONE_AFTER}s later" "$FW2_AFTER" "$TW_AFTER"
row "timer left then" "(gone)" "${TW_LEFT_1:-?} s"
row "/proc/sys/net/ipv4/tcp_tw_recycle" "$RECYCLE" ""
row "conntrack's TIME_WAIT for it, seconds left" "" "${CT_LEFT:-?}"
say ""
say "  sysctl -p of a file that sets tcp_tw_recycle: exit status $SYSCTL_STATUS,"
sed 's/^/    /' "$LAB_TMP/sysctl-p.log"
say "  tcp_max_tw_buckets=5, 10 connections closed: $TW_IN_NS2 TIME_WAIT," \
  "$OVERFLOWS counted in TcpExtTCPTimeWaitOverflow"
say ""

# `between VALUE LOW HIGH`: true when VALUE is a number from LOW to HIGH (decimals allowed).
between() {
  awk -v v="${1:-x}" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "x" && v >= lo && v <= hi) }'
}
expect "FIN_WAIT_2's timer starts at tcp_fin_timeout (3 to 5 s left)" between "$FW2_LEFT_0" 3 5
expect "TIME_WAIT's timer starts near 60 s, not 5" between "$TW_LEFT_0" 50 60
expect "the FIN_WAIT_2 socket is gone within 10 s" \
  awk -v t="$FW2_GONE_AFTER" -v n="$FW2_AFTER" 'BEGIN { exit !(n == 0 && t < 10) }'
expect "the TIME_WAIT socket is still there then" test "$TW_AFTER" -eq 1
expect "with more than tcp_fin_timeout still to run" between "$TW_LEFT_1" 5.1 60
expect "tcp_tw_recycle does not exist on this kernel" test "$RECYCLE" == absent
expect "so sysctl -p of a file that sets it fails" test "$SYSCTL_STATUS" -ne 0
expect "naming the missing key" grep -q 'tcp_tw_recycle: No such file' "$LAB_TMP/sysctl-p.log"
expect "(the file's other lines still apply)" test "$FIN_AFTER_P" -eq 7
expect "tcp_max_tw_buckets caps TIME_WAIT: 5 of 10" test "$TW_IN_NS2" -eq 5
expect "the other 5 closed without one, and were counted" test "$OVERFLOWS" -eq 5
if ((CONNTRACK)); then
  expect "conntrack holds its TIME_WAIT for 120 s, more than the socket's 60" \
    between "$CT_LEFT" 100 120
else
  say "  (nft not installed: the conntrack row is not checked)"
fi
finish
