#!/usr/bin/env bash
# Lab dead-peer: a client host that vanishes without a FIN or RST (power loss, a cable, a
# firewall dropping state) leaves the server's socket ESTABLISHED for as long as the server sends
# nothing. Two closewise instances in one namespace hold one request each in processing
# (/delay?ms=60000, --handler-timeout 2m, so no closewise deadline interferes); then every
# packet from the client is dropped (nftables, in the server's namespace).
#   - with --tcp-keepalive 2s the kernel probes (idle 2 s, every 1 s, 4 probes), gets no answer,
#     fails the socket with ETIMEDOUT, and closewise closes it (close reason io_error);
#   - without it the socket stays ESTABLISHED, even though the namespace's keepalive sysctls are
#     set to probe after 1 s: the sysctls are defaults for sockets that enable SO_KEEPALIVE and
#     do nothing for the others.
# Claims: docs/close-handling.md "A peer that vanishes" and the keepalive myth.
source "$(dirname "$0")/lib.sh"
need_root
need_closewise
command -v nft >/dev/null || skip "needs nftables (nft)"

SERVER_NS="${LAB_ID}-srv"
CLIENT_NS="${LAB_ID}-cli"
make_netns "$SERVER_NS"
make_netns "$CLIENT_NS"
make_veth "$SERVER_NS" 10.78.0.1 "$CLIENT_NS" 10.78.0.2
# The folk fix, applied where it would have to work: the server's namespace.
ip netns exec "$SERVER_NS" sysctl -qw net.ipv4.tcp_keepalive_time=1 \
  net.ipv4.tcp_keepalive_intvl=1 net.ipv4.tcp_keepalive_probes=2

COMMON=(--admin off --handler-timeout 2m --idle-timeout 2m)
start_closewise cw-ka netns "$SERVER_NS" "$CLOSEWISE" --listen 10.78.0.1:8080 "${COMMON[@]}" \
  --tcp-keepalive 2s
start_closewise cw-noka netns "$SERVER_NS" "$CLOSEWISE" --listen 10.78.0.1:8081 "${COMMON[@]}"

say "lab dead-peer: one request in processing on each server, then the client host goes silent"
bg client-ka netns "$CLIENT_NS" "$PYTHON" "$PEER" hold --host 10.78.0.1 --port 8080 \
  --path "/delay?ms=60000" --seconds 60
bg client-noka netns "$CLIENT_NS" "$PYTHON" "$PEER" hold --host 10.78.0.1 --port 8081 \
  --path "/delay?ms=60000" --seconds 60
estab() { ss_count established sport "$1" "$SERVER_NS"; }
wait_until '[[ $(estab 8080) == 1 && $(estab 8081) == 1 ]]' 10
wait_for_log client-ka '^sent=' 5
wait_for_log client-noka '^sent=' 5
sleep 0.2 # the requests reach the handlers
TIMER_KA=$(ip netns exec "$SERVER_NS" ss -Htno state established '( sport = :8080 )' |
  grep -o 'timer:([a-z]*' | cut -d'(' -f2 || true)
TIMER_NOKA=$(ip netns exec "$SERVER_NS" ss -Htno state established '( sport = :8081 )' |
  grep -o 'timer:([a-z]*' | cut -d'(' -f2 || true)

ip netns exec "$SERVER_NS" nft -f - <<NFT
table inet lab {
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr 10.78.0.2 drop
  }
}
NFT
DROPPED_AT=$(now)

# Keepalive should fail the socket after about 2 + 4 x 1 = 6 s; allow 20 s on a loaded machine.
wait_until '[[ $(estab 8080) == 0 ]]' 20 || true
KA_AFTER=$(estab 8080)
KA_SECONDS=$(since "$DROPPED_AT")
# Give the sysctl-only server three more seconds than its sysctls would need (1 + 2 x 1 s).
sleep 3
NOKA_AFTER=$(estab 8081)
NOKA_SECONDS=$(since "$DROPPED_AT")

say ""
row "" "--tcp-keepalive 2s" "keepalive off (sysctls 1s/1s/2)"
row "timer on the server socket before the drop" "${TIMER_KA:-none}" "${TIMER_NOKA:-none}"
row "ESTABLISHED on the server, before the drop" "1" "1"
row "ESTABLISHED on the server, after the drop" "$KA_AFTER (at ${KA_SECONDS}s)" \
  "$NOKA_AFTER (at ${NOKA_SECONDS}s)"
row "closewise log" "$(grep -o 'read error: [A-Z]*' "$LAB_TMP/cw-ka.log" | head -n 1)" \
  "$(grep -o 'read error: [A-Z]*' "$LAB_TMP/cw-noka.log" | head -n 1 || echo nothing)"
say ""

expect "with --tcp-keepalive the socket has a keepalive timer" test "$TIMER_KA" == keepalive
expect "without it there is none, whatever the sysctls say" test -z "$TIMER_NOKA"
expect "with --tcp-keepalive 2s the dead peer's connection is reclaimed" test "$KA_AFTER" -eq 0
expect "by the kernel's verdict ETIMEDOUT" grep -q 'read error: ETIMEDOUT' "$LAB_TMP/cw-ka.log"
expect "without keepalive it is still ESTABLISHED" test "$NOKA_AFTER" -eq 1
finish
