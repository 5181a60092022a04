#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_install.sh: what `cmake --install` gives a user, without the source
# tree: a fresh build of a copy of the sources into a temporary prefix; a C
# program built with `pkg-config --cflags --libs shuzi` renders a WAV and an
# MP4 through the public API with the assets of the prefix (the copy of the
# sources is deleted first, SHUZI_ASSETS_DIR is unset and strace shows no
# file opened outside the prefix's assets); the installed `shuzi` command
# lists its voices and avatars; a find_package(shuzi) project builds and runs.
set -u
SRC=${SHUZI_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$SRC/tests/testlib.sh" install

for tool in cmake pkg-config cc ffprobe; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not found (./setup.sh installs it)"; exit 77; }
done
unset SHUZI_ASSETS_DIR
P="$T/prefix"
start=$(date +%s)

# 1. A copy of the sources (tracked and new files, no build folders), then a
# fresh configure, the command and the library only, and the install.
testlib_fresh_install "$P"
ok "fresh build and install in $(( $(date +%s) - start )) s"

# 2. What was installed.
[ -x "$P/bin/shuzi" ] && ok "bin/shuzi" || fail "no $P/bin/shuzi"
[ "$(ls "$P/include")" = "shuzi.h" ] && ok "include/ holds shuzi.h only" || fail "include/: $(ls "$P/include")"
for f in voices/kathleen.safetensors models/face/face_detection_short_range.tflite avatars/presenter/avatar.json; do
  [ -f "$P/share/shuzi/$f" ] || fail "share/shuzi/$f missing"
done
lib=$(ls "$P"/lib*/libshuzi.so.*.*.* 2>/dev/null | head -1)
libdir=$(dirname "${lib:-$P/lib/x}")
soname=$(objdump -p "$lib" 2>/dev/null | awk '/SONAME/ {print $2}')
ver=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --modversion shuzi)
hver=$(sed -n 's/^#define SZ_VERSION_\(MAJOR\|MINOR\|PATCH\) *\([0-9]*\).*/\2/p' "$SRC/include/shuzi.h" | paste -sd.)
if [ "${ver%%.*}" = 0 ]; then want=libshuzi.so.$(echo "$ver" | cut -d. -f1-2); else want=libshuzi.so.${ver%%.*}; fi
[ -n "$lib" ] && [ "$soname" = "$want" ] && ok "$(basename "$lib"), SONAME $soname" || fail "library '$lib' SONAME '$soname' (version $ver)"
[ "$ver" = "$hver" ] && ok "shuzi.pc version $ver = shuzi.h's" || fail "shuzi.pc version '$ver', shuzi.h '$hver'"
other=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ && $3 !~ /^sz_/ {print $3}' | head -5)
[ -z "$other" ] && ok "exports only sz_* symbols" || fail "exports non-sz_ symbols: $other"

# 3. A C program through pkg-config: a WAV and an MP4, assets from the prefix.
cat >"$T/render.c" <<'C'
#include <stdio.h>
#include <shuzi.h>
static int first(const sz_avatar_info *a, void *u) { printf("avatar %s\n", a->path); (void)u; return 1; }
int main(int argc, char **argv)
{
    sz_engine *e = NULL; sz_session *s = NULL;
    if (argc != 3 || sz_engine_create(sz_engine_default_params(), &e) != SZ_OK) return 1;
    sz_engine_list_avatars(e, first, NULL);
    sz_session_params sp = sz_session_default_params();
    sp.voice = "espeak:en-us"; sp.width = 320; sp.height = 180;
    int err = sz_session_create(e, sp, &s);
    if (err == SZ_OK) err = sz_session_add_output(s, argv[1], NULL);
    if (err == SZ_OK) err = sz_session_add_output(s, argv[2], NULL);
    if (err == SZ_OK) err = sz_session_start(s);
    if (err == SZ_OK) err = sz_session_say(s, "Hello from the installed library.", 0);
    if (s) { int f = sz_session_finish(s); if (err == SZ_OK) err = f; }
    if (err != SZ_OK) fprintf(stderr, "render: %s: %s\n", sz_strerror(err), s ? sz_session_last_error(s) : sz_engine_last_error(e));
    sz_session_free(&s); sz_engine_free(&e);
    return err == SZ_OK ? 0 : 1;
}
C
# shellcheck disable=SC2046
if cc -Wall -Werror -o "$T/render" "$T/render.c" $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs shuzi) 2>"$T/cc.log"; then
  ok "compiled with pkg-config --cflags --libs shuzi"
