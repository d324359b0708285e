#!/usr/bin/env bash
# One behaviour: the shipped systemd units, unchanged, run closewise under a real systemd: socket
# activation on IPv4 and IPv6, Type=notify, the hardening, a restart that keeps the listening
# sockets, and a stop that drains, also after a reload (the SIGUSR2 handoff).
#
# systemd is not PID 1 on the test machines, so this starts one as PID 1 of its own namespaces:
# pid, mount (a private /run, and the binary under test at /usr/local/bin/closewise, where the
# unit looks, on a tmpfs that hides the host's), network (its own loopback, so the units' fixed
# ports 8080 and 9901 collide with nothing), and a cgroup namespace rooted in a cgroup2 directory
# made for it. Its unit path holds the three shipped units, the few targets they order against,
# and one drop-in that sends the service's output to a file (no journald runs there). The host's
# services and files are not touched; the cgroup directory is removed at the end.
#
# Asserted, each through systemctl or on the wire inside the namespace:
#   - a request on 127.0.0.1:8080 and on [::1]:8080 starts the service and is answered;
#   - Type=notify: the service's status text is closewise's READY message;
#   - DynamicUser, NoNewPrivileges, the seccomp filter and no capabilities hold in the process;
#   - `systemctl restart closewise` does not restart closewise.socket (its sockets stay open);
#   - `systemctl reload` moves MainPID to the successor, and the next `systemctl stop` ends in a
#     drain and exit 0, not a SIGKILL.
#
#   systemd_real.sh /path/to/closewise /path/to/deploy/systemd
source "$(dirname "$0")/lib.sh"
CLOSEWISE=${1:?usage: systemd_real.sh /path/to/closewise /path/to/deploy/systemd}
UNITS=${2:?usage: systemd_real.sh /path/to/closewise /path/to/deploy/systemd}
SYSTEMD=/lib/systemd/systemd
cgroup2=$(findmnt -t cgroup2 -no TARGET 2>/dev/null | head -1 || true)
if [ "$(id -u)" -ne 0 ] || [ ! -x "$SYSTEMD" ] || [ -z "$cgroup2" ] ||
  ! command -v unshare >/dev/null || ! command -v nsenter >/dev/null; then
  echo "SKIP: needs root, $SYSTEMD, a cgroup2 mount, unshare and nsenter"
  exit 77
fi

# The unit path: the shipped units as they are, the targets their default dependencies name, a
# target to start them, and the output drop-in.
unit_path="$WORK/units"
mkdir -p "$unit_path/closewise.service.d"
cp "$UNITS"/closewise.service "$UNITS"/closewise.socket "$UNITS"/closewise-admin.socket "$unit_path/"
for target in sysinit basic sockets network multi-user paths slices timers local-fs swap shutdown; do
  cp "/lib/systemd/system/$target.target" "$unit_path/"
done
cat >"$unit_path/closewise-test.target" <<'UNIT'
[Unit]
Description=the shipped closewise socket units, started as at boot
Requires=closewise.socket closewise-admin.socket
After=closewise.socket closewise-admin.socket
UNIT
# A sanitizer build's leak check stops the process's threads with ptrace, which the unit's system
# call filter refuses (with EPERM, as SystemCallErrorNumber says); leaks are other tests' business.
cat >"$unit_path/closewise.service.d/test-output.conf" <<'UNIT'
[Service]
StandardOutput=append:/run/closewise.log
StandardError=append:/run/closewise.log
Environment=ASAN_OPTIONS=detect_leaks=0
UNIT

# Inside the namespaces, before systemd takes over as PID 1.
cat >"$WORK/init.sh" <<INIT
set -e
mount -t proc proc /proc
mount -t tmpfs closewise-test /run
mount -t tmpfs closewise-test /usr/local/bin
cp "$CLOSEWISE" /usr/local/bin/closewise
ip link set lo up
umount -R /sys/fs/cgroup 2>/dev/null || true
mount -t cgroup2 cgroup2 /sys/fs/cgroup
: >"$WORK/console.log"
mount --bind "$WORK/console.log" /dev/console
export container=closewise-test SYSTEMD_UNIT_PATH="$unit_path"
exec "$SYSTEMD" --system --unit=closewise-test.target --log-target=console
INIT

cgroup="$cgroup2/closewise-test-$$"
init_pid=""
unshare_pid=""
# Killing the namespace's PID 1 ends every process in it; unshare, in the same cgroup, exits
# once it has reaped it, and only then can the emptied cgroup directories go.
stop_systemd() {
  [ -n "$init_pid" ] && kill -KILL "$init_pid" 2>/dev/null || true
  [ -n "$unshare_pid" ] && wait "$unshare_pid" 2>/dev/null || true
  [ -d "$cgroup" ] && find "$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null || true
}
trap 'stop_systemd; cleanup' EXIT

