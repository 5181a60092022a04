#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_fuzz.sh: builds every fuzz/fuzz_*.c with clang + libFuzzer + ASan/UBSan
# and runs each for a bounded time (SHUZI_FUZZ_SECONDS, default 12) from its
# seed corpus (fuzz/corpus/<name>/ if present). Any crash, leak, hang
# (> 10 s per input) or out-of-memory (> 1 GB) fails the test.
set -u
SRC=${SHUZI_SOURCE_DIR:?}
BUILD=${SHUZI_BUILD_DIR:?}/fuzz-build
SECONDS_EACH=${SHUZI_FUZZ_SECONDS:-12}
if ! command -v clang >/dev/null; then
  echo "SKIP: clang is not installed (./setup.sh installs it)"; exit 77
fi
CC=clang cmake -S "$SRC" -B "$BUILD" -DSHUZI_FUZZ=ON -DSHUZI_WERROR=OFF -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" >/dev/null || exit 1
targets=$(cd "$SRC/fuzz" && ls fuzz_*.c 2>/dev/null | sed 's/\.c$//')
[ -n "$targets" ] || { echo "no fuzz targets"; exit 1; }
# shellcheck disable=SC2086
cmake --build "$BUILD" -j2 --target $targets >/dev/null || { echo "FAIL: fuzz build"; exit 1; }
fails=0
for t in $targets; do
  work=$(mktemp -d /tmp/shuzi-fuzz-XXXXXX)
  corpus="$work/corpus"; mkdir -p "$corpus"
  [ -d "$SRC/fuzz/corpus/$t" ] && cp -r "$SRC/fuzz/corpus/$t/." "$corpus/"
  dict=""; [ -f "$SRC/fuzz/$t.dict" ] && dict="-dict=$SRC/fuzz/$t.dict"
  # shellcheck disable=SC2086
  "$BUILD/$t" "$corpus" $dict -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=1024 \
    -max_len=65536 -artifact_prefix="$work/" >"$work/log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/log" | awk '{print $2}')
  [ -z "$runs" ] && runs=$(grep -oE '#[0-9]+' "$work/log" | tail -1 | tr -d '#')
  if [ $rc -ne 0 ]; then
    echo "FAIL: $t (exit $rc)"; tail -40 "$work/log"; fails=$((fails+1))
  else
    echo "ok: $t: ${runs:-?} executions in ${SECONDS_EACH} s, no crash"
  fi
  rm -rf "$work"
done
[ $fails -eq 0 ]
