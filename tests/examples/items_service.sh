#!/usr/bin/env bash
# One behaviour: a service builds on the installed closewise package alone and serves.
#
# closewise's build is installed into a fresh prefix; examples/items-service is configured with
# only that prefix to find closewise in, its compile commands are checked to name no header
# folder of the source tree, and it is built. Two copies then run: "backend", and "front" whose
# upstream named backend is the first. items_service_client.py uses them over HTTP (curl
# before it, as a first client), and SIGTERM must end each with exit status 0 after its drain.
#
# The example is configured as a user would, with the compiler, generator and launcher (ccache)
# of closewise's own build taken from the environment (CXX, CMAKE_GENERATOR,
# CMAKE_CXX_COMPILER_LAUNCHER), which tests/examples/CMakeLists.txt sets.
#
#   items_service.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/../deploy/lib.sh"
SOURCE=$(realpath "${1:?usage: items_service.sh SOURCE_DIR BUILD_DIR}")
BUILD=$(realpath "${2:?usage: items_service.sh SOURCE_DIR BUILD_DIR}")

# Under the build directory, so a CI clone needs nothing outside it. The prefix is fresh on every
# run, so a header dropped from the install fails here instead of being found left over from an
# earlier run; the example's build directory is kept (its object files stay valid), but its
# package lookup is redone each time.
PREFIX=$BUILD/examples/prefix
EXAMPLE_BUILD=$BUILD/examples/items-service
rm -rf "$PREFIX"
cmake --install "$BUILD" --prefix "$PREFIX" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log" >&2; fail "cmake --install into $PREFIX failed"; }

# The package is relocatable: no installed CMake file or header names the tree it came from.
if grep -rlF -e "$SOURCE" -e "$BUILD" "$PREFIX/lib/cmake" "$PREFIX/include"; then
  fail "the files above name the source or build tree"
fi

rm -f "$EXAMPLE_BUILD/CMakeCache.txt"
cmake -S "$SOURCE/examples/items-service" -B "$EXAMPLE_BUILD" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$WORK/configure.log" 2>&1 ||
  { cat "$WORK/configure.log" >&2; fail "configuring the example failed"; }
found=$(sed -n 's/^closewise_DIR:PATH=//p' "$EXAMPLE_BUILD/CMakeCache.txt")
[ "$found" = "$PREFIX/lib/cmake/closewise" ] || fail "closewise was found in '$found', not in $PREFIX"

# Every include folder of the compile is the prefix's or the system's, never the source tree's
# (the prefix sits under the build directory, which may itself sit in the source tree).
mapfile -t includes < <(grep -oE -- '(-I|-isystem )[^ "]+' "$EXAMPLE_BUILD/compile_commands.json" |
  sed -E 's/^(-I|-isystem )//' | sort -u)
[ "${#includes[@]}" -gt 0 ] || fail "no include folder in the example's compile commands"
for dir in "${includes[@]}"; do
  dir=$(cd "$EXAMPLE_BUILD" && realpath -m -- "$dir")
  case "$dir" in
    "$PREFIX"/*) ;;
    "$SOURCE" | "$SOURCE"/*) fail "the example compiles with the source tree's $dir" ;;
  esac
done

cmake --build "$EXAMPLE_BUILD" >"$WORK/build.log" 2>&1 ||
  { cat "$WORK/build.log" >&2; fail "building the example against $PREFIX failed"; }
SERVICE=$EXAMPLE_BUILD/items-service

# A directory that is not there stops the service at start, with its name.
if ITEMS_UPLOAD_DIR=$WORK/none timeout 10 "$SERVICE" --listen 127.0.0.1:0 2>"$WORK/bad-dir.log"; then
  fail "items-service started with ITEMS_UPLOAD_DIR=$WORK/none"
fi
grep -q "ITEMS_UPLOAD_DIR=$WORK/none is not a directory" "$WORK/bad-dir.log" ||
  fail "a missing upload directory was not named: $(cat "$WORK/bad-dir.log")"

UPLOADS=$WORK/uploads
mkdir -p "$UPLOADS"
# Uploads are bounded by --max-body-bytes as any body is (16 MiB here; 1 MiB by default).
ITEMS_UPLOAD_DIR=$UPLOADS start_closewise backend "$SERVICE" --listen 127.0.0.1:0 \
  --admin 127.0.0.1:0 --max-body-bytes 16MiB
start_closewise front "$SERVICE" --listen 127.0.0.1:0 --admin 127.0.0.1:0 \
  --upstream "backend=http://127.0.0.1:$backend_port"

# curl first: a create and a read, as a person tries a service out.
created=$(curl -sS --max-time 5 -H 'Content-Type: application/json' -d '{"name":"first"}' \
  -w ' %{http_code}' "http://127.0.0.1:$backend_port/items") || fail "curl POST /items failed"
[ "${created##* }" = 201 ] || fail "curl POST /items answered '$created', not 201"
id=$(sed -nE 's/.*"id":([0-9]+).*/\1/p' <<<"$created")
[ -n "$id" ] || fail "curl POST /items answered '$created', with no id"
read_back=$(curl -sS --max-time 5 -w ' %{http_code}' "http://127.0.0.1:$backend_port/items/$id")
[ "${read_back##* }" = 200 ] && grep -q '"name":"first"' <<<"$read_back" ||
  fail "curl GET /items/$id answered '$read_back'"

/usr/bin/python3 "$(dirname "$0")/items_service_client.py" "$backend_port" "$front_port" "$UPLOADS" ||
  fail "items_service_client.py failed (logs: $(cat "$WORK/backend.log" "$WORK/front.log"))"

# The request-log middleware wrote one line per exchange as it ended: the router's 404 included,
# an X-Request-Id taken as sent, and the clients that left mid-upload with nothing answered.
curl -sS --max-time 5 -o /dev/null -H 'X-Request-Id: trace-7f3a' \
  "http://127.0.0.1:$backend_port/items" || fail "curl GET /items with X-Request-Id failed"
logged() { grep -qE "items: $1" "$WORK/backend.log"; }
wait_for 5 logged 'GET /items status=200 bytes=[0-9]+ ms=[0-9.]+ complete=true id=trace-7f3a' ||
  fail "no request-log line for GET /items with its X-Request-Id"
for line in 'GET /items/[0-9]+/x status=404 .*complete=true' \
  'POST /uploads status=201 .*complete=true' 'POST /uploads status=413 ' \
  'POST /uploads status=0 .*complete=false'; do
  logged "$line" || fail "no request-log line matching '$line' in $WORK/backend.log"
done

# SIGTERM drains and exits 0; a crash, a sanitizer report or a hang fails here. Our own child
# stays a zombie until waited for, so "exited" is read from its state, then wait gives the status.
exited() {
  local state
  state=$(ps -o stat= -p "$1") || return 0
  [[ $state == Z* ]]
}
for name in front backend; do
  pid_var=${name}_pid
  pid=${!pid_var}
  kill -TERM "$pid"
  wait_for 20 exited "$pid" || fail "$name did not exit within 20 s of SIGTERM"
  status=0
  wait "$pid" || status=$?
  [ "$status" = 0 ] || { cat "$WORK/$name.log" >&2; fail "$name exited with $status after SIGTERM"; }
done
echo "PASS: items-service builds against $PREFIX alone, serves its API and drains on SIGTERM"