mkdir "$cgroup"
(
  echo "$BASHPID" >"$cgroup/cgroup.procs"
  exec unshare --pid --fork --mount --net --uts --ipc --cgroup --propagation private \
    bash "$WORK/init.sh"
) >"$WORK/unshare.log" 2>&1 &
unshare_pid=$!
STARTED_PIDS+=("$unshare_pid")
wait_for 10 bash -c "pgrep -P $unshare_pid >/dev/null" ||
  { cat "$WORK/unshare.log" >&2; fail "no namespace init"; }
init_pid=$(pgrep -P "$unshare_pid")

inside() { timeout 60 nsenter -t "$init_pid" -m -p -n "$@"; }
property() { inside systemctl show -p "$2" --value "$1"; }
wait_for 20 bash -c "[ \"\$(timeout 5 nsenter -t $init_pid -m -p -n systemctl is-active closewise.socket 2>/dev/null)\" = active ]" ||
  { cat "$WORK/unshare.log" "$WORK/console.log" >&2; fail "systemd did not start closewise.socket"; }

# Socket activation on both families: the first request starts the service.
for url in http://127.0.0.1:8080/ 'http://[::1]:8080/'; do
  code=$(inside curl -sS -o /dev/null -w '%{http_code}' --max-time 20 "$url") || true
  [ "$code" = 404 ] || { inside cat /run/closewise.log >&2; fail "GET $url answered '$code'"; }
done
[ "$(inside curl -sS --max-time 5 http://127.0.0.1:9901/readyz)" = ready ] || fail "/readyz on 9901"
[ "$(property closewise.service ActiveState)" = active ] || fail "closewise.service is not active"
status=$(property closewise.service StatusText)
[ "$status" = "serving on 2 addresses" ] || fail "Type=notify: status text is '$status'"

# The hardening, as the kernel applies it to the running process.
main=$(property closewise.service MainPID)
proc=$(inside cat "/proc/$main/status")
grep -qE '^Uid:\s+0\s' <<<"$proc" && fail "the service runs as root, not as a DynamicUser"
grep -qE '^NoNewPrivs:\s+1$' <<<"$proc" || fail "NoNewPrivileges is not in effect"
grep -qE '^Seccomp:\s+2$' <<<"$proc" || fail "no seccomp filter in effect (SystemCallFilter and the Restrict* settings install one)"
grep -qE '^CapEff:\s+0+$' <<<"$proc" || fail "the service has capabilities"

# A restart replaces the process and keeps the sockets.
socket_since=$(property closewise.socket ActiveEnterTimestampMonotonic)
inside systemctl restart closewise.service || fail "systemctl restart failed"
[ "$(property closewise.socket ActiveEnterTimestampMonotonic)" = "$socket_since" ] ||
  fail "systemctl restart closewise restarted closewise.socket: its listening sockets were closed"
[ "$(property closewise.service MainPID)" != "$main" ] || fail "the restart kept the same process"
code=$(inside curl -sS -o /dev/null -w '%{http_code}' --max-time 10 http://127.0.0.1:8080/) || true
[ "$code" = 404 ] || fail "no answer after the restart ($code)"

# A reload hands over to a successor; the stop after it must still be a drain.
before=$(property closewise.service MainPID)
inside systemctl reload closewise.service || fail "systemctl reload failed"
wait_for 10 bash -c "[ \"\$(timeout 5 nsenter -t $init_pid -m -p -n systemctl show -p MainPID --value closewise.service 2>/dev/null)\" != $before ]" ||
  fail "MainPID stayed $before after systemctl reload"
inside systemctl stop closewise.service 2>/dev/null || fail "systemctl stop failed"
result=$(property closewise.service Result)
exit_code=$(property closewise.service ExecMainCode)/$(property closewise.service ExecMainStatus)
inside cat /run/closewise.log >"$WORK/closewise.log"
[ "$result" = success ] && [ "$exit_code" = 1/0 ] ||
  { cat "$WORK/closewise.log" >&2; fail "the stop after a reload ended in $result ($exit_code: code/status)"; }
[ "$(grep -c 'closewise exits' "$WORK/closewise.log")" -ge 3 ] ||
  fail "not every process logged its drain summary"
echo "PASS: under systemd $("$SYSTEMD" --version | head -1 | awk '{print $2}'): activated on IPv4 and IPv6," \
  "notify status '$status', hardened, restart kept the sockets, stop after reload drained (exit 0)"
