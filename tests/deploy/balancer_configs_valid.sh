#!/usr/bin/env bash
# One behaviour: the shipped deploy configuration is accepted by the programs that read it, and
# keeps the timeout orderings docs/deploy.md explains.
#
#   HAProxy   haproxy -c on deploy/haproxy/haproxy.cfg as shipped
#   nginx     nginx -t on deploy/nginx/upstream.conf inside a minimal http block
#   sysctl    every key set in deploy/sysctl.d/90-closewise.conf exists in this kernel, none
#             of the removed or misunderstood ones is set, and the ephemeral port range stays
#             clear of the ports a Kubernetes node listens on
#   k8s       terminationGracePeriodSeconds > --drain-delay + --drain-timeout
#
#   balancer_configs_valid.sh /path/to/deploy
source "$(dirname "$0")/lib.sh"
DEPLOY=${1:?usage: balancer_configs_valid.sh /path/to/deploy}

haproxy -c -q -f "$DEPLOY/haproxy/haproxy.cfg" || fail "haproxy -c rejected haproxy.cfg"
grep -qE '^\s*option\s+http-server-close' "$DEPLOY/haproxy/haproxy.cfg" &&
  fail "haproxy.cfg must not use option http-server-close"
grep -qE '^\s*http-reuse\s+(always|safe|aggressive)' "$DEPLOY/haproxy/haproxy.cfg" ||
  fail "haproxy.cfg must reuse backend connections"

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

k8s="$DEPLOY/kubernetes/closewise.yaml"
grace=$(grep -oE 'terminationGracePeriodSeconds: [0-9]+' "$k8s" | grep -oE '[0-9]+')
delay=$(grep -oE -- '--drain-delay=[0-9]+s' "$k8s" | grep -oE '[0-9]+')
timeout=$(grep -oE -- '--drain-timeout=[0-9]+s' "$k8s" | grep -oE '[0-9]+')
[ -n "$grace" ] && [ -n "$delay" ] && [ -n "$timeout" ] || fail "k8s drain settings not found"
[ "$grace" -gt $((delay + timeout)) ] ||
  fail "terminationGracePeriodSeconds $grace is not above $delay + $timeout"
grep -q 'path: /readyz' "$k8s" && grep -q 'path: /healthz' "$k8s" || fail "k8s probes missing"
echo "PASS: haproxy.cfg, upstream.conf, 90-closewise.conf and closewise.yaml are valid"
