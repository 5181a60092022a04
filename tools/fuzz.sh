#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# fuzz.sh: builds the libFuzzer targets (fuzz/fuzz_*.c) with clang, the
# whole library instrumented (SHUZI_FUZZ: coverage, ASan, UBSan), and runs
# each from its seed corpus (fuzz/corpus/NAME/, plus fuzz/NAME.dict) for a
# given time. Prints, per target, the executions, the edges covered and the
# findings (crash, leak, hang over 10 s, more than 1 GB); exits 1 if any.
# A finding's input is kept under the work folder it names: add it to
# fuzz/corpus/NAME/ with the fix, as its regression input.
#   tools/fuzz.sh [-t SECONDS] [-b BUILD_DIR] [-j JOBS] [TARGET...]
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
SECS=60 BUILD="$SRC/build-fuzz" JOBS=2
while getopts "t:b:j:h" o; do
  case $o in
    t) SECS=$OPTARG ;;
    b) BUILD=$OPTARG ;;
    j) JOBS=$OPTARG ;;
    *) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
case $SECS in ''|*[!0-9]*) echo "fuzz.sh: -t takes whole seconds" >&2; exit 2 ;; esac
command -v clang >/dev/null || { echo "fuzz.sh: clang is not installed (./setup.sh installs it)" >&2; exit 77; }
targets=${*:-$(cd "$SRC/fuzz" && ls fuzz_*.c 2>/dev/null | sed 's/\.c$//')}
[ -n "$targets" ] || { echo "fuzz.sh: no fuzz targets" >&2; exit 1; }
mkdir -p "$BUILD"
CC=clang cmake -S "$SRC" -B "$BUILD" -DSHUZI_FUZZ=ON -DSHUZI_WERROR=OFF -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/fuzz-configure.log" 2>&1 ||
  { tail -20 "$BUILD/fuzz-configure.log"; echo "fuzz.sh: configure failed" >&2; exit 1; }
# shellcheck disable=SC2086
cmake --build "$BUILD" -j"$JOBS" --target $targets >"$BUILD/fuzz-build.log" 2>&1 ||
  { tail -30 "$BUILD/fuzz-build.log"; echo "fuzz.sh: build failed" >&2; exit 1; }
fails=0
printf '%-24s %12s %8s %8s  %s\n' target executions edges corpus findings
for t in $targets; do
  work=$(mktemp -d "/tmp/shuzi-$t-XXXXXX")
  corpus="$work/corpus"; mkdir -p "$corpus"
  [ -d "$SRC/fuzz/corpus/$t" ] && cp -r "$SRC/fuzz/corpus/$t/." "$corpus/"
  dict=""; [ -f "$SRC/fuzz/$t.dict" ] && dict="-dict=$SRC/fuzz/$t.dict"
  # shellcheck disable=SC2086
  "$BUILD/$t" "$corpus" $dict -max_total_time="$SECS" -timeout=10 -rss_limit_mb=1024 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/" >"$work/log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/log" | awk '{print $2}')
  cov=$(grep -oE 'cov: [0-9]+' "$work/log" | tail -1 | awk '{print $2}')
  files=$(grep -oE 'corp: [0-9]+' "$work/log" | tail -1 | awk '{print $2}')
  if [ $rc -ne 0 ]; then
    found=$(ls "$work" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | head -3 | tr '\n' ' ')
    printf '%-24s %12s %8s %8s  %s\n' "$t" "${runs:-?}" "${cov:-?}" "${files:-?}" \
      "FOUND (exit $rc): ${found:-see log} in $work"
    tail -40 "$work/log"
    fails=$((fails + 1))
  else
    printf '%-24s %12s %8s %8s  %s\n' "$t" "${runs:-?}" "${cov:-?}" "${files:-?}" none
    rm -rf "$work"
  fi
done
[ $fails -eq 0 ] || exit 1
