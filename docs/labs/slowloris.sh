#!/usr/bin/env bash
# Lab slowloris: a client sends its request head one byte every 300 ms and never finishes it.
#   - a server with only an inactivity timeout (1 s between reads) is held for as long as the
#     client likes: every byte re-arms the timer (the lab gives up after 6 s);
#   - closewise's header deadline is a total (--header-timeout 1s, from accept): it answers 408
#     and closes after about 1 s whatever the client does;
#   - nginx (when installed) with client_header_timeout 1s: also a total for the head in practice
#     (the read timer is armed once and not re-armed by each read), but it closes without
#     sending the 408 it logs.
# Claims: docs/close-handling.md "Slowloris".
source "$(dirname "$0")/lib.sh"
need_closewise

INTERVAL=0.3
LIMIT=6
say "lab slowloris: a request head dribbled one byte every ${INTERVAL}s, for at most ${LIMIT}s"

bg naive "$PYTHON" "$PEER" serve-inactivity --port 0 --timeout 1 --max-seconds 30
wait_for_log naive '^listening='
peer naive-client dribble --port "$(kv naive listening)" --interval "$INTERVAL" \
  --max-seconds "$LIMIT"

start_closewise cw "$CLOSEWISE" --listen 127.0.0.1:0 --admin off --header-timeout 1s
peer cw-client dribble --port "$CW_PORT" --interval "$INTERVAL" --max-seconds "$LIMIT"

NGINX=$(command -v nginx || true)
if [[ -n $NGINX ]]; then
  mkdir -p "$LAB_TMP/nginx/logs"
  # A free port for nginx, which cannot report the one it got from port 0.
  NGINX_PORT=$("$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$LAB_TMP/nginx/nginx.conf" <<NGX
daemon off;
master_process off;
error_log $LAB_TMP/nginx/logs/error.log info;
pid $LAB_TMP/nginx/nginx.pid;
events { worker_connections 16; }
http {
  access_log $LAB_TMP/nginx/logs/access.log;
  client_body_temp_path $LAB_TMP/nginx/body;
  proxy_temp_path $LAB_TMP/nginx/proxy;
  fastcgi_temp_path $LAB_TMP/nginx/fastcgi;
  uwsgi_temp_path $LAB_TMP/nginx/uwsgi;
  scgi_temp_path $LAB_TMP/nginx/scgi;
  client_header_timeout 1s;
  server { listen 127.0.0.1:$NGINX_PORT; location / { return 200 "ok\n"; } }
}
NGX
  bg nginx "$NGINX" -p "$LAB_TMP/nginx" -c "$LAB_TMP/nginx/nginx.conf"
  wait_until "ss -Htln '( sport = :$NGINX_PORT )' | grep -q LISTEN" 10
  peer nginx-client dribble --port "$NGINX_PORT" --interval "$INTERVAL" --max-seconds "$LIMIT"
fi
col() { if [[ -n $NGINX ]]; then kv nginx-client "$1"; else echo "(nginx not installed)"; fi; }

say ""
row "" "inactivity timeout 1s" "closewise --header-timeout 1s"
row "seconds the client held the connection" "$(kv naive-client held_seconds)" \
  "$(kv cw-client held_seconds)"
row "head bytes it dribbled" "$(kv naive-client bytes_sent)" "$(kv cw-client bytes_sent)"
row "answer it got" "$(kv naive-client answer_status)" "$(kv cw-client answer_status)"
row "how it ended" "$(kv naive-client ended)" "$(kv cw-client ended)"
say ""
say "  nginx, client_header_timeout 1s: held $(col held_seconds)s, answer $(col answer_status)," \
  "$(col ended)"
say ""

expect "inactivity timeout: the client holds the connection for all ${LIMIT}s" \
  test "$(kv naive-client ended)" == "still open"
expect "closewise: answers 408" test "$(kv cw-client answer_status)" == 408
expect "closewise: and closes" test "$(kv cw-client ended)" == "closed by server"
expect "closewise: within 3 s of accept (deadline 1 s, plus a loaded machine)" \
  awk -v t="$(kv cw-client held_seconds)" 'BEGIN { exit !(t < 3.0) }'
if [[ -n $NGINX ]]; then
  expect "nginx: closes within 3 s too (its header timeout is not re-armed per read)" \
    awk -v t="$(kv nginx-client held_seconds)" 'BEGIN { exit !(t < 3.0) }'
  expect "nginx: without sending an answer (it only logs the 408)" \
    test "$(kv nginx-client answer_status)" == none
fi
finish
