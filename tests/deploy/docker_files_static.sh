#!/usr/bin/env bash
# One behaviour: deploy/Dockerfile and the .dockerignore beside its build context would build and
# run as written, checked without a Docker engine (none runs on the test machines).
#
#   context     .dockerignore, read with Docker's rules (docker_context.py), excludes a host
#               build directory and .git, and no file git tracks, so the image builds from what
#               a clone has; every COPY source is in the context
#   EXPOSE      exactly the ports the image's command line binds beyond loopback: a loopback
#               listener cannot be reached through a published port
#   HEALTHCHECK its command, run against the real binary started with the image's command line,
#               passes while the server runs and fails once it is gone
# (shipped_command_lines.sh runs the same command line for its flags and demo routes.)
#
#   docker_files_static.sh /path/to/closewise /path/to/repository
source "$(dirname "$0")/lib.sh"
CLOSEWISE=${1:?usage: docker_files_static.sh /path/to/closewise /path/to/repository}
REPO=${2:?usage: docker_files_static.sh /path/to/closewise /path/to/repository}
HERE=$(dirname "$0")
DOCKERFILE="$REPO/deploy/Dockerfile"

# Context: what must stay out, and that nothing tracked or copied is left out.
context=(/usr/bin/python3 "$HERE/docker_context.py" "$REPO/.dockerignore")
for path in build/CMakeCache.txt build/asan/bin/closewise build-release/CMakeCache.txt .git/HEAD; do
  "${context[@]}" excluded "$path" || fail ".dockerignore lets $path into the build context"
done
excluded=$(git -C "$REPO" ls-files | "${context[@]}" included-all) ||
  fail ".dockerignore excludes files git tracks: $excluded"
while read -r source; do
  [ -e "$REPO/$source" ] || fail "Dockerfile: COPY $source: no such path in the context"
  [ "$source" = . ] || "${context[@]}" included "$source" ||
    fail "Dockerfile: COPY $source, which .dockerignore excludes"
done < <(sed -nE 's/^COPY +([^-][^ ]*) .*/\1/p' "$DOCKERFILE")

# EXPOSE against the command line.
mapfile -t args < <(/usr/bin/python3 "$HERE/deploy_args.py" docker "$DOCKERFILE")
reachable=$(for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --listen | --admin) address=${args[i + 1]} ;;
    --listen=* | --admin=*) address=${args[i]#*=} ;;
    *) continue ;;
  esac
  case "$address" in
    127.* | \[::1\]:* | localhost:* | off) ;;
    *) echo "${address##*:}" ;;
  esac
done | sort -un | xargs)
exposed=$(sed -nE 's/^EXPOSE +//p' "$DOCKERFILE" | tr ' ' '\n' | sed 's|/tcp||' | sort -un | xargs)
[ "$exposed" = "$reachable" ] ||
  fail "EXPOSE lists '$exposed' but the command line binds '$reachable' beyond loopback"

# HEALTHCHECK, run for real: the image's command line on loopback port 0, and the check's
# command with the image's admin port replaced by the one the kernel gave.
admin_port=$(printf '%s\n' "${args[@]}" | sed -nE 's/^(--admin=)?[0-9.]+:([0-9]+)$/\2/p' | tail -1)
[ -n "$admin_port" ] || fail "no admin port on the image's command line"
mapfile -t check < <(/usr/bin/python3 "$HERE/deploy_args.py" docker-healthcheck "$DOCKERFILE")
[ "${#check[@]}" -gt 0 ] || fail "no HEALTHCHECK command"
grep -q "/$admin_port" <<<"${check[*]}" || fail "HEALTHCHECK does not probe the admin port $admin_port"
run_args=()
for arg in "${args[@]}"; do
  case "$arg" in
    *:[0-9]*) run_args+=("$(sed -E 's/(^|=)[0-9.]+:[0-9]+$/\1127.0.0.1:0/' <<<"$arg")") ;;
    *) run_args+=("$arg") ;;
  esac
done
start_closewise image "$CLOSEWISE" "${run_args[@]}"
healthcheck=("${check[@]//\/$admin_port/\/$image_admin}")
timeout 5 "${healthcheck[@]}" || fail "HEALTHCHECK failed against a running closewise"
kill -KILL "$image_pid"
wait "$image_pid" 2>/dev/null || true
! timeout 5 "${healthcheck[@]}" 2>/dev/null || fail "HEALTHCHECK passed with the server gone"
echo "PASS: the context keeps out build/ and .git and keeps every tracked file; EXPOSE $exposed;" \
  "HEALTHCHECK passes against the image's command line and fails without a server"
