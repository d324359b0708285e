#!/usr/bin/env bash
# Installs what closewise needs from Debian's packages, and nothing else.
#
#   deploy/install-deps.sh                      build dependencies only
#   deploy/install-deps.sh --with-system-tests  also the tools the test suite drives
#                                               (load generators, balancers, a browser)
#
# It is idempotent and fast when everything is present: it asks dpkg which packages are
# missing and runs apt-get only for those. It uses sudo when not run as root.
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

# Build dependencies. llhttp comes as C sources in node-llhttp and is compiled by CMake.
packages=(
  build-essential cmake ninja-build pkg-config
  libuv1-dev node-llhttp libspdlog-dev libfmt-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libsystemd-dev
  catch2
)

# What the tests and benchmarks drive from the outside: a real HTTP client, load generators,
# the balancers of the deploy tests, the slow-attack tool, netns/nftables for fault tests, and a
# headless browser for the dashboard.
if [ "$with_system_tests" = 1 ]; then
  packages+=(
    curl iproute2 nftables procps psmisc python3
    wrk nghttp2-client slowhttptest
    haproxy nginx-light
    chromium
    systemd
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

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Packaged daemons must not hold the ports the tests use: the tests start their own instances.
if [ "$with_system_tests" = 1 ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  for svc in nginx haproxy; do
    "${sudo[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
fi
