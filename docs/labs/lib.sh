# Shared by every lab (sourced, not run): the binary to test, starting closewise and the peers,
# network namespaces, cleanup that runs even when a lab fails, and the before/after table.
#
# Environment:
#   CLOSEWISE_BIN   the closewise binary (default: build/bin/closewise, the release build)
#   PYTHON          python3 to run labpeer.py with (default: python3)
#   LAB_VERBOSE=1   print the logs of every process the lab started, even on success
#   LAB_USERNS=0    do not make a user namespace; use the host's root (see need_netns)
#
# Exit codes: 0 the outcome is the one docs/close-handling.md claims; 1 it is not; 77 the lab
# cannot run here (no network namespace allowed, a tool missing), which CTest reports as skipped.

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LAB_DIR/../.." && pwd)
CLOSEWISE=${CLOSEWISE_BIN:-$REPO_DIR/build/bin/closewise}
PYTHON=${PYTHON:-python3}
PEER="$LAB_DIR/labpeer.py"
LAB_NAME=$(basename "${BASH_SOURCE[1]}" .sh)
LAB_TMP=$(mktemp -d "/tmp/cwlab-$LAB_NAME.XXXXXX")
# Short and unique, because interface names are limited to 15 characters.
LAB_ID="cw$$"
LAB_FAILURES=0
LAB_PIDS=()
LAB_NETNS=()

