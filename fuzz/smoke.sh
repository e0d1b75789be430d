#!/bin/sh
# Runs a libFuzzer binary for a bounded time over a seed corpus; exits non-zero on a crash or an
# oracle abort. Builds nothing.
#
#   fuzz/smoke.sh BINARY [CORPUS_DIR] [REGRESSIONS_DIR]
#
# The committed corpus is only read: new inputs go to a temporary directory (libFuzzer writes into
# the first corpus directory it is given), and so do crash artifacts, whose path is printed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
fuzzer=${1:?usage: smoke.sh FUZZER_BINARY [CORPUS_DIR] [REGRESSIONS_DIR]}
corpus=${2:-$here/corpus/stream_decoder}
regressions=${3:-$here/regressions}
max_time=${FUZZ_SMOKE_SECONDS:-10}
runs=${FUZZ_SMOKE_RUNS:-1000000}

work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_smoke.XXXXXX")
keep=0
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT

# Every saved regression input once (libFuzzer runs files given by name exactly once each).
set -- $(find "$regressions" -type f ! -name '*.md' ! -name '.*' 2>/dev/null | sort)
if [ $# -gt 0 ]; then
  if ! "$fuzzer" -artifact_prefix="$work/" "$@"; then
    keep=1
    echo "fuzz_smoke: a regression input fails; artifacts in $work" >&2
    exit 1
  fi
fi

mkdir "$work/new"
# libFuzzer's progress lines go to a log, shown only when something is found.
if ! "$fuzzer" -max_total_time="$max_time" -runs="$runs" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/" "$work/new" "$corpus" \
    >"$work/fuzz.log" 2>&1; then
  keep=1
  tail -n 60 "$work/fuzz.log" >&2
  echo "fuzz_smoke: the fuzzer found a crash; artifacts and fuzz.log in $work" >&2
  exit 1
fi
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$work/fuzz.log"
echo "fuzz_smoke: no crash"
