#!/usr/bin/env bash
# One behaviour: the shipped systemd units are valid as systemd itself reads them.
#
# systemd-analyze verify checks every directive and that ExecStart's binary exists and is
# executable, so the units are copied with ExecStart pointed at the binary under test; anything
# verify prints (it warns about unknown or misspelt directives and still exits 0) fails the test.
#
#   systemd_units_verify.sh /path/to/closewise /path/to/deploy/systemd
source "$(dirname "$0")/lib.sh"
CLOSEWISE=${1:?usage: systemd_units_verify.sh /path/to/closewise /path/to/deploy/systemd}
UNITS=${2:?usage: systemd_units_verify.sh /path/to/closewise /path/to/deploy/systemd}
command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed"

cp "$UNITS"/closewise.service "$UNITS"/closewise.socket "$UNITS"/closewise-admin.socket "$WORK/"
sed -i "s|/usr/local/bin/closewise|$CLOSEWISE|" "$WORK/closewise.service"
grep -q "^ExecStart=$CLOSEWISE " "$WORK/closewise.service" || fail "ExecStart not found"

# What the issue asks of the units, checked where a typo would silently drop it.
service="$WORK/closewise.service"
for directive in 'Type=notify' 'NotifyAccess=all' 'KillMode=control-group' 'NoNewPrivileges=yes' \
  'ProtectSystem=strict' 'LimitNOFILE=' 'ExecReload=/bin/kill -USR2 $MAINPID' \
  'SystemCallErrorNumber=EPERM'; do
  grep -qF "$directive" "$service" || fail "closewise.service lacks $directive"
done
# IPv6 too: the public socket unit listens on both families, each socket on its own, and the
# ExecStart line binds the same pair when run without the socket units.
public="$WORK/closewise.socket"
for directive in 'ListenStream=0.0.0.0:8080' 'ListenStream=[::]:8080' 'BindIPv6Only=ipv6-only'; do
  grep -qxF "$directive" "$public" || fail "closewise.socket lacks $directive"
done
for address in 0.0.0.0:8080 '[::]:8080'; do
  grep -qF -- "--listen $address" "$service" || fail "ExecStart does not --listen $address"
done
# closewise takes one admin socket; a second would be passed and never served.
[ "$(grep -c '^ListenStream=' "$WORK/closewise-admin.socket")" = 1 ] ||
  fail "closewise-admin.socket must have exactly one ListenStream"
# TimeoutStopSec must exceed drain-delay + drain-timeout, or systemd kills a drain in progress.
delay=$(grep -oE -- '--drain-delay [0-9]+s' "$service" | grep -oE '[0-9]+')
timeout=$(grep -oE -- '--drain-timeout [0-9]+s' "$service" | grep -oE '[0-9]+')
stop=$(grep -oE '^TimeoutStopSec=[0-9]+' "$service" | grep -oE '[0-9]+')
[ -n "$delay" ] && [ -n "$timeout" ] && [ -n "$stop" ] || fail "drain or stop timeouts not found"
[ "$stop" -gt $((delay + timeout)) ] ||
  fail "TimeoutStopSec=$stop is not above drain-delay $delay + drain-timeout $timeout"
grep -q '^FileDescriptorName=admin' "$WORK/closewise-admin.socket" ||
  fail "the admin socket must be named admin: closewise finds it by that name"

cd "$WORK"
output=$(systemd-analyze verify ./closewise.service ./closewise.socket ./closewise-admin.socket 2>&1) ||
  { echo "$output" >&2; fail "systemd-analyze verify failed"; }
# Messages about the host's own units are not ours to fix.
ours=$(grep -E 'closewise' <<<"$output" || true)
[ -z "$ours" ] || { echo "$ours" >&2; fail "systemd-analyze verify complained"; }
echo "PASS: closewise.service, closewise.socket, closewise-admin.socket verify cleanly" \
  "(TimeoutStopSec $stop s > $delay s + $timeout s)"
