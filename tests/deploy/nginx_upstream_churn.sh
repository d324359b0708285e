#!/usr/bin/env bash
# One behaviour: closewise's upstream pool in front of a real nginx that closes pooled connections
# all the time (keepalive_requests 20: after every twentieth answer; keepalive_timeout 1s: after a
# second idle, under the pool's own idle timeout of 4 s, so nginx closes first) answers every
# request of a 10 s wrk run, never leaves an outbound socket in CLOSE_WAIT longer than it takes to
# read nginx's FIN, and uses no more connections, and so local ports, than that churn explains.
#
# The bound. nginx ends a connection after its 20th answer, so a pool that reuses its
# connections opens one per 20 requests that nginx served: N/20 (N from nginx's access log, which
# also counts a request the pool sent again after a keep-alive race). Other ends are rarer: a
# connection nginx closed after a second idle, or one the pool closed itself (a race, an error).
# Under wrk's steady 16 requests in flight such ends happen while the load ramps up and down,
# about once per connection the pool holds at a time, so at most the pool's maximum (32) more.
# Ports can only be fewer than connections: nginx closes first and keeps the TIME_WAIT, so a port
# of ours is free again at once. A pool that did not reuse (a connection per request) would need
# N connections; one that lost track of nginx's FIN would show CLOSE_WAIT in the samples.
#
#   nginx_upstream_churn.sh /path/to/closewise
source "$(dirname "$0")/lib.sh"
CLOSEWISE=${1:?usage: nginx_upstream_churn.sh /path/to/closewise}
command -v nginx >/dev/null || fail "nginx is not installed (deploy/install-deps.sh --with-system-tests)"
command -v wrk >/dev/null || fail "wrk is not installed (deploy/install-deps.sh --with-system-tests)"

KEEPALIVE_REQUESTS=20
POOL_MAX=32
SECONDS_OF_LOAD=10

ng_port=$(free_port)
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
# One process, so the cleanup's SIGKILL leaves no orphaned worker behind.
master_process off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log info;
events { worker_connections 1024; }
http {
    # The client's port: the distinct local ports the pool used toward nginx, counted exactly
    # (ss samples would miss a connection that lived less than 100 ms).
    log_format ports '\$remote_port \$connection_requests \$status';
    access_log $WORK/nginx/logs/access.log ports;
    client_body_temp_path $WORK/nginx;
    keepalive_timeout 1s;
    keepalive_requests $KEEPALIVE_REQUESTS;
    server {
        listen 127.0.0.1:$ng_port;
        location / { return 200 "from nginx\n"; }
    }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
STARTED_PIDS+=("$!")
wait_for 10 bash -c "ss -Hltn 'sport = :$ng_port' | grep -q ." || fail "nginx did not listen"

# /proxy is a demo route; one worker, so one pool and one maximum.
start_closewise cw "$CLOSEWISE" --listen 127.0.0.1:0 --admin 127.0.0.1:0 --demo-routes=true \
  --workers 1 --upstream "ng=http://127.0.0.1:$ng_port" --upstream-max-connections "$POOL_MAX"
url="http://127.0.0.1:$cw_port/proxy/ng/"
[ "$(curl -fsS --max-time 5 "$url")" = "from nginx" ] || fail "GET /proxy does not reach nginx"

# Outbound CLOSE_WAIT: our sockets whose peer is nginx, sampled every 100 ms during the load, one
# line of local addresses per sample. A socket is in CLOSE_WAIT from the moment nginx's FIN arrives
# until we close it, so under load a sample may catch one in that window: the FIN of a twentieth
# answer comes with the answer, before our loop has read either. What must never happen is the
# same socket in two samples, 100 ms apart: that one nobody was going to close.
sample_close_wait() {
  while :; do
    echo "sample$(ss -tanH state close-wait dst "127.0.0.1:$ng_port" | awk '{ printf " %s", $3 }')"
    sleep 0.1
  done >"$WORK/close_wait.samples"
}
sample_close_wait &
STARTED_PIDS+=("$!")
sampler=$!

wrk -t 2 -c 16 -d "${SECONDS_OF_LOAD}s" "$url" >"$WORK/wrk.out" 2>&1 ||
  { cat "$WORK/wrk.out" >&2; fail "wrk failed"; }
# After the load nginx closes every pooled connection after a second idle, each with a FIN to
# an idle connection of ours, the case only the pool's read in the idle phase sees: sample
# through that too.
sleep 2
kill "$sampler"
wait "$sampler" 2>/dev/null || true

requests=$(wrk_field "$WORK/wrk.out" requests)
non2xx=$(wrk_field "$WORK/wrk.out" non2xx)
errors=$(wrk_field "$WORK/wrk.out" errors)
samples=$(wc -l <"$WORK/close_wait.samples")
caught=$(grep -c ' ' "$WORK/close_wait.samples" || true)
# Sockets in CLOSE_WAIT in two consecutive samples.
lasting=$(awk '{ for (i = 2; i <= NF; i++) { if ($i in prev) n++; now[$i] = 1 }
                 delete prev; for (a in now) prev[a] = 1; delete now }
               END { print n + 0 }' "$WORK/close_wait.samples")
at_end=$(ss -tanH state close-wait dst "127.0.0.1:$ng_port" | wc -l)
served=$(wc -l <"$WORK/nginx/logs/access.log")
# A connection's first request is its opening; ports may repeat, since nginx closed first and
# keeps the TIME_WAIT, which frees our port at once.
connections=$(awk '$2 == 1' "$WORK/nginx/logs/access.log" | wc -l)
ports=$(awk '{ print $1 }' "$WORK/nginx/logs/access.log" | sort -u | wc -l)
floor=$((served / KEEPALIVE_REQUESTS))
bound=$(((served + KEEPALIVE_REQUESTS - 1) / KEEPALIVE_REQUESTS + POOL_MAX))
echo "wrk: $requests requests, $non2xx non-2xx, $errors socket errors"
echo "nginx served $served on $connections connections from $ports local ports" \
  "(churn explains $floor to $bound)"
echo "outbound CLOSE_WAIT: in $caught of $samples samples;" \
  "$lasting lasting 100 ms; $at_end at the end"

[ "$requests" -gt 1000 ] || fail "only $requests requests in ${SECONDS_OF_LOAD}s: the load proves nothing"
[ "$non2xx" = 0 ] || fail "$non2xx answers were not 2xx"
[ "$errors" = 0 ] || fail "wrk saw $errors socket errors"
[ "$samples" -ge $((SECONDS_OF_LOAD * 3)) ] || fail "only $samples ss samples were taken"
[ "$lasting" = 0 ] || fail "$lasting outbound sockets stayed in CLOSE_WAIT for 100 ms or more"
[ "$at_end" = 0 ] || fail "$at_end outbound sockets in CLOSE_WAIT after the load"
# The floor: nginx really ended a connection at every 20th answer, so there was churn to handle.
[ "$connections" -ge "$floor" ] || fail "$connections connections for $served requests: no churn"
[ "$connections" -le "$bound" ] || fail "$connections connections for $served requests, over $bound"
[ "$ports" -le "$connections" ] || fail "$ports ports on $connections connections"
echo "PASS: every answer 2xx, no lasting outbound CLOSE_WAIT, $ports ports for $served requests"
