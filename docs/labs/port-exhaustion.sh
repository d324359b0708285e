#!/usr/bin/env bash
# Lab port-exhaustion: what holds a client's local ports, and what gives them back.
#   - A client that opens a new connection per request and closes it first keeps each four-tuple
#     in TIME_WAIT for 60 s. With 100 ephemeral ports, connect() fails with EADDRNOTAVAIL
#     ("Cannot assign requested address") after about 100 requests to one server address and
#     port. The same client on one keep-alive connection never runs out.
#   - TIME_WAIT holds a four-tuple, not a port: the same ports still reach another server port.
#     A bind() before connect() takes a whole port, so bind(port 0) then fails where connect()
#     alone works; IP_BIND_ADDRESS_NO_PORT leaves the choice to connect().
#   - SO_REUSEADDR: without a bind() it changes nothing. bind() to a port in TIME_WAIT needs it on
#     the old socket as well as the new one; when both had it and TCP timestamps were on, Linux
#     lets the bound socket connect() over the TIME_WAIT at once. Without timestamps it cannot.
#   - Leaked connections (a pool that never closes) exhaust the ports with no TIME_WAIT at all,
#     so the count that tells is every state toward the destination.
#   - net.ipv4.tcp_tw_reuse: the default 2 reuses a TIME_WAIT at least 1 s old for loopback only;
#     1 does it for every destination; neither helps a TIME_WAIT made without timestamps.
# Claims: docs/close-handling.md "Port exhaustion is the client's TIME_WAIT" and the myths about
# SO_REUSEADDR and tcp_tw_reuse; docs/diagnosing.md "Port exhaustion on the client".
#
# Two namespaces joined by a veth pair, not loopback: Linux lets a new connection reuse a
# TIME_WAIT port on loopback (net.ipv4.tcp_tw_reuse = 2, the default), which would hide the
# problem that a client talking to another host has.
source "$(dirname "$0")/lib.sh"
need_netns
need_closewise

REQUESTS=300
SERVER_NS="${LAB_ID}-srv"
CLIENT_NS="${LAB_ID}-cli"
make_netns "$SERVER_NS"
make_netns "$CLIENT_NS"
make_veth "$SERVER_NS" 10.77.0.1 "$CLIENT_NS" 10.77.0.2
# ip_local_port_range and the TCP sysctls are per namespace: nothing changes on the host.
csysctl() { ip netns exec "$CLIENT_NS" sysctl -qw "$@"; }
csysctl net.ipv4.ip_local_port_range="40000 40099"
TW_REUSE=$(ip netns exec "$CLIENT_NS" sysctl -n net.ipv4.tcp_tw_reuse)

# One server, one port per experiment, so that each starts with fresh four-tuples: 8080 for the
# exhaustion, 8081 for "another destination", 8082 and 8083 for the bind-and-reuse client with
# and without timestamps, 8084 for the leak. 127.0.0.1:8090 is a second closewise inside the
# client's namespace, for loopback.
start_closewise cw netns "$SERVER_NS" "$CLOSEWISE" --admin off --listen 10.77.0.1:8080 \
  --listen 10.77.0.1:8081 --listen 10.77.0.1:8082 --listen 10.77.0.1:8083 \
  --listen 10.77.0.1:8084
start_closewise cw-lo netns "$CLIENT_NS" "$CLOSEWISE" --admin off --listen 127.0.0.1:8090

# Runs labpeer in the client's namespace against the server.
client() {
  local name=$1
  shift
  peer "$name" netns "$CLIENT_NS" "$@"
}
# Client sockets toward PORT, by state (all states when STATE is "all").
toward() {
  local state=$1 port=$2
  ip netns exec "$CLIENT_NS" ss -Htan state "$state" "( dport = :$port )" | wc -l
}

say "lab port-exhaustion: a client namespace with 100 ports (40000-40099), tcp_tw_reuse=$TW_REUSE"

