#!/usr/bin/env bash
# The dashboard in a real browser. Starts closewise on port 0, opens known connections (3 idle
# keep-alive, 2 with a handler still running), lets headless Chromium load GET / from the admin
# listener and run its script, and checks the rendered DOM shows those counts: the kernel's
# ESTABLISHED box, the server's idle and processing phases, the open total and the LISTEN box.
#
#   dashboard_dom_test.sh CLOSEWISE_BINARY [CHROMIUM]      exit 0 pass, 1 fail, 77 skipped
#
# Set DASHBOARD_SCREENSHOT=/tmp/dash.png to also save a 1400x900 screenshot.
set -euo pipefail

binary=$1
chromium=${2:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z "$chromium" || ! -x "$chromium" ]]; then
  echo "SKIP: no chromium" >&2
  exit 77
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  # Close the client connections first, then stop the server we started (and only it); its
  # drain resets the two unanswered requests after --drain-timeout.
  for fd in 10 11 12 13 14; do eval "exec $fd>&-" 2>/dev/null || true; done
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$binary" serve --listen 127.0.0.1:0 --admin 127.0.0.1:0 --idle-timeout 120s --drain-timeout 1s \
  --handler-timeout 120s 2>"$work/server.log" &
server_pid=$!

# The first info line names the bound ports.
for _ in $(seq 1 200); do
  grep -q 'admin on' "$work/server.log" 2>/dev/null && break
  sleep 0.1
done
public_port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/server.log" | head -1 | cut -d: -f2)
admin_port=$(grep -o 'admin on 127.0.0.1:[0-9]*' "$work/server.log" | head -1 | cut -d: -f2)
if [[ -z "$public_port" || -z "$admin_port" ]]; then
  echo "FAIL: closewise did not report its ports" >&2
  cat "$work/server.log" >&2
  exit 1
fi

# Three idle keep-alive connections: request, read the whole response, keep the socket open.
for fd in 10 11 12; do
  eval "exec $fd<>/dev/tcp/127.0.0.1/$public_port"
  printf 'GET / HTTP/1.1\r\nHost: t\r\n\r\n' >&"$fd"
  # The demo root answers with a short body; read the head and the body by Content-Length.
  length=0
  while IFS= read -r -t 5 line <&"$fd"; do
    line=${line%$'\r'}
    [[ "$line" =~ ^Content-Length:\ ([0-9]+) ]] && length=${BASH_REMATCH[1]}
    [[ -z "$line" ]] && break
  done
  if (( length > 0 )); then read -r -t 5 -N "$length" _ <&"$fd"; fi
done
# Two requests whose handler is still running.
for fd in 13 14; do
  eval "exec $fd<>/dev/tcp/127.0.0.1/$public_port"
  printf 'GET /delay?ms=60000 HTTP/1.1\r\nHost: t\r\n\r\n' >&"$fd"
done

# Wait until the books and the kernel view show them, so the browser's first fetch sees the
# final numbers. (/stats reuses a kernel view for a few hundred ms, so the kernel's count can
# trail the books' for that long: see kernel.age_ms in docs/admin.md.)
for _ in $(seq 1 100); do
  stats=$(curl -s "http://127.0.0.1:$admin_port/stats" || true)
  if grep -q '"idle":3' <<<"$stats" && grep -q '"processing":2' <<<"$stats" &&
    grep -q '"ESTABLISHED":5' <<<"$stats"; then break; fi
  sleep 0.1
done

browse() {
  timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$(mktemp -d -p "$work")" \
    --virtual-time-budget=5000 "$@" "http://127.0.0.1:$admin_port/" 2>>"$work/chromium.log"
}

browse --dump-dom >"$work/dom.html" || true
if [[ -n "${DASHBOARD_SCREENSHOT:-}" ]]; then
  browse --screenshot="$DASHBOARD_SCREENSHOT" --window-size=1400,900 >/dev/null || true
fi

# The value of data-count on the element with this id.
count_of() {
  grep -o "<[^<>]* id=\"$1\"[^<>]*>" "$work/dom.html" | grep -o 'data-count="[0-9]*"' | head -1 |
    grep -o '[0-9]*'
}

failures=0
expect() {
  local id=$1 want=$2 got
  got=$(count_of "$id" || true)
  if [[ "$got" == "$want" ]]; then
    echo "ok   #$id = $got"
  else
    echo "FAIL #$id = '${got}', expected $want" >&2
    failures=$((failures + 1))
  fi
}
expect kernel-ESTABLISHED 5
expect kernel-LISTEN 1
expect kernel-CLOSE_WAIT 0
expect phase-idle 3
expect phase-processing 2
expect phase-reading 0
expect open 5
expect alerts 0
if ! grep -q 'data-state="ok"' "$work/dom.html"; then
  echo "FAIL: the status badge does not say the last /stats fetch succeeded" >&2
  failures=$((failures + 1))
fi
if (( failures > 0 )); then
  echo "--- dom (first 3000 bytes)" >&2
  head -c 3000 "$work/dom.html" >&2
  echo "--- chromium log (last 20 lines)" >&2
  tail -20 "$work/chromium.log" >&2
  exit 1
fi
echo "PASS: the dashboard shows the live counts"
