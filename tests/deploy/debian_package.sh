#!/usr/bin/env bash
# One behaviour: the Debian package built by CPack (what `make deb` runs) holds the binary, the
# systemd units naming it and the sysctl file, declares the runtime libraries it needs, and runs
# from its own files.
#
# Not installed with dpkg -i: the test would then own /usr/bin/closewise and the units of the
# machine it runs on, alongside other test runs. Instead: dpkg-deb reads the control fields and
# the contents; apt-get --simulate resolves the Depends against this machine without changing
# it; dpkg-deb -x unpacks it into a temporary directory, from which the binary is started with
# the packaged unit's own ExecStart line (addresses moved to loopback port 0) and must answer
# /healthz.
#
#   debian_package.sh /path/to/build
source "$(dirname "$0")/lib.sh"
BUILD=${1:?usage: debian_package.sh /path/to/build}
for tool in cpack dpkg-deb dpkg-shlibdeps apt-get; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done

(cd "$BUILD" && cpack -G DEB -B "$WORK/package") >"$WORK/cpack.log" 2>&1 ||
  { cat "$WORK/cpack.log" >&2; fail "cpack -G DEB failed"; }
debs=("$WORK"/package/*.deb)
[ "${#debs[@]}" = 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no single .deb"
deb=${debs[0]}

# Control fields.
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = closewise ] || fail "Package is '$(field Package)'"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
[ -n "$(field Version)" ] && [ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ] ||
  fail "Version, Maintainer or Description is empty"
depends=$(field Depends)
echo "Depends: $depends"
for library in libc6 'libstdc\+\+6' libuv1 'libspdlog1[.0-9]*' libfmt9 libsystemd0 libtomlplusplus3; do
  grep -qE "(^|, )$library[^,]*" <<<"$depends" || fail "Depends lacks $library"
done
! grep -qE -- '-dev\b' <<<"$depends" || fail "Depends names a -dev package: $depends"

# Contents.
dpkg-deb --contents "$deb" | awk '{print $NF}' >"$WORK/contents.txt"
for path in ./usr/bin/closewise ./usr/lib/systemd/system/closewise.service \
  ./usr/lib/systemd/system/closewise.socket ./usr/lib/systemd/system/closewise-admin.socket \
  ./usr/lib/sysctl.d/90-closewise.conf; do
  grep -qxF "$path" "$WORK/contents.txt" || fail "the package lacks $path"
done
# Maintainer scripts: executable, valid sh, and never starting anything on install.
mkdir "$WORK/control"
dpkg-deb --control "$deb" "$WORK/control"
for script in postinst prerm postrm; do
  [ -x "$WORK/control/$script" ] || fail "$script is missing or not executable"
  sh -n "$WORK/control/$script" || fail "$script is not valid sh"
done
! grep -vE '^\s*#' "$WORK/control/postinst" | grep -qE 'systemctl .*(start|enable)' ||
  fail "postinst starts or enables a unit; that is the operator's decision"

# The dependencies resolve on this machine, and nothing beyond them is pulled in.
apt-get install --simulate --no-install-recommends "$deb" >"$WORK/apt.txt" 2>&1 ||
  { cat "$WORK/apt.txt" >&2; fail "apt-get cannot resolve the package's Depends"; }
grep '^Inst ' "$WORK/apt.txt" | grep -v '^Inst closewise ' &&
  fail "installing the package would pull in packages that this machine runs the binary without"

# Unpacked and run as the packaged unit would start it.
dpkg-deb -x "$deb" "$WORK/root"
unit="$WORK/root/usr/lib/systemd/system/closewise.service"
mapfile -t exec_start < <(/usr/bin/python3 "$(dirname "$0")/deploy_args.py" systemd "$unit")
binary=$(sed -nE 's/^ExecStart=([^ ]+) .*/\1/p' "$unit")
[ "$binary" = /usr/bin/closewise ] || fail "the packaged unit starts $binary, not /usr/bin/closewise"
"$WORK/root$binary" --version || fail "the packaged binary does not run"
args=()
for arg in "${exec_start[@]}"; do
  case "$arg" in
    \[*\]:[0-9]*) args+=('[::1]:0') ;;
    [0-9]*.[0-9]*:[0-9]*) args+=(127.0.0.1:0) ;;
    *) args+=("$arg") ;;
  esac
done
start_closewise packaged "$WORK/root$binary" "${args[@]}"
curl -fsS --max-time 5 "http://127.0.0.1:$packaged_admin/healthz" >/dev/null ||
  fail "the packaged binary, started with the unit's line, does not answer /healthz"
echo "PASS: $(basename "$deb"): binary, units naming /usr/bin/closewise, sysctl file; Depends" \
  "resolve here; the unpacked binary serves with the unit's command line"