# 1. Keep-alive first: it uses one port, so it cannot be starved by the runs after it.
client keepalive per-request --host 10.77.0.1 --port 8080 --count "$REQUESTS" --keepalive
KA_TW=$(toward time-wait 8080)
# 2. A new connection per request, the client closing first.
client new-conn per-request --host 10.77.0.1 --port 8080 --count "$REQUESTS"
NEW_TW=$(($(toward time-wait 8080) - KA_TW))
# 3. The folk fix as usually written: SO_REUSEADDR, and no bind().
client reuseaddr per-request --host 10.77.0.1 --port 8080 --count 10 --reuseaddr
# 4. bind() to a port held in TIME_WAIT by a socket that did not set SO_REUSEADDR, with it set.
HELD_PORT=$(ip netns exec "$CLIENT_NS" ss -Htan state time-wait '( dport = :8080 )' |
  awk 'NR == 1 { sub(/.*:/, "", $3); print $3 }')
client bind-held bind-connect --host 10.77.0.1 --port 8080 --bind-port "$HELD_PORT" --reuseaddr
# 5. The same ports toward another server port: connect() alone, bind(0) first, and bind(0) with
#    IP_BIND_ADDRESS_NO_PORT.
client other-port bind-connect --host 10.77.0.1 --port 8081
client bind-zero bind-connect --host 10.77.0.1 --port 8081 --bind-port 0
client bind-no-port bind-connect --host 10.77.0.1 --port 8081 --bind-port 0 --no-port
# 6. A client that binds its own ports in turn, SO_REUSEADDR on every socket: 300 requests over
#    100 ports (outside the ephemeral range), to one server port, with timestamps, then without.
client bound-ts per-request --host 10.77.0.1 --port 8082 --count "$REQUESTS" --reuseaddr \
  --bind-ports 50000-50099
csysctl net.ipv4.tcp_timestamps=0
client bound-nots per-request --host 10.77.0.1 --port 8083 --count "$REQUESTS" --reuseaddr \
  --bind-ports 51000-51099
# While timestamps are off: TIME_WAITs on the ephemeral ports toward 8083, for step 8.
client nots-fill per-request --host 10.77.0.1 --port 8083 --count 100
csysctl net.ipv4.tcp_timestamps=1
# 7. A pool that leaks: it opens connections to 8084 and never closes them.
bg leak netns "$CLIENT_NS" "$PYTHON" "$PEER" hold-many --host 10.77.0.1 --port 8084 --count 200 \
  --seconds 30
LEAK_PID=$BG_PID
wait_for_log leak '^holding=' 20
LEAK_ALL=$(toward all 8084)
LEAK_ESTAB=$(toward established 8084)
LEAK_TW=$(toward time-wait 8084)
kill "$LEAK_PID"
wait "$LEAK_PID" 2>/dev/null || true
# 8. tcp_tw_reuse. Fill the ports toward the loopback server, wait until every TIME_WAIT is more
#    than a second old (tcp_tw_reuse_delay, 1000 ms by default since Linux 6.14; a whole second
#    or two before), then try again: on loopback with the default 2, on the veth with 2, then 1.
client lo-fill per-request --port 8090 --count 100
LO_TW=$(toward time-wait 8090)
sleep 2.1
client lo-reuse2 per-request --port 8090 --count 50
client veth-reuse2 per-request --host 10.77.0.1 --port 8080 --count 5
csysctl net.ipv4.tcp_tw_reuse=1
client veth-reuse1 per-request --host 10.77.0.1 --port 8080 --count 50
client nots-reuse1 per-request --host 10.77.0.1 --port 8083 --count 5

say ""
row "" "new connection per request" "one keep-alive connection"
row "requests answered (of $REQUESTS)" "$(kv new-conn ok)" "$(kv keepalive ok)"
row "first error" "$(kv new-conn first_error)" "$(kv keepalive first_error)"
row "local ports left in TIME_WAIT by the client" "$NEW_TW" "$KA_TW"
say ""
row "with every port in TIME_WAIT toward 10.77.0.1:8080" "" ""
row "SO_REUSEADDR, no bind()" "$(kv reuseaddr ok) answered" "$(kv reuseaddr first_error)"
row "SO_REUSEADDR, bind() to port $HELD_PORT" "bind: $(kv bind-held bind)" ""
row "connect() to :8081 instead" "connect: $(kv other-port connect)" ""
row "bind() to port 0, then connect() to :8081" "bind: $(kv bind-zero bind)" ""
row "the same with IP_BIND_ADDRESS_NO_PORT" "bind: $(kv bind-no-port bind)" \
  "connect: $(kv bind-no-port connect)"
