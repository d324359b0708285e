#!/usr/bin/env bash
# One behaviour: the command line each shipped deploy file gives closewise (the systemd unit's
# ExecStart, the Dockerfile's ENTRYPOINT + CMD, the Kubernetes container's args) is accepted by
# the real binary, serves, and serves none of the demo routes.
#
# The arguments are read from the files as their programs read them (deploy_args.py) and run
# unchanged but for three things a test must change: every address becomes loopback port 0
# (0.0.0.0 -> 127.0.0.1, [::] -> [::1]), and the Kubernetes Secret's token file becomes a file
# made here. So a flag that does not parse, a drain delay the binary refuses, or a demo route left
# on (/delay holds a request for minutes, /bytes answers with up to 1 GiB) fails this test.
#
#   shipped_command_lines.sh /path/to/closewise /path/to/deploy
source "$(dirname "$0")/lib.sh"
CLOSEWISE=${1:?usage: shipped_command_lines.sh /path/to/closewise /path/to/deploy}
DEPLOY=${2:?usage: shipped_command_lines.sh /path/to/closewise /path/to/deploy}
ARGS_READER="$(dirname "$0")/deploy_args.py"
TOKEN=shipped-command-lines-test
echo "$TOKEN" >"$WORK/admin-token"

# loopback ADDRESS: the same address family on loopback, port 0.
loopback() {
  case "$1" in
    \[*) echo '[::1]:0' ;;
    *) echo '127.0.0.1:0' ;;
  esac
}

# test_args KIND FILE: prints the file's arguments, one per line, rewritten for this test.
test_args() {
  local pending=""
  local arg
  while IFS= read -r arg; do
    if [ -n "$pending" ]; then
      case "$pending" in
        --admin-token-file) echo "$WORK/admin-token" ;;
        *) [ "$arg" = off ] && echo off || loopback "$arg" ;;
      esac
      pending=""
      continue
    fi
    case "$arg" in
      --listen | --admin | --admin-token-file) echo "$arg"; pending=$arg ;;
      --listen=* | --admin=*) echo "${arg%%=*}=$(loopback "${arg#*=}")" ;;
      --admin-token-file=*) echo "--admin-token-file=$WORK/admin-token" ;;
      *) echo "$arg" ;;
    esac
  done < <(/usr/bin/python3 "$ARGS_READER" "$1" "$2" || fail "cannot read the arguments of $2")
}

# status URL [CURL ARGS...]: the HTTP status code, 000 when nothing answered.
status() {
  curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true
}

checked=0
for entry in systemd:systemd/closewise.service docker:Dockerfile \
  kubernetes:kubernetes/closewise.yaml; do
  kind=${entry%%:*}
  file="$DEPLOY/${entry#*:}"
  mapfile -t args < <(test_args "$kind" "$file")
  [ "${#args[@]}" -gt 0 ] || fail "$file: no arguments found"
  echo "$kind: closewise ${args[*]}"
  start_closewise "$kind" "$CLOSEWISE" "${args[@]}"
  admin_var="${kind}_admin" pid_var="${kind}_pid"
  admin="http://127.0.0.1:${!admin_var}"
  # Every public address the line binds (the systemd unit's IPv6 one too), from the start-up line.
  mapfile -t addresses < <(grep 'listening on' "$WORK/$kind.log" | tail -1 |
    sed -E 's/.*listening on (.*) \(workers.*/\1/' | tr ',' '\n' | tr -d ' ')
  [ "${#addresses[@]}" = "$(grep -cE '^--listen' <(printf '%s\n' "${args[@]}"))" ] ||
    fail "$kind: closewise listens on ${addresses[*]}, not on every --listen"

  [ "$(status "$admin/healthz")" = 200 ] || fail "$kind: /healthz on the admin listener"
  for address in "${addresses[@]}"; do
    for path in / /echo '/delay?ms=0' '/bytes?n=1' '/stream?chunks=1&ms=1'; do
      code=$(status "http://$address$path")
      [ "$code" = 404 ] ||
        fail "$kind: GET $path on $address answered $code: $file leaves the demo routes on"
    done
  done
  # Where the file names a token file, the token in it is the one the admin routes ask for.
  if grep -q -- '--admin-token-file' <<<"${args[*]}"; then
    [ "$(status "$admin/stats")" = 401 ] || fail "$kind: /stats answered without the token"
    [ "$(status "$admin/stats" -H "Authorization: Bearer $TOKEN")" = 200 ] ||
      fail "$kind: /stats refused the token from --admin-token-file"
  fi
  kill -KILL "${!pid_var}"
  wait "${!pid_var}" 2>/dev/null || true
  checked=$((checked + 1))
done
echo "PASS: $checked shipped command lines start, answer /healthz and serve no demo route"
