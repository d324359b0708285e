#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time from its seed corpus; exits non-zero when it finds
# an input that crashes or breaks an invariant, and says how to keep that input.
#
#   fuzz/run.sh BINARY SEEDS DICTIONARY WORKDIR
#
#   FUZZ_SECONDS       how long to fuzz (default 15: the short run of make test)
#   FUZZ_KEEP_CORPUS   1: keep the inputs found in WORKDIR/corpus and start from them next time
#                      (make fuzz); otherwise they go to a temporary directory removed at the end.
#                      SEEDS is only read, never written.
#
# A failing input is saved in WORKDIR/crashes/ whatever the mode.
set -euo pipefail

if [ $# -ne 4 ]; then
  echo "usage: $0 BINARY SEEDS DICTIONARY WORKDIR" >&2
  exit 2
fi
binary=$1 seeds=$2 dictionary=$3 workdir=$4
seconds=${FUZZ_SECONDS:-15}
case "$seconds" in
  ''|*[!0-9]*) echo "run.sh: FUZZ_SECONDS must be a whole number of seconds, not '$seconds'" >&2; exit 2 ;;
esac

crashes=$workdir/crashes
mkdir -p "$crashes"
if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
  corpus=$workdir/corpus
  mkdir -p "$corpus"
else
  corpus=$(mktemp -d)
  trap 'rm -rf "$corpus"' EXIT
fi

# libFuzzer writes new inputs to the first corpus directory and only reads the others.
# -timeout: no single input may take this long; the parser handles a few KiB in microseconds.
status=0
"$binary" -max_total_time="$seconds" -timeout=10 -dict="$dictionary" \
  -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" "$seeds" || status=$?

name=$(basename "$binary")
if [ "$status" -ne 0 ]; then
  found=$(ls -t "$crashes" 2>/dev/null | grep -v '\.min$' | head -n 1 || true)
  input=${found:+$crashes/$found}
  cat >&2 <<EOF

$name failed (exit $status)${input:+ on $input}.
  reproduce:  $binary ${input:-CRASH_FILE}
  minimise:   $binary -minimize_crash=1 -max_total_time=60 \\
                -exact_artifact_path=${input:-CRASH_FILE}.min ${input:-CRASH_FILE}
  keep it:    fix the bug, copy the minimised input to $seeds/ under a name that says what it
              is, and turn it into a test in tests/protocol (fuzz/README.md).
EOF
  exit "$status"
fi

if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
  cat <<EOF

$name: $(ls "$corpus" | wc -l) inputs kept in $corpus.
  To add the ones that reach code the seed corpus does not:
    $binary -merge=1 $seeds $corpus
EOF
fi
