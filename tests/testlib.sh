# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# testlib.sh: what the shell tests share. Source it with the test's short
# name, after SRC is set:  . "$SRC/tests/testlib.sh" NAME
# It makes a temporary folder $T (removed on exit unless KEEP is set) and counts checks with
# ok/fail; the test ends with testlib_end, which fails if any check did.
T=$(mktemp -d "/tmp/shuzi-$1-XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails+1)); }
ok() { echo "ok: $*"; }
testlib_end() {
  if [ "$fails" -eq 0 ]; then echo "all passed"; else echo "$fails failed"; exit 1; fi
}

# testlib_fresh_install PREFIX: copies the sources (tracked and new files, no
# build folders), configures them with CMAKE_INSTALL_PREFIX=PREFIX and no
# tests, builds the command and the library, installs, then deletes the copy
# and its build, so what follows sees only the prefix. Ends the test on a
# failure (with the log's tail). $SHUZI_INSTALL_JOBS sets the build's jobs.
testlib_fresh_install() {
  local p=$1 jobs=${SHUZI_INSTALL_JOBS:-2}
  mkdir -p "$T/src"
  if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$SRC" && git ls-files -co --exclude-standard -z |
       while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done |
       tar --null -T - -cf - | tar -C "$T/src" -xf -)
  else
    tar -C "$SRC" --exclude='./build*' --exclude=./out --exclude=./.git -cf - . | tar -C "$T/src" -xf -
  fi
  [ -f "$T/src/CMakeLists.txt" ] || { fail "copy of the sources"; testlib_end; }
  if ! cmake -S "$T/src" -B "$T/build" -DCMAKE_INSTALL_PREFIX="$p" -DBUILD_TESTING=OFF >"$T/configure.log" 2>&1; then
    tail -20 "$T/configure.log"; fail "configure"; testlib_end
  fi
  if ! cmake --build "$T/build" -j"$jobs" --target shuzi shuzi_shared >"$T/build.log" 2>&1; then
    tail -30 "$T/build.log"; fail "build"; testlib_end
  fi
  if ! cmake --install "$T/build" >"$T/install.log" 2>&1; then
    tail -20 "$T/install.log"; fail "cmake --install"; testlib_end
  fi
  rm -rf "$T/src" "$T/build"   # from here on the build's own source tree is gone
}
