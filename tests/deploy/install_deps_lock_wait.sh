#!/usr/bin/env bash
# One behaviour: deploy/install-deps.sh on a machine where another package manager holds dpkg's
# lock (a fresh cloud VM running unattended-upgrades) waits for it, bounded, instead of failing;
# fails at once on any other apt error; and never stops or disables a service.
#
# apt-get, dpkg-query, systemctl and sudo are stand-ins on PATH, so nothing is installed and the
# real lock is never touched: apt-get answers "Could not get lock" as many times as told, then
# succeeds, and every call is recorded. The script runs in a mount namespace of its own whose
# /run/systemd/system exists, so it believes systemd is running and would reach any systemctl
# call it makes.
#
#   install_deps_lock_wait.sh /path/to/deploy/install-deps.sh
source "$(dirname "$0")/lib.sh"
SCRIPT=${1:?usage: install_deps_lock_wait.sh /path/to/deploy/install-deps.sh}
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
  echo "SKIP: needs root and unshare for a private /run"
  exit 77
fi

stubs="$WORK/bin"
mkdir -p "$stubs"
cat >"$stubs/apt-get" <<'STUB'
#!/usr/bin/env bash
echo "apt-get $*" >>"$STUB_LOG"
calls=$(($(cat "$STUB_COUNT" 2>/dev/null || echo 0) + 1))
echo "$calls" >"$STUB_COUNT"
if [ "$calls" -le "$LOCKED_CALLS" ]; then
  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)" >&2
  echo "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?" >&2
  exit 100
fi
if [ -n "${OTHER_ERROR:-}" ]; then
  echo "E: $OTHER_ERROR" >&2
  exit 100
fi
STUB
cat >"$stubs/systemctl" <<'STUB'
#!/usr/bin/env bash
echo "systemctl $*" >>"$STUB_LOG"
STUB
# Every package is missing, so the script always reaches apt-get.
printf '#!/bin/sh\nexit 1\n' >"$stubs/dpkg-query"
printf '#!/bin/sh\nexec "$@"\n' >"$stubs/sudo"
chmod +x "$stubs"/*

# run NAME ENV...: the script with the stand-ins, in a private mount namespace; sets NAME_status
# and leaves its stderr in $WORK/NAME.err and the recorded calls in $WORK/NAME.calls.
run() {
  local name=$1
  shift
  local status=0
  env "$@" PATH="$stubs:$PATH" STUB_LOG="$WORK/$name.calls" STUB_COUNT="$WORK/$name.count" \
    unshare --mount --propagation private bash -c '
      mount -t tmpfs closewise-test /run && mkdir -p /run/systemd/system &&
      exec bash "$0" --with-system-tests' "$SCRIPT" >/dev/null 2>"$WORK/$name.err" || status=$?
  touch "$WORK/$name.calls"
  printf -v "${name}_status" '%s' "$status"
}

# The lock is held for two tries: the script says so once, waits, and installs.
run held LOCKED_CALLS=2 CLOSEWISE_APT_LOCK_WAIT=60
cat "$WORK/held.err"
[ "$held_status" = 0 ] || fail "exit $held_status while the lock was held for two tries"
[ "$(grep -c 'waiting up to 60 s' "$WORK/held.err")" = 1 ] || fail "no single 'waiting' message"
grep -q 'held by process 4242 (unattended-upgr)' "$WORK/held.err" ||
  fail "the message does not name the process that holds the lock"
[ "$(grep -c '^apt-get update' "$WORK/held.calls")" = 3 ] || fail "update was not tried 3 times"
[ "$(grep -c '^apt-get install' "$WORK/held.calls")" = 1 ] || fail "install did not run once"
! grep -q '^systemctl' "$WORK/held.calls" ||
  fail "the script called $(grep '^systemctl' "$WORK/held.calls" | head -1)"

# The lock is never released: the wait is bounded and the failure says what to do.
start=$SECONDS
run forever LOCKED_CALLS=1000 CLOSEWISE_APT_LOCK_WAIT=1
[ "$forever_status" != 0 ] || fail "exit 0 although the lock was never released"
[ $((SECONDS - start)) -lt 20 ] || fail "the 1 s wait took $((SECONDS - start)) s"
grep -q 'gave up after 1 s' "$WORK/forever.err" || { cat "$WORK/forever.err" >&2; fail "no give-up message"; }

# Any other apt error is not a lock: reported at once, no retry.
run broken LOCKED_CALLS=0 OTHER_ERROR="Unable to locate package node-llhttp" CLOSEWISE_APT_LOCK_WAIT=60
[ "$broken_status" != 0 ] || fail "exit 0 although apt-get failed"
grep -q 'Unable to locate package node-llhttp' "$WORK/broken.err" || fail "apt's error was not shown"
[ "$(wc -l <"$WORK/broken.calls")" = 1 ] || fail "a non-lock error was retried"
echo "PASS: waited out a held lock (3 tries), gave up after the bound, did not retry other errors," \
  "touched no service"
