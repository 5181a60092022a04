#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_sanitized.sh: the test suite again, built with AddressSanitizer and
# UBSan (SHUZI_SANITIZE; any UB or leak fails), for CI after ./test.sh.
# Left out: test_fuzz (it builds its own sanitized, instrumented tree),
# test_install and test_python (fresh copies of the plain build), and the
# training scripts (Python). LeakSanitizer ignores only what SDL, D-Bus and
# fontconfig keep for the process (tests/lsan.supp).
#   tools/test_sanitized.sh [ctest options]
set -eu
cd "$(dirname "$0")/.."
./setup.sh >/dev/null
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHUZI_SANITIZE=ON -DSHUZI_WERROR=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd build-asan
ctest --output-on-failure -j2 -E '^(test_fuzz|test_install|test_python|test_train_.*)$' "$@"
