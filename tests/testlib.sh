# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# testlib.sh: what the shell tests share. Source it with the test's short
# name, after SRC is set:  . "$SRC/tests/testlib.sh" NAME
# It makes a temporary folder $T (removed on exit) and counts checks with
# ok/fail; the test ends with testlib_end, which fails if any check did.
T=$(mktemp -d "/tmp/shuzi-$1-XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails+1)); }
ok() { echo "ok: $*"; }
testlib_end() {
  if [ "$fails" -eq 0 ]; then echo "all passed"; else echo "$fails failed"; exit 1; fi
}