else
  cat "$T/cc.log"; fail "compile with pkg-config"
fi
cd "$T" || exit 1
run=(env -u SHUZI_ASSETS_DIR LD_LIBRARY_PATH="$libdir")
if command -v strace >/dev/null; then run+=(strace -f -qq -e "trace=openat,stat,newfstatat" -o "$T/trace"); fi
if "${run[@]}" ./render "$T/a.wav" "$T/a.mp4" >"$T/render.out" 2>"$T/render.err"; then
  ok "render: $(cat "$T/render.out")"
else
  tail -5 "$T/render.err"; fail "render exit code"
fi
grep -q "^avatar $P/share/shuzi/avatars/" "$T/render.out" && ok "avatars listed from the prefix" \
  || fail "avatars not from the prefix: $(cat "$T/render.out")"
if [ -f "$T/trace" ]; then
  grep -q "\"$P/share/shuzi/" "$T/trace" && ok "strace: assets opened in $P/share/shuzi" || fail "strace: nothing opened in the prefix's assets"
  outside=$(grep -o '"[^"]*/\(assets\|share/shuzi\)/[^"]*"' "$T/trace" | grep -v "^\"$P/share/shuzi/" | sort -u | head -3)
  [ -z "$outside" ] && ok "strace: no assets opened elsewhere" || fail "strace: assets opened outside the prefix: $outside"
  ! grep -q "\"$SRC/" "$T/trace" && ok "strace: nothing opened in the source tree" || fail "strace: the source tree was opened"
fi
for f in a.wav a.mp4; do
  d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/$f" 2>/dev/null)
  awk -v d="${d:-0}" 'BEGIN { exit !(d > 0.5) }' && ok "$f: $d s" || fail "$f: duration '${d}'"
done
size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$T/a.mp4" 2>/dev/null)
[ "$size" = "320,180" ] && ok "a.mp4 video 320x180" || fail "a.mp4 video size '$size'"

# 4. The installed command finds the prefix's assets by itself.
env -u SHUZI_ASSETS_DIR "$P/bin/shuzi" voices >"$T/voices.out" 2>&1 && grep -q kathleen "$T/voices.out" \
  && ok "bin/shuzi voices lists kathleen" || fail "bin/shuzi voices: $(head -c 300 "$T/voices.out")"
env -u SHUZI_ASSETS_DIR "$P/bin/shuzi" avatars >"$T/avatars.out" 2>&1 && grep -q presenter "$T/avatars.out" \
  && ok "bin/shuzi avatars lists presenter" || fail "bin/shuzi avatars: $(head -c 300 "$T/avatars.out")"
if command -v strace >/dev/null; then
  env -u SHUZI_ASSETS_DIR strace -f -qq -e trace=openat -o "$T/trace2" "$P/bin/shuzi" avatars >/dev/null 2>&1
  grep -q "\"$P/share/shuzi/avatars/presenter/" "$T/trace2" && ! grep -q "\"$SRC/" "$T/trace2" \
    && ok "strace: bin/shuzi reads the prefix's avatars, nothing in the source tree" \
    || fail "strace: bin/shuzi avatars did not read $P/share/shuzi/avatars only"
fi

# 5. find_package(shuzi) from a CMake project.
mkdir -p "$T/consumer"
cat >"$T/consumer/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(consumer LANGUAGES C)
find_package(shuzi 0.1 REQUIRED CONFIG)
add_executable(consumer main.c)
target_link_libraries(consumer PRIVATE shuzi::shuzi)
CM
cat >"$T/consumer/main.c" <<'C'
#include <stdio.h>
#include <shuzi.h>
int main(void) { printf("%s\n", sz_version()); return 0; }
C
if cmake -S "$T/consumer" -B "$T/consumer/build" -DCMAKE_PREFIX_PATH="$P" >"$T/consumer.log" 2>&1 &&
   cmake --build "$T/consumer/build" >>"$T/consumer.log" 2>&1; then
  got=$("$T/consumer/build/consumer")
  [ "$got" = "$ver" ] && ok "find_package(shuzi) consumer builds and prints $got" || fail "consumer printed '$got'"
else
  tail -20 "$T/consumer.log"; fail "find_package(shuzi) consumer"
fi
echo "test_install: $(( $(date +%s) - start )) s"
testlib_end