lab_cleanup() {
  local status=$?
  set +e
  # SIGTERM first (closewise drains); whatever is still running 3 s later gets SIGKILL, since a
  # drain may wait on a connection a lab left hanging on purpose.
  for pid in "${LAB_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for ((i = 0; i < 30; i++)); do
    local alive=0
    for pid in "${LAB_PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${LAB_PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  for ns in "${LAB_NETNS[@]}"; do
    ip netns del "$ns" 2>/dev/null
  done
  if [[ $status -ne 0 || ${LAB_VERBOSE:-0} == 1 ]]; then
    for log in "$LAB_TMP"/*.log; do
      [[ -s $log ]] || continue
      echo "---- $(basename "$log") (last 20 lines)"
      tail -n 20 "$log"
    done
  fi
  rm -rf "$LAB_TMP"
  exit "$status"
}
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

skip() {
  echo "SKIP $LAB_NAME: $*"
  exit 77
}

# Every lab needs python3 for labpeer.py (the naive servers, the clients, JSON).
command -v "$PYTHON" >/dev/null || { echo "SKIP $LAB_NAME: needs python3"; exit 77; }

# ---- network namespaces ------------------------------------------------------------------------
#
# Labs that set sysctls, play several hosts, drop packets or read the kernel's counters do it in
# network namespaces of their own, so the host is never touched and no other process disturbs the
# counts. Making a network namespace needs CAP_SYS_ADMIN, which any user can hold inside a user
# namespace of their own where the kernel allows unprivileged user namespaces (most distributions
# do; some containers' seccomp profiles and some sysctls refuse it). So a lab that needs one first
# re-runs itself as root of a new user namespace with its own network and mount namespaces
# (`unshare --user --map-root-user --net --mount`). Inside, nothing of the host is changed: the
# loopback device is the namespace's own, and `ip netns` keeps its files under a private /run.

# True inside a lab's own user namespace (set by lab_enter_userns before it re-runs the lab).
in_lab_userns() { [[ ${LAB_IN_USERNS:-0} == 1 ]]; }

# Re-runs the calling lab in a new user, network and mount namespace, if the kernel allows it.
# Returns (without re-running) when it does not, or when LAB_USERNS=0 asks for the host's root.
lab_enter_userns() {
  [[ ${LAB_USERNS:-1} != 0 ]] || return 0
  command -v unshare >/dev/null || return 0
  unshare --user --map-root-user --net --mount true 2>/dev/null || return 0
  # This process is replaced: its temporary directory goes now, the new run makes its own.
  rm -rf "$LAB_TMP"
  trap - EXIT
  exec unshare --user --map-root-user --net --mount --propagation private \
    env LAB_IN_USERNS=1 bash "$0"
}

# Inside the lab's user namespace: loopback up, and a private /run for `ip netns`.
lab_setup_userns() {
  ip link set lo up
  mount -t tmpfs lab-run /run
}

# Root of the host's namespaces, with CAP_SYS_ADMIN (bit 21 of the effective set). Root in a
# container usually lacks that capability and cannot make namespaces: skip there, do not fail.
need_root() {
  [[ $(id -u) -eq 0 ]] ||
    skip "needs network namespaces: user namespaces are refused here, and this is not root"
  local caps
  caps=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
  (((16#$caps >> 21) & 1)) ||
    skip "needs CAP_SYS_ADMIN for network namespaces (root in a container without it?)"
}

# For labs that cannot run without network namespaces. Sets LAB_PRIVATE_NET=1 when the lab runs in
# a network namespace of its own (its loopback and counters are its own), 0 when it uses the host's
# root and makes only the namespaces it names (make_netns).
need_netns() {
  command -v ip >/dev/null || skip "needs iproute2 (ip)"
  in_lab_userns || lab_enter_userns
  if in_lab_userns; then
    lab_setup_userns
    LAB_PRIVATE_NET=1
  else
    need_root
    LAB_PRIVATE_NET=0
  fi
}

# For labs that run anywhere but check the kernel's counters only when nothing else can move them:
# in a network namespace of their own. LAB_PRIVATE_NET says whether they got one.
want_private_net() {
  LAB_PRIVATE_NET=0
  command -v ip >/dev/null || return 0
  in_lab_userns || lab_enter_userns
  if in_lab_userns; then
    lab_setup_userns
    LAB_PRIVATE_NET=1
  fi
}

need_closewise() {
  [[ -x $CLOSEWISE ]] || {
    echo "no closewise binary at $CLOSEWISE: run 'make build', or set CLOSEWISE_BIN" >&2
    exit 1
  }
}

say() { printf '%s\n' "$*"; }

# Runs a command in the background, logging to $LAB_TMP/<name>.log, and remembers its pid so
# cleanup stops it. `bg NAME [netns NS] CMD...` sets BG_PID.
bg() {
  local name=$1
  shift
  if [[ $1 == netns ]]; then
    local ns=$2
    shift 2
    ip netns exec "$ns" "$@" >"$LAB_TMP/$name.log" 2>&1 &
  else
    "$@" >"$LAB_TMP/$name.log" 2>&1 &
  fi
  BG_PID=$!
  LAB_PIDS+=("$BG_PID")
}

# Waits up to $3 seconds (default 15: an ASan build starts slowly on a loaded machine) for a line
# matching the regex $2 in log $1.
wait_for_log() {
  local log="$LAB_TMP/$1.log" pattern=$2 limit=${3:-15}
  local tries=$((limit * 10))
  for ((i = 0; i < tries; i++)); do
    grep -Eq "$pattern" "$log" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out after ${limit}s waiting for /$pattern/ in $1.log" >&2
  return 1
}

# Starts closewise: `start_closewise NAME [netns NS] ARGS...`. Sets CW_PORT to the first public
# port, read from the log line "listening on 127.0.0.1:41234 (workers 1); ...".
start_closewise() {
  local name=$1
  shift
  bg "$name" "$@"
  wait_for_log "$name" 'listening on '
  CW_PORT=$(sed -n 's/.*listening on [^ ,]*:\([0-9]*\)[ ,].*/\1/p' "$LAB_TMP/$name.log" | head -n 1)
  [[ -n $CW_PORT ]] || { echo "cannot read the port from $name.log" >&2; return 1; }
}

# Runs labpeer.py and keeps its key=value output in $LAB_TMP/<name>.log.
peer() {
  local name=$1
  shift
  if [[ $1 == netns ]]; then
    local ns=$2
    shift 2
    ip netns exec "$ns" "$PYTHON" "$PEER" "$@" >"$LAB_TMP/$name.log" 2>&1
  else
    "$PYTHON" "$PEER" "$@" >"$LAB_TMP/$name.log" 2>&1
  fi
}

# The value of key=value line KEY in log NAME (the last one, if several).
kv() { sed -n "s/^$2=//p" "$LAB_TMP/$1.log" | tail -n 1; }

