#!/usr/bin/env bash
# Lab tw-sysctls: what the TIME_WAIT sysctls really do on this kernel.
#   - net.ipv4.tcp_fin_timeout bounds an ORPHANED FIN_WAIT_2 (we closed, the peer never does),
#     not TIME_WAIT: with it set to 5 s the FIN_WAIT_2 socket is gone after about 5 s while a
#     TIME_WAIT socket made at the same moment still has about 55 s to run (Linux hard-codes
#     TIME_WAIT at 60 s, TCP_TIMEWAIT_LEN);
#   - net.ipv4.tcp_tw_recycle does not exist (removed in Linux 4.12).
# Everything happens in a namespace of its own, so the host's sysctls are untouched.
# Claims: docs/close-handling.md, myths "tcp_tw_recycle" and "tcp_fin_timeout shortens TIME_WAIT".
source "$(dirname "$0")/lib.sh"
need_root

NS="${LAB_ID}-tw"
make_netns "$NS"
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_fin_timeout=5
FIN_TIMEOUT=$(ip netns exec "$NS" sysctl -n net.ipv4.tcp_fin_timeout)
say "lab tw-sysctls: kernel $(uname -r), tcp_fin_timeout=$FIN_TIMEOUT in a namespace"

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

say ""
row "" "orphaned FIN_WAIT_2" "TIME_WAIT"
row "timer left just after the close" "${FW2_LEFT_0:-?} s" "${TW_LEFT_0:-?} s"
row "sockets ${FW2_GONE_AFTER}s later" "$FW2_AFTER" "$TW_AFTER"
row "timer left then" "(gone)" "${TW_LEFT_1:-?} s"
row "/proc/sys/net/ipv4/tcp_tw_recycle" "$RECYCLE" ""
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
finish