say ""
row "bind() to 100 ports in turn, SO_REUSEADDR" "with timestamps (:8082)" "without (:8083)"
row "requests answered (of $REQUESTS)" "$(kv bound-ts ok)" "$(kv bound-nots ok)"
row "first error" "$(kv bound-ts first_error)" "$(kv bound-nots first_error)"
say ""
row "a pool that never closes (:8084)" "" ""
row "connections opened" "$(kv leak opened)" "$(kv leak first_error)"
row "client sockets toward :8084, all states" "$LEAK_ALL" "ESTABLISHED $LEAK_ESTAB"
row "of them in TIME_WAIT" "$LEAK_TW" ""
say ""
row "tcp_tw_reuse, TIME_WAITs over 1 s old" "answered" "first error"
row "2, loopback ($LO_TW ports in TIME_WAIT)" "$(kv lo-reuse2 ok) of 50" \
  "$(kv lo-reuse2 first_error)"
row "2, veth" "$(kv veth-reuse2 ok) of 5" "$(kv veth-reuse2 first_error)"
row "1, veth" "$(kv veth-reuse1 ok) of 50" "$(kv veth-reuse1 first_error)"
row "1, veth, TIME_WAITs made without timestamps" "$(kv nots-reuse1 ok) of 5" \
  "$(kv nots-reuse1 first_error)"
say ""

NEW_OK=$(kv new-conn ok)
expect "a new connection per request runs out after about 100 requests" \
  test "$NEW_OK" -ge 90 -a "$NEW_OK" -le 100
say "        (connect: $(kv new-conn first_error_text))"
expect "and connect() fails with EADDRNOTAVAIL" grep -q '^first_error=EADDRNOTAVAIL' \
  "$LAB_TMP/new-conn.log"
expect "every used port is held in TIME_WAIT by the client" test "$NEW_TW" -ge "$NEW_OK"
expect "keep-alive answers all $REQUESTS" test "$(kv keepalive ok)" -eq "$REQUESTS"
expect "and holds one port in TIME_WAIT, once it closes" test "$KA_TW" -eq 1
expect "SO_REUSEADDR without bind() does not give a port back" \
  grep -q '^first_error=EADDRNOTAVAIL at request 1$' "$LAB_TMP/reuseaddr.log"
expect "SO_REUSEADDR cannot bind() a port whose TIME_WAIT socket did not set it" \
  test "$(kv bind-held bind)" == EADDRINUSE
expect "TIME_WAIT holds a four-tuple: connect() to another server port works" \
  test "$(kv other-port connect)" == ok
expect "bind() before connect() needs a whole free port: bind(0) fails" \
  test "$(kv bind-zero bind)" == EADDRINUSE
expect "IP_BIND_ADDRESS_NO_PORT leaves the port to connect(), which finds one" \
  test "$(kv bind-no-port connect)" == ok
expect "SO_REUSEADDR on every socket plus bind(): all $REQUESTS answered over 100 ports" \
  test "$(kv bound-ts ok)" -eq "$REQUESTS"
expect "but only with timestamps: without, connect() fails at request 101" \
  grep -q '^first_error=EADDRNOTAVAIL at request 101$' "$LAB_TMP/bound-nots.log"
expect "a leaking pool runs out too (EADDRNOTAVAIL)" \
  grep -q '^first_error=EADDRNOTAVAIL' "$LAB_TMP/leak.log"
expect "with its ports held ESTABLISHED, not in TIME_WAIT" \
  test "$LEAK_ESTAB" -ge 90 -a "$LEAK_TW" -eq 0
expect "counting every state toward the destination shows them" test "$LEAK_ALL" -ge 90
expect "tcp_tw_reuse=2 reuses TIME_WAIT ports toward loopback" \
  test "$LO_TW" -ge 90 -a "$(kv lo-reuse2 ok)" -eq 50
expect "but not toward another address" \
  grep -q '^first_error=EADDRNOTAVAIL at request 1$' "$LAB_TMP/veth-reuse2.log"
expect "tcp_tw_reuse=1 reuses them toward any address" test "$(kv veth-reuse1 ok)" -eq 50
expect "but not a TIME_WAIT without timestamps" \
  test "$(kv nots-fill ok)" -eq 100 -a "$(kv nots-reuse1 first_error)" == \
  "EADDRNOTAVAIL at request 1"
finish