# `pooled_clients PORT [netns NS]`: the client labs' second half. CLIENTS keep-alive clients at
# once send REQUESTS in all to closewise's /proxy/up/ on PORT (in namespace NS if given), and
# wait; then POOLED_OK is how many were answered and POOLED_ERROR the first error any client met
# (none if none did).
pooled_clients() {
  local port=$1 pids=() i
  shift
  for ((i = 1; i <= CLIENTS; i++)); do
    bg "pooled-$i" "$@" "$PYTHON" "$PEER" per-request --port "$port" --keepalive \
      --count $((REQUESTS / CLIENTS)) --path "/proxy/up/"
    pids+=("$BG_PID")
  done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  POOLED_OK=0
  POOLED_ERROR=none
  for ((i = 1; i <= CLIENTS; i++)); do
    POOLED_OK=$((POOLED_OK + $(kv "pooled-$i" ok)))
    [[ $POOLED_ERROR != none ]] || POOLED_ERROR=$(kv "pooled-$i" first_error)
  done
}

# `closewise states --port P --json`, one state's count: `tcp_state PORT STATE [NS]`.
tcp_state() {
  local port=$1 state=$2 ns=${3:-}
  local cmd=("$CLOSEWISE" states --port "$port" --json)
  [[ -n $ns ]] && cmd=(ip netns exec "$ns" "${cmd[@]}")
  "${cmd[@]}" 2>/dev/null |
    "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["tcp_states"][sys.argv[1]])' "$state"
}

# Sockets in STATE with source or destination port PORT, from ss (also sees client sockets,
# which `closewise states` deliberately does not count): `ss_count STATE sport|dport PORT [NS]`.
ss_count() {
  local state=$1 dir=$2 port=$3 ns=${4:-}
  local cmd=(ss -Htan state "$state" "( $dir = :$port )")
  [[ -n $ns ]] && cmd=(ip netns exec "$ns" "${cmd[@]}")
  "${cmd[@]}" | wc -l
}

# A kernel counter of the network namespace (`nstat` names: TcpExtListenOverflows, ...), as an
# absolute value: `counter NAME [NS]`. Only meaningful where LAB_PRIVATE_NET=1 or inside a
# namespace the lab made, since every process in a namespace moves its counters.
counter() {
  local name=$1 ns=${2:-}
  local cmd=(nstat -saz "$name")
  [[ -n $ns ]] && cmd=(ip netns exec "$ns" "${cmd[@]}")
  "${cmd[@]}" | awk -v n="$name" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }'
}

# Polls until `eval "$1"` succeeds, for at most $2 seconds.
wait_until() {
  local condition=$1 limit=${2:-10}
  local tries=$((limit * 10))
  for ((i = 0; i < tries; i++)); do
    eval "$condition" && return 0
    sleep 0.1
  done
  return 1
}

# Seconds since a time taken with `now`, to a tenth: `since "$START"`.
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# Makes a network namespace with loopback up; cleanup deletes it.
make_netns() {
  ip netns add "$1"
  LAB_NETNS+=("$1")
  ip -n "$1" link set lo up
}

# Two namespaces joined by a veth pair: `make_veth NS_A IP_A NS_B IP_B` (addresses in a /24).
make_veth() {
  local a=$1 ipa=$2 b=$3 ipb=$4
  ip link add "${LAB_ID}a" type veth peer name "${LAB_ID}b"
  ip link set "${LAB_ID}a" netns "$a"
  ip link set "${LAB_ID}b" netns "$b"
  ip -n "$a" addr add "$ipa/24" dev "${LAB_ID}a"
  ip -n "$b" addr add "$ipb/24" dev "${LAB_ID}b"
  ip -n "$a" link set "${LAB_ID}a" up
  ip -n "$b" link set "${LAB_ID}b" up
}

# The table: `row COLUMN1 COLUMN2 COLUMN3`, the first call being the header.
row() { printf '  %-48s %-28s %s\n' "$@"; }

# `expect DESCRIPTION TEST...`: checks one claim of the guide and records a failure if false.
expect() {
  local what=$1
  shift
  if "$@"; then
    say "  ok    $what"
  else
    say "  FAIL  $what"
    LAB_FAILURES=$((LAB_FAILURES + 1))
  fi
}

finish() {
  if ((LAB_FAILURES > 0)); then
    say "lab $LAB_NAME: $LAB_FAILURES claim(s) NOT reproduced"
    exit 1
  fi
  say "lab $LAB_NAME: every claim reproduced"
}
