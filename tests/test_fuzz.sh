#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_fuzz.sh: every fuzz target (fuzz/fuzz_*.c), built with clang, the
# library instrumented (libFuzzer coverage, ASan, UBSan), run from its seed
# corpus for a bounded time each (SHUZI_FUZZ_SECONDS, default 12) by
# tools/fuzz.sh. Any crash, leak, hang (> 10 s per input) or out-of-memory
# (> 1 GB) fails the test.
set -u
SRC=${SHUZI_SOURCE_DIR:?}
BUILD=${SHUZI_BUILD_DIR:?}/fuzz-build
exec bash "$SRC/tools/fuzz.sh" -t "${SHUZI_FUZZ_SECONDS:-12}" -b "$BUILD"
