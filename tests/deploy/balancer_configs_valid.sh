#!/usr/bin/env bash
# One behaviour: the shipped deploy configuration is accepted by the programs that read it, and
# keeps the timeout orderings docs/deploy.md explains.
#
#   HAProxy   haproxy -c on deploy/haproxy/haproxy.cfg as shipped; option forwardfor
#   nginx     nginx -t on deploy/nginx/upstream.conf inside a minimal http block
#   retries   both retry only failed connections, never a status, as often and with the same
#             connect timeout; nginx's retries are bounded in time, well below the handler timeout
#   sysctl    every key set in deploy/sysctl.d/90-closewise.conf exists in this kernel, none
#             of the removed or misunderstood ones is set, and the ephemeral port range stays
#             clear of the ports a Kubernetes node listens on
# (The Kubernetes manifest has a test of its own, kubernetes_manifest_valid.py.)
#
#   balancer_configs_valid.sh /path/to/deploy
source "$(dirname "$0")/lib.sh"
DEPLOY=${1:?usage: balancer_configs_valid.sh /path/to/deploy}

haproxy -c -q -f "$DEPLOY/haproxy/haproxy.cfg" || fail "haproxy -c rejected haproxy.cfg"
grep -qE '^\s*option\s+http-server-close' "$DEPLOY/haproxy/haproxy.cfg" &&
  fail "haproxy.cfg must not use option http-server-close"
grep -qE '^\s*http-reuse\s+(always|safe|aggressive)' "$DEPLOY/haproxy/haproxy.cfg" ||
  fail "haproxy.cfg must reuse backend connections"

grep -qE '^\s*option\s+forwardfor' "$DEPLOY/haproxy/haproxy.cfg" ||
  fail "haproxy.cfg must send X-Forwarded-For (option forwardfor)"

# setting FILE NAME: the value of a one-line directive ("NAME value;" or "NAME value"), comments
# and the trailing semicolon removed; empty when absent.
setting() {
  sed -nE "s/^\s*$2\s+([^;#]*[^;# ]).*/\1/p" "$1" | tail -1
}
# seconds VALUE: "5s" -> 5; anything else is a failure, so a unit this test cannot read is seen.
seconds() {
  [[ $1 =~ ^([0-9]+)s$ ]] || fail "expected a whole number of seconds like 5s, got '$1'"
  echo "${BASH_REMATCH[1]}"
}
haproxy_cfg="$DEPLOY/haproxy/haproxy.cfg"
nginx_conf="$DEPLOY/nginx/upstream.conf"
# Retries: only a failed connection or one closed before any response byte, never a status. A
# retried 503 (closewise's answer to a handler past --handler-timeout, 60 s by default) would
# run the slow handler again on the next server and keep the client waiting minutes.
for cause in $(setting "$haproxy_cfg" retry-on); do
  case "$cause" in
    conn-failure | empty-response) ;;
    *) fail "haproxy.cfg retries on '$cause': only conn-failure and empty-response are safe" ;;
  esac
done
next_upstream=$(setting "$nginx_conf" proxy_next_upstream)
[ -n "$next_upstream" ] || fail "upstream.conf has no proxy_next_upstream"
for cause in $next_upstream; do
  case "$cause" in
    error | timeout) ;;
    *) fail "upstream.conf retries on '$cause': only error and timeout match HAProxy's retry-on" ;;
  esac
done
next_timeout=$(seconds "$(setting "$nginx_conf" proxy_next_upstream_timeout)")
read_timeout=$(seconds "$(setting "$nginx_conf" proxy_read_timeout)")
handler_timeout=60
[ "$next_timeout" -gt 0 ] && [ "$next_timeout" -lt "$read_timeout" ] &&
  [ "$next_timeout" -lt "$handler_timeout" ] ||
  fail "proxy_next_upstream_timeout ${next_timeout}s must be above 0 and below proxy_read_timeout" \
    "(${read_timeout}s) and closewise's --handler-timeout (${handler_timeout}s)"
tries=$(setting "$nginx_conf" proxy_next_upstream_tries)
retries=$(setting "$haproxy_cfg" retries)
[ "$tries" = $((retries + 1)) ] ||
  fail "proxy_next_upstream_tries $tries is not 1 + HAProxy's retries $retries"
[ "$(setting "$nginx_conf" proxy_connect_timeout)" = "$(setting "$haproxy_cfg" 'timeout connect')" ] ||
  fail "nginx proxy_connect_timeout and HAProxy timeout connect differ"

mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $WORK/nginx;
    proxy_temp_path $WORK/nginx;
    include $DEPLOY/nginx/upstream.conf;
}
CONF
nginx -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx.err" ||
  { cat "$WORK/nginx.err" >&2; fail "nginx -t rejected upstream.conf"; }

while IFS='=' read -r key _; do
  key=$(tr -d ' ' <<<"$key")
  [ -e "/proc/sys/${key//.//}" ] || fail "sysctl $key does not exist in this kernel"
done < <(grep -E '^[a-z]' "$DEPLOY/sysctl.d/90-closewise.conf")
grep -qE '^net\.ipv4\.(tcp_tw_recycle|tcp_fin_timeout)' "$DEPLOY/sysctl.d/90-closewise.conf" &&
  fail "90-closewise.conf sets a setting it explains is wrong"
# The ephemeral port range must leave alone the ports a Kubernetes node listens on: the kubelet
# (10250), kube-proxy (10249, 10256) and the NodePort range (30000-32767).
read -r low high < <(sed -nE 's/^net\.ipv4\.ip_local_port_range *= *([0-9]+)[ \t]+([0-9]+).*/\1 \2/p' \
  "$DEPLOY/sysctl.d/90-closewise.conf")
[ -n "${low:-}" ] && [ -n "${high:-}" ] && [ "$low" -lt "$high" ] && [ "$high" -le 65535 ] ||
  fail "90-closewise.conf: ip_local_port_range not found or not LOW HIGH"
for port in 10249 10250 10256 30000 32767; do
  [ "$port" -lt "$low" ] || [ "$port" -gt "$high" ] ||
    fail "ip_local_port_range $low-$high covers port $port, which a Kubernetes node listens on"
done
[ "$high" -lt 30000 ] || [ "$low" -gt 32767 ] ||
  fail "ip_local_port_range $low-$high overlaps the NodePort range 30000-32767"
echo "PASS: haproxy.cfg, upstream.conf and 90-closewise.conf are valid"
