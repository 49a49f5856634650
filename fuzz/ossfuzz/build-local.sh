#!/usr/bin/env bash
# Builds referee's libFuzzer binaries on this machine exactly as
# .clusterfuzzlite/build.sh builds them in the OSS-Fuzz builder, and runs
# each for a while: the local proof that the ClusterFuzzLite / OSS-Fuzz
# build works, without Docker or CI.
#
#   fuzz/ossfuzz/build-local.sh [-t SECONDS] [-o DIR] [TARGET...]
#
#   -t SECONDS  run each binary this long (default 30; 0: build only)
#   -o DIR      keep binaries, corpora, logs and crashes in DIR (default: a
#               new directory under /tmp, printed at the end)
#   TARGET      only these (binary names, e.g. wasm_decode; default: all)
#
# Needs Go (go.mod's version), clang with libFuzzer (Debian: apt-get
# install clang; the script installs it when missing and run as root), and
# the Go module proxy for go-118-fuzz-build. It builds in a copy of the
# tree, because go-118-fuzz-build and the bundling rewrite test files.
# Prints one line per target (built, ran N s, executions, crash or not)
# and exits 1 if any target failed to build or crashed. Each binary runs
# from its package's directory, as go test runs the target.
set -euo pipefail

secs=30
outdir=""
while getopts "t:o:" opt; do
  case $opt in
    t) secs=$OPTARG ;;
    o) outdir=$OPTARG ;;
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
only=" $* "

root=$(cd "$(dirname "$0")/../.." && pwd)
GO118FUZZBUILD=v0.0.0-20250520111509-a70c2aa677fa # the version .clusterfuzzlite/build.sh pins

if ! command -v clang >/dev/null || ! command -v clang++ >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "build-local.sh: installing clang (apt-get install -y clang)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null
  else
    echo "build-local.sh: clang not found: apt-get install clang (libFuzzer comes with it)" >&2
    exit 2
  fi
fi

work=${outdir:-$(mktemp -d /tmp/referee-ossfuzz.XXXXXX)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
export SRC=$work/src OUT=$work/out
rm -rf "$SRC" && mkdir -p "$SRC/referee" "$OUT" "$work/bin" "$work/corpus" "$work/crashes" "$work/logs"
# The tree as it is (uncommitted changes included), without .git.
tar -C "$root" --exclude=./.git -cf - . | tar -C "$SRC/referee" -xf -

GOBIN=$work/bin go install "github.com/AdamKorcz/go-118-fuzz-build@$GO118FUZZBUILD"
export PATH=$work/bin:$root/fuzz/ossfuzz:$PATH
export CXX=${CXX:-clang++} CXXFLAGS=${CXXFLAGS:-} LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer} SANITIZER=${SANITIZER:-address}
export GO118FUZZBUILD CGO_ENABLED=1

echo "build-local.sh: building in $SRC/referee"
if ! bash "$SRC/referee/.clusterfuzzlite/build.sh" > "$work/logs/build.log" 2>&1; then
  tail -20 "$work/logs/build.log" >&2
  echo "build-local.sh: build.sh failed (log: $work/logs/build.log)" >&2
  exit 1
fi
grep '^build.sh:' "$work/logs/build.log" || true

# The tool that lists targets and unpacks seeds, built from the copy.
tool=$work/bin/ossfuzz
(cd "$SRC/referee" && go build -o "$tool" ./fuzz/ossfuzz/cmd/ossfuzz)

status=0
printf '%-28s %-8s %8s %12s  %s\n' target built seconds executions result
while read -r dir fn bin params; do
  if [ "$only" != "  " ] && [[ "$only" != *" $bin "* ]]; then
    continue
  fi
  if [ ! -x "$OUT/$bin" ]; then
    if grep -q "skipping $fn " "$work/logs/build.log"; then
      printf '%-28s %-8s %8s %12s  %s\n' "$bin" skipped - - "needs cgo (wasmtime-go), not linked"
    else
      printf '%-28s %-8s %8s %12s  %s\n' "$bin" FAILED - - "not built (see $work/logs/build.log)"
      status=1
    fi
    continue
  fi
  if [ "$secs" = 0 ]; then
    printf '%-28s %-8s %8s %12s  %s\n' "$bin" yes - - "not run"
    continue
  fi
  corpus=$work/corpus/$bin
  mkdir -p "$corpus"
  (cd "$SRC/referee" && "$tool" seeds -d "$corpus" "$dir" "$fn" >/dev/null)
  log=$work/logs/$bin.log
  set +e
  # From the package's directory, as go test runs a target: some read
  # files of the tree at fuzz time (FuzzRestore: ../testdata/snapshot).
  (cd "$SRC/referee/$dir" && "$OUT/$bin" -max_total_time="$secs" -dict="$OUT/$bin.dict" \
    -artifact_prefix="$work/crashes/$bin-" -print_final_stats=1 "$corpus") > "$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'Done [0-9]* runs' "$log" | awk '{print $2}' | tail -1 || true)
  ran=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}' | tail -1 || true)
  crash=$(ls "$work/crashes/$bin-"* 2>/dev/null | head -1 || true)
  if [ $rc -eq 0 ] && [ -z "$crash" ]; then
    printf '%-28s %-8s %8s %12s  %s\n' "$bin" yes "$secs" "${runs:-${ran:-?}}" "no crash"
  else
    printf '%-28s %-8s %8s %12s  %s\n' "$bin" yes "$secs" "${runs:-${ran:-?}}" "CRASH (exit $rc): ${crash:-see $log}"
    status=1
  fi
done < <(cd "$SRC/referee" && "$tool" targets)
echo "build-local.sh: binaries in $OUT, logs in $work/logs, crashes in $work/crashes"
exit $status
