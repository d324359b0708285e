# Shared by the deploy tests: start and stop closewise, wait for conditions, read wrk's summary.
# Sourced, never run. Every wait is bounded; every process started here is killed on exit.
set -euo pipefail

WORK=$(mktemp -d "${TMPDIR:-/tmp}/closewise-deploy.XXXXXX")
STARTED_PIDS=()

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  # Reaped here, so bash does not report each as "Killed" on the test's output.
  for pid in "${STARTED_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  # A successor started by a SIGUSR2 handoff is not our child; its pid is in its own log line.
  if [ -n "${KILL_ALSO:-}" ]; then
    for pid in $KILL_ALSO; do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  if [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# A TCP port nothing on this host uses now, for a peer (haproxy, nginx, systemd) that cannot be
# told to pick its own with port 0.
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    ss -Htan "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
  fail "no free port found"
}

# wait_for SECONDS COMMAND...: polls every 50 ms until COMMAND succeeds; false after SECONDS.
wait_for() {
  local limit=$1
  shift
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.05
  done
}

# start_closewise NAME BINARY ARGS...: starts closewise with its log in $WORK/NAME.log, waits for
# the line naming its bound addresses, and sets NAME_pid, NAME_port and NAME_admin.
start_closewise() {
  local name=$1 bin=$2
  shift 2
  local log="$WORK/$name.log"
  # Counted before the start: a fast binary can print its line before a count taken after it.
  local from
  from=$(grep -c 'listening on' "$log" 2>/dev/null || true)
  "$bin" "$@" >>"$log" 2>&1 &
  local pid=$!
  STARTED_PIDS+=("$pid")
  # A process that exits (a flag it refuses) ends the wait at once rather than after 30 s.
  wait_for 30 bash -c "[ \$(grep -c 'listening on' '$log') -gt ${from:-0} ] || ! kill -0 $pid" &&
    [ "$(grep -c 'listening on' "$log")" -gt "${from:-0}" ] ||
    { cat "$log" >&2; fail "$name did not start"; }
  local line
  line=$(grep 'listening on' "$log" | tail -1)
  printf -v "${name}_pid" '%s' "$pid"
  printf -v "${name}_port" '%s' "$(sed -E 's/.*listening on [0-9.]+:([0-9]+).*/\1/' <<<"$line")"
  printf -v "${name}_admin" '%s' "$(sed -E 's/.*admin on [0-9.]+:([0-9]+).*/\1/' <<<"$line")"
}

# wait_exit PID SECONDS: waits for a process that may not be our child to exit.
wait_exit() {
  local pid=$1 limit=$2
  wait_for "$limit" bash -c "! kill -0 $pid 2>/dev/null"
}

# wrk_field FILE WHAT: one number from wrk's summary (0 when wrk printed no such line, which is
# how wrk says "none").
#   requests  "N requests in ..."
#   non2xx    "Non-2xx or 3xx responses: N"
#   errors    "Socket errors: connect A, read B, write C, timeout D" -> A+B+C+D
wrk_field() {
  local file=$1 what=$2
  case "$what" in
    requests) awk '/ requests in /{print $1; found=1} END{if(!found) print 0}' "$file" ;;
    non2xx) awk -F: '/Non-2xx or 3xx responses/{gsub(/ /,"",$2); print $2; found=1}
                     END{if(!found) print 0}' "$file" ;;
    errors) awk '/Socket errors/{gsub(/,/,""); print $4+$6+$8+$10; found=1}
                 END{if(!found) print 0}' "$file" ;;
  esac
}

# kernel_states PORT...: "CLOSE_WAIT TIME_WAIT" counts on these local ports, from closewise's own
# sock_diag reader.
kernel_states() {
  local args=()
  local p
  for p in "$@"; do args+=(--port "$p"); done
  # One JSON object per line; the two counts are read without a JSON tool, so the tests need
  # nothing beyond deploy/install-deps.sh --with-system-tests.
  "$CLOSEWISE" states "${args[@]}" --json |
    sed -E 's/.*"CLOSE_WAIT":([0-9]+).*"TIME_WAIT":([0-9]+).*/\1 \2/'
}
