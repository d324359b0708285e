#!/usr/bin/env bash
# Lab balancer-race: nginx in front of closewise, the balancer keeping its upstream connections
# alive, and the rule "the backend's idle timeout must be longer than the balancer's".
#
# The race: whoever closes an idle keep-alive connection races the other side's next request on
# it. When the backend closes first, the balancer can pick the connection for a request while the
# backend's FIN is still on its way, or still unread in a busy worker's event queue. The request
# is lost: nginx reads end of file instead of an answer ("upstream prematurely closed
# connection"), tries a GET again on another connection, and answers a POST, which it must not
# repeat, with 502 Bad Gateway.
#
# On loopback the FIN and the request cross only by chance, so the lab makes them cross: it stops
# the nginx worker (SIGSTOP) right after the client's first answer, sends the second request,
# waits past the shorter idle timeout, then lets nginx run again (SIGCONT), which then finds the
# request and the FIN waiting together, as a busy worker does after a network delay.
#   A. closewise --idle-timeout 300ms, nginx upstream keepalive_timeout 10s (backend shorter):
#      closewise closes during the pause; nginx sends the request on that connection anyway.
#   B. closewise --idle-timeout 10s, nginx keepalive_timeout 300ms (backend longer, the rule):
#      nothing closes under nginx's feet; when nginx's own timer closes a connection, it has
#      already taken it out of its pool, so no request can be sent on it.
# Claims: docs/close-handling.md "TIME_WAIT: normal, on the side that closed first" (behind a load
# balancer) and docs/diagnosing.md "502s from the balancer".
source "$(dirname "$0")/lib.sh"
need_closewise
NGINX=$(command -v nginx || true)
[[ -n $NGINX ]] || skip "needs nginx (nginx-light)"

free_port() {
  "$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# closewise's books: one close reason's count from /stats on its admin port.
closed_by() {
  "$PYTHON" -c 'import json, sys, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/stats"
stats = json.load(urllib.request.urlopen(url, timeout=5))
print(stats["totals"]["closed_by_reason"][sys.argv[2]])' "$1" "$2"
}

# `run_config NAME CLOSEWISE_IDLE NGINX_KEEPALIVE_TIMEOUT`
run_config() {
  local name=$1 cw_idle=$2 nginx_idle=$3
  start_closewise "cw-$name" "$CLOSEWISE" --listen 127.0.0.1:0 --admin 127.0.0.1:0 \
    --idle-timeout "$cw_idle"
  local cw_port=$CW_PORT admin_port
  admin_port=$(sed -n 's/.*admin on [^ ;]*:\([0-9]*\).*/\1/p' "$LAB_TMP/cw-$name.log" | head -n 1)
  local dir="$LAB_TMP/nginx-$name" nginx_port
  nginx_port=$(free_port)
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<NGX
daemon off;
master_process off;
worker_processes 1;
error_log $dir/error.log info;
pid $dir/nginx.pid;
events { worker_connections 64; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream backend {
    server 127.0.0.1:$cw_port;
    keepalive 8;
    keepalive_timeout $nginx_idle;
  }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGX
  bg "nginx-$name" "$NGINX" -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf"
  local nginx_pid=$BG_PID
  wait_until "ss -Htln '( sport = :$nginx_port )' | grep -q LISTEN" 10

  local method path
  for method in GET POST; do
    path=/
    [[ $method == POST ]] && path=/echo
    local client="client-$name-$method" go="$LAB_TMP/go-$name-$method"
    bg "$client" "$PYTHON" "$PEER" keepalive-pair --port "$nginx_port" --method "$method" \
      --path "$path" --go-file "$go" --timeout 5 --max-seconds 10
    wait_for_log "$client" '^first='
    sleep 0.05 # nginx puts the upstream connection back in its pool
    kill -STOP "$nginx_pid"
    touch "$go"
    wait_for_log "$client" '^second_sent='
    sleep 0.7 # past the shorter of the two idle timeouts
    # nginx's end of its upstream connection, as the kernel sees it while nginx is stopped.
    eval "UPSTREAM_${name}_${method}=\$(ss -Htan '( dport = :$cw_port )' | awk '{ print \$1 }' |
      sort -u | tr '\n' ' ' | sed 's/ \$//')"
    kill -CONT "$nginx_pid"
    wait_for_log "$client" '^second=' 10
  done
  # Idle, nginx running: past both timeouts' shorter one, whoever closes first keeps TIME_WAIT.
  sleep 1
  eval "TW_CW_$name=$(ss_count time-wait sport "$cw_port")"
  eval "TW_NGINX_$name=$(ss_count time-wait dport "$cw_port")"
  eval "IDLE_CLOSES_$name=$(closed_by "$admin_port" idle_timeout)"
  eval "PEER_CLOSES_$name=$(closed_by "$admin_port" peer_closed)"
  eval "PREMATURE_$name=$(grep -c 'upstream prematurely closed' "$dir/error.log" || true)"
}

say "lab balancer-race: nginx keeping upstream connections alive in front of closewise"
run_config A 300ms 10s
run_config B 10s 300ms

say ""
row "" "A. backend 300ms < nginx 10s" "B. backend 10s > nginx 300ms"
row "nginx's upstream socket during the pause" "$UPSTREAM_A_GET" "$UPSTREAM_B_GET"
row "GET sent as the FIN arrives: client got" "$(kv client-A-GET second)" \
  "$(kv client-B-GET second)"
row "POST sent as the FIN arrives: client got" "$(kv client-A-POST second)" \
  "$(kv client-B-POST second)"
row "nginx error log: upstream prematurely closed" "$PREMATURE_A" "$PREMATURE_B"
row "closewise closes: idle_timeout / peer_closed" "$IDLE_CLOSES_A / $PEER_CLOSES_A" \
  "$IDLE_CLOSES_B / $PEER_CLOSES_B"
row "TIME_WAIT afterwards: closewise / nginx side" "$TW_CW_A / $TW_NGINX_A" "$TW_CW_B / $TW_NGINX_B"
say ""

expect "A: during the pause nginx holds a connection closewise has closed (CLOSE-WAIT)" \
  test "$UPSTREAM_A_GET" == CLOSE-WAIT
expect "A: the POST sent on it fails with 502 Bad Gateway" test "$(kv client-A-POST second)" == 502
expect "A: the GET was lost too, and nginx silently sent it again" \
  test "$(kv client-A-GET second)" == 200 -a "$PREMATURE_A" -ge 2
expect "A: closewise closed idle connections first (its TIME_WAIT)" \
  test "$IDLE_CLOSES_A" -ge 2 -a "$TW_CW_A" -ge 2
expect "B: during the same pause the upstream connection stays open" \
  test "$UPSTREAM_B_GET" == ESTAB
expect "B: GET and POST both answered 200" \
  test "$(kv client-B-GET second)" == 200 -a "$(kv client-B-POST second)" == 200
expect "B: no request lost" test "$PREMATURE_B" -eq 0
expect "B: the balancer closed the idle connections (its TIME_WAIT; closewise idle-closed none)" \
  test "$IDLE_CLOSES_B" -eq 0 -a "$TW_NGINX_B" -ge 1 -a "$TW_CW_B" -eq 0
finish
