#!/usr/bin/env bash
# One behaviour: behind a real nginx running deploy/nginx/upstream.conf, a request that meets a
# dead backend is sent to the other one, and a 503 (closewise's answer to a handler past
# --handler-timeout) is passed to the client as it is, never run again on the other backend.
#
# The backends run with --handler-timeout 300ms and the request asks /delay for 2 s, so each
# backend that receives it answers 503 after 300 ms; the two backends' /stats say how many
# received it. With `http_503` in proxy_next_upstream both would (and with the production
# timeout of 60 s the client would wait a minute per backend).
#
#   nginx_retries.sh /path/to/closewise /path/to/deploy/nginx/upstream.conf
source "$(dirname "$0")/lib.sh"
CLOSEWISE=${1:?usage: nginx_retries.sh /path/to/closewise /path/to/upstream.conf}
UPSTREAM=${2:?usage: nginx_retries.sh /path/to/closewise /path/to/upstream.conf}
command -v nginx >/dev/null || fail "nginx is not installed (deploy/install-deps.sh --with-system-tests)"

# /delay is a demo route; the shipped files turn them off, this test turns them on.
backend_args=(--listen 127.0.0.1:0 --admin 127.0.0.1:0 --handler-timeout 300ms --demo-routes=true)
start_closewise b1 "$CLOSEWISE" "${backend_args[@]}"
start_closewise b2 "$CLOSEWISE" "${backend_args[@]}"
front=$(free_port)

# The shipped file with the test's addresses; every proxy_* setting is the production one.
mkdir -p "$WORK/nginx/logs"
sed -E \
  -e "0,/^( *server )127\.0\.0\.1:8081/s||\1127.0.0.1:$b1_port|" \
  -e "0,/^( *server )127\.0\.0\.1:8082/s||\1127.0.0.1:$b2_port|" \
  -e "s|^( *listen )80;|\1127.0.0.1:$front;|" \
  "$UPSTREAM" >"$WORK/nginx/upstream.conf"
grep -q "127.0.0.1:$b2_port" "$WORK/nginx/upstream.conf" && grep -q ":$front;" "$WORK/nginx/upstream.conf" ||
  fail "could not rewrite $UPSTREAM"
cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
# One process, so the cleanup's SIGKILL leaves no orphaned worker behind.
master_process off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log info;
events {}
http {
    access_log $WORK/nginx/logs/access.log;
    client_body_temp_path $WORK/nginx;
    proxy_temp_path $WORK/nginx;
    include $WORK/nginx/upstream.conf;
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
STARTED_PIDS+=("$!")
wait_for 10 bash -c "ss -Hltn 'sport = :$front' | grep -q ." || fail "nginx did not listen"

# requests NAME: the requests a backend has received, from its /stats.
requests() {
  local admin_var="${1}_admin"
  curl -fsS --max-time 5 "http://127.0.0.1:${!admin_var}/stats" |
    sed -nE 's/.*"requests":([0-9]+).*/\1/p'
}

url="http://127.0.0.1:$front"
# Both answer at all through nginx first (a plain GET / to each, round robin).
for _ in 1 2; do
  [ "$(curl -fsS --max-time 5 "$url/")" = "hello from closewise" ] || fail "GET / through nginx"
done
before=$(($(requests b1) + $(requests b2)))

# A handler timeout: one backend receives the request, the client gets its 503.
status=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time 10 "$url/delay?ms=2000")
after=$(($(requests b1) + $(requests b2)))
echo "GET /delay?ms=2000 through nginx: status and seconds $status; backends received $((after - before))"
[ "${status%% *}" = 503 ] || fail "expected closewise's 503, got $status"
[ $((after - before)) = 1 ] ||
  { cat "$WORK/nginx/logs/error.log" >&2; fail "the 503 was retried: $((after - before)) backends ran the request"; }

# A dead backend: every request is answered by the other one.
kill -KILL "$b1_pid"
wait "$b1_pid" 2>/dev/null || true
for i in 1 2 3 4; do
  body=$(curl -sS --max-time 10 "$url/") || fail "request $i with one backend dead: no answer"
  [ "$body" = "hello from closewise" ] || fail "request $i with one backend dead: '$body'"
done
grep -q 'connect() failed' "$WORK/nginx/logs/error.log" ||
  fail "nginx never tried the dead backend, so the retry was not exercised"
echo "PASS: a 503 reached the client from one backend; a dead backend's requests went to the other"
