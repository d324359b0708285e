#!/usr/bin/env bash
# Lab client-port-exhaustion: a client that opens a connection per request and closes first keeps
# each local port in TIME_WAIT for 60 s, so toward one destination it runs out of ephemeral ports
# (connect() fails with EADDRNOTAVAIL) after as many requests as the range holds. closewise's
# upstream pool does the same requests, from as many clients at once, on at most its maximum of
# connections, so on at most that many ports. In a network namespace of its own, with the
# ephemeral range narrowed to 50 ports and tcp_tw_reuse off (its default, 2, reuses TIME_WAIT
# ports toward loopback, which would hide what a client talking to another host meets).
# Claims: docs/close-handling.md "Client side".
source "$(dirname "$0")/lib.sh"
need_netns
need_closewise

REQUESTS=200
CLIENTS=4
POOL_MAX=4
NS="${LAB_ID}-cli"
make_netns "$NS"
# Both sysctls are per namespace: nothing changes on the host.
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="40000 40049"
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_tw_reuse=0

# The upstream: a closewise on two ports, one per experiment, so each starts with fresh
# four-tuples (a TIME_WAIT holds a four-tuple, so ports spent toward :8081 stay usable toward
# :8080). The proxy is a second closewise whose pool calls :8080.
start_closewise upstream netns "$NS" "$CLOSEWISE" --admin off --listen 127.0.0.1:8080 \
  --listen 127.0.0.1:8081
start_closewise proxy netns "$NS" "$CLOSEWISE" --admin off --listen 127.0.0.1:8090 \
  --demo-routes=true --upstream up=http://127.0.0.1:8080 --upstream-max-connections "$POOL_MAX"

# Client sockets toward PORT in STATE ("all" for every state), from ss.
toward() { ip netns exec "$NS" ss -Htan state "$1" "( dport = :$2 )" | wc -l; }

say "lab client-port-exhaustion: 50 ephemeral ports (40000-40049), tcp_tw_reuse=0"

# 1. Through the pool: CLIENTS keep-alive clients at once, REQUESTS in all.
pooled_clients 8090 netns "$NS"
# The pool's connections are idle now (ESTABLISHED until its idle timeout): every port it used
# toward the upstream is still visible, in one state or another.
POOL_PORTS=$(toward all 8080)
POOL_TW=$(toward time-wait 8080)

# 2. The naive client: a new connection per request, closed by the client once answered.
peer naive netns "$NS" per-request --port 8081 --count "$REQUESTS"
NAIVE_TW=$(toward time-wait 8081)

say ""
row "" "new connection per request" "closewise's pool (max $POOL_MAX)"
row "requests answered (of $REQUESTS)" "$(kv naive ok)" "$POOLED_OK"
row "first error" "$(kv naive first_error)" "$POOLED_ERROR"
row "local ports toward the upstream, all states" "$NAIVE_TW in TIME_WAIT" "$POOL_PORTS"
row "of them in TIME_WAIT" "$NAIVE_TW" "$POOL_TW"
say ""

NAIVE_OK=$(kv naive ok)
expect "a new connection per request runs out after about 50 requests" \
  test "$NAIVE_OK" -ge 45 -a "$NAIVE_OK" -le 50
say "        (connect: $(kv naive first_error_text))"
expect "and connect() fails with EADDRNOTAVAIL" grep -q '^first_error=EADDRNOTAVAIL' \
  "$LAB_TMP/naive.log"
expect "every port it used is held in TIME_WAIT by the client, which closed first" \
  test "$NAIVE_TW" -ge "$NAIVE_OK"
expect "the pool answers all $REQUESTS, from $CLIENTS clients at once" \
  test "$POOLED_OK" -eq "$REQUESTS"
expect "on at most its maximum of $POOL_MAX ports" test "$POOL_PORTS" -ge 1 -a \
  "$POOL_PORTS" -le "$POOL_MAX"
finish
