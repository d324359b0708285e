#!/usr/bin/env bash
# Lab port-exhaustion: a client that opens a new connection per request and closes it first keeps
# one local port in TIME_WAIT per request for 60 s; with 100 ephemeral ports, connect() fails with
# EADDRNOTAVAIL ("Cannot assign requested address", Linux's "No buffer space available (maximum
# connections reached?)") after about 100 requests. The same client on one keep-alive connection
# never runs out, and SO_REUSEADDR on the client does not help.
# Claims: docs/close-handling.md "Port exhaustion is the client's TIME_WAIT".
#
# Two namespaces joined by a veth pair, not loopback: Linux lets a new connection reuse a
# TIME_WAIT port on loopback (net.ipv4.tcp_tw_reuse = 2, the default), which would hide the
# problem that a client talking to another host has.
source "$(dirname "$0")/lib.sh"
need_root
need_closewise

REQUESTS=300
SERVER_NS="${LAB_ID}-srv"
CLIENT_NS="${LAB_ID}-cli"
make_netns "$SERVER_NS"
make_netns "$CLIENT_NS"
make_veth "$SERVER_NS" 10.77.0.1 "$CLIENT_NS" 10.77.0.2
# ip_local_port_range is per namespace: 100 ports for the client, nothing changes on the host.
ip netns exec "$CLIENT_NS" sysctl -qw net.ipv4.ip_local_port_range="40000 40099"
TW_REUSE=$(ip netns exec "$CLIENT_NS" sysctl -n net.ipv4.tcp_tw_reuse)

start_closewise cw netns "$SERVER_NS" "$CLOSEWISE" --listen 10.77.0.1:8080 --admin off

say "lab port-exhaustion: $REQUESTS requests from a namespace with ports 40000-40099" \
  "(tcp_tw_reuse=$TW_REUSE)"
# Keep-alive first: it uses one port, so it cannot be starved by the run after it.
peer keepalive netns "$CLIENT_NS" per-request --host 10.77.0.1 --port 8080 --count "$REQUESTS" \
  --keepalive
KA_TW=$(ss_count time-wait dport 8080 "$CLIENT_NS")
peer new-conn netns "$CLIENT_NS" per-request --host 10.77.0.1 --port 8080 --count "$REQUESTS"
NEW_TW=$(( $(ss_count time-wait dport 8080 "$CLIENT_NS") - KA_TW ))
# The folk fix, tried now that the ports are used up: SO_REUSEADDR on the client's sockets.
peer reuseaddr netns "$CLIENT_NS" per-request --host 10.77.0.1 --port 8080 --count 10 --reuseaddr

say ""
row "" "new connection per request" "one keep-alive connection"
row "requests answered (of $REQUESTS)" "$(kv new-conn ok)" "$(kv keepalive ok)"
row "first error" "$(kv new-conn first_error)" "$(kv keepalive first_error)"
row "local ports left in TIME_WAIT by the client" "$NEW_TW" "$KA_TW"
row "time taken" "$(kv new-conn seconds) s" "$(kv keepalive seconds) s"
say ""
say "  then, with every port in TIME_WAIT, a client that sets SO_REUSEADDR:" \
  "$(kv reuseaddr ok) answered, first error $(kv reuseaddr first_error)"
say ""

NEW_OK=$(kv new-conn ok)
expect "a new connection per request runs out after about 100 requests" \
  test "$NEW_OK" -ge 90 -a "$NEW_OK" -le 100
say "        (connect: $(kv new-conn first_error_text))"
expect "and connect() fails with EADDRNOTAVAIL" grep -q '^first_error=EADDRNOTAVAIL' \
  "$LAB_TMP/new-conn.log"
expect "every used port is held in TIME_WAIT by the client" test "$NEW_TW" -ge "$NEW_OK"
expect "SO_REUSEADDR on the client does not give a port back" \
  grep -q '^first_error=EADDRNOTAVAIL at request 1$' "$LAB_TMP/reuseaddr.log"
expect "keep-alive answers all $REQUESTS" test "$(kv keepalive ok)" -eq "$REQUESTS"
expect "and holds one port in TIME_WAIT, once it closes" test "$KA_TW" -eq 1
finish
