#!/usr/bin/env bash
# One behaviour: `make install` puts the binary where the installed systemd unit's ExecStart
# looks, with the units and the sysctl file where systemd and sysctl read them, for the default
# prefix and for the package's.
#
# Staged with DESTDIR, so nothing on this machine changes. For each prefix: the binary runs
# (--version), the installed closewise.service names exactly that binary, and the socket units
# and the sysctl file are the shipped ones (systemd_units_verify.sh checks the units' syntax).
#
#   make_install.sh /path/to/source /path/to/build
source "$(dirname "$0")/lib.sh"
SOURCE=${1:?usage: make_install.sh /path/to/source /path/to/build}
BUILD=${2:?usage: make_install.sh /path/to/source /path/to/build}

for prefix in /usr/local /usr; do
  root="$WORK/root$prefix"
  make -s -C "$SOURCE" install BUILD="$BUILD" PREFIX="$prefix" DESTDIR="$root" >"$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log" >&2; fail "make install PREFIX=$prefix failed"; }
  units="$root$prefix/lib/systemd/system"
  binary="$prefix/bin/closewise"
  "$root$binary" --version >/dev/null || fail "$prefix: $binary does not run"
  exec_start=$(sed -nE 's/^ExecStart=([^ ]+) .*/\1/p' "$units/closewise.service")
  [ "$exec_start" = "$binary" ] ||
    fail "$prefix: the installed unit starts '$exec_start', but the binary is at $binary"
  for unit in closewise.socket closewise-admin.socket; do
    cmp -s "$units/$unit" "$SOURCE/deploy/systemd/$unit" || fail "$prefix: $unit differs from deploy/"
  done
  cmp -s "$root$prefix/lib/sysctl.d/90-closewise.conf" "$SOURCE/deploy/sysctl.d/90-closewise.conf" ||
    fail "$prefix: lib/sysctl.d/90-closewise.conf is missing or differs from deploy/"
  echo "$prefix: $binary, units in $prefix/lib/systemd/system, sysctl in $prefix/lib/sysctl.d"
done
echo "PASS: make install puts the binary where ExecStart looks, for /usr/local and /usr"
