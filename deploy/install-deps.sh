#!/usr/bin/env bash
# Installs what closewise needs from Debian's packages, and nothing else.
#
#   deploy/install-deps.sh                      build dependencies only
#   deploy/install-deps.sh --with-system-tests  also the tools the test suite drives
#                                               (load generators, balancers, a browser)
#
# It is idempotent and fast when everything is present: it asks dpkg which packages are
# missing and runs apt-get only for those. It uses sudo when not run as root. While another
# package manager holds apt's lock it waits, at most CLOSEWISE_APT_LOCK_WAIT seconds (900). It
# stops and disables no service (Debian itself starts nginx and HAProxy when it installs them;
# the tests run their own instances on ports of their own).
# It needs only bash and apt; `make` and `git` are not on every minimal image (README.md).
set -euo pipefail

usage() {
  echo "usage: $0 [--with-system-tests]" >&2
}

with_system_tests=0
for arg in "$@"; do
  case "$arg" in
    --with-system-tests) with_system_tests=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-deps.sh: unknown option '$arg' (allowed: --with-system-tests)" >&2; usage; exit 2 ;;
  esac
done

# Build dependencies. llhttp comes as C sources in node-llhttp and is compiled by CMake;
# libssl-dev brings libcrypto, for the SHA-1 and base64 of the WebSocket handshake.
packages=(
  build-essential cmake ninja-build pkg-config
  libuv1-dev node-llhttp libssl-dev libspdlog-dev libfmt-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libsystemd-dev
  catch2
)

# What the tests and benchmarks drive from the outside: a real HTTP client, load generators,
# the balancers of the deploy tests, the slow-attack tool, netns/nftables for fault tests, a
# headless browser for the dashboard and the WebSocket page, a YAML reader for the Kubernetes
# manifest's test, Prometheus for promtool, which checks /metrics with Prometheus' own parser, and
# two WebSocket implementations closewise's own code is checked against: Python's websockets and
# Node's ws (the client of the system tests, and the server bench/ compares with).
if [ "$with_system_tests" = 1 ]; then
  packages+=(
    curl iproute2 nftables procps psmisc python3
    python3-yaml python3-websockets
    nodejs node-ws
    wrk nghttp2-client slowhttptest
    haproxy nginx-light
    chromium
    systemd
    clang libclang-rt-dev
    prometheus
  )
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps.sh: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

# How long to wait for another package manager to finish. On a fresh cloud machine
# unattended-upgrades (or cloud-init) holds dpkg's lock for minutes after boot; apt-get then fails
# at once with "Could not get lock". apt's own DPkg::Lock::Timeout would cover `install` but not
# the package lists' lock that `update` takes, so both are retried here.
lock_wait=${CLOSEWISE_APT_LOCK_WAIT:-900}
lock_poll=2

# apt_get ARGS...: apt-get ARGS, retried while another process holds apt's or dpkg's lock, for at
# most $lock_wait seconds. Any other failure is reported at once with apt's own message.
apt_get() {
  local errors deadline=$((SECONDS + lock_wait)) waiting=0
  errors=$(mktemp)
  until "${sudo[@]}" apt-get "$@" 2>"$errors"; do
    if ! grep -qE 'Could not get lock|Unable to lock|Unable to acquire the dpkg frontend lock' "$errors"; then
      cat "$errors" >&2
      rm -f "$errors"
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      cat "$errors" >&2
      echo "install-deps.sh: gave up after ${lock_wait} s waiting for the package manager's lock;" \
        "run it again once the process named above has finished" \
        "(CLOSEWISE_APT_LOCK_WAIT=SECONDS waits longer)" >&2
      rm -f "$errors"
      return 1
    fi
    if [ "$waiting" = 0 ]; then
      echo "install-deps.sh: another package manager is running; waiting up to ${lock_wait} s" \
        "for it to finish (on a new machine this is usually unattended-upgrades):" >&2
      grep -E 'Could not get lock' "$errors" | head -1 >&2 || true
      waiting=1
    fi
    sleep "$lock_poll"
  done
  [ "$waiting" = 0 ] || echo "install-deps.sh: the package manager is free; going on" >&2
  # Warnings of a successful run are still worth seeing.
  cat "$errors" >&2
  rm -f "$errors"
}

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Services already on this machine are left as they are: the tests start their own nginx and
# HAProxy on ports of their own, so a system nginx or HAProxy (Debian starts one when its package
# is installed) is in nobody's way, and stopping it could take down something its owner runs.
