#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_local_xvfb.sh: the window and speaker test once on a real X server
# (Xvfb, a virtual display) instead of SDL's dummy driver: a real X11 window is
# created, shown in sync with the speaker clock, captured and closed. Skips
# (77) when Xvfb is missing (Debian package xvfb; ./setup.sh installs it) or
# the build has no SDL2 window.
set -u
BUILD=${SHUZI_BUILD_DIR:?}
BIN="$BUILD/test_local_outputs"
if ! command -v Xvfb >/dev/null; then
  echo "SKIP: Xvfb is not installed (Debian package xvfb; ./setup.sh installs it)"; exit 77
fi
if [ ! -x "$BIN" ]; then echo "FAIL: $BIN not built"; exit 1; fi
if ! grep -q "SHUZI_SDL:BOOL=ON" "$BUILD/CMakeCache.txt" 2>/dev/null; then
  echo "SKIP: this build has no SDL2 window output"; exit 77
fi
# Xvfb picks a free display itself and tells us its number (-displayfd), so
# test runs at the same time never share or steal a display.
dir=$(mktemp -d "/tmp/shuzi-xvfb-$$-XXXXXX")
mkfifo "$dir/fd"
Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp 3>"$dir/fd" 2>"$dir/log" &
xpid=$!
cleanup() { kill "$xpid" 2>/dev/null; wait "$xpid" 2>/dev/null; rm -rf "$dir"; }
# also when this script is stopped (Ctrl-C, a timeout, a closed pipe)
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
trap 'exit 141' PIPE
if ! read -r -t 20 num < "$dir/fd" || [ -z "$num" ]; then
  echo "FAIL: Xvfb did not start"; cat "$dir/log"; exit 1
fi
DISPLAY=":$num" SHUZI_TEST_DISPLAY=x11 "$BIN" || exit 1

# The README's window options in the URL, as a user types them (issue 26):
# "window:capture=FILE.bmp" is accepted and saves the screen at the end.
SHUZI=${SHUZI_BIN:-$BUILD/shuzi}
DISPLAY=":$num" "$SHUZI" say "Hi." --out "window:capture=$dir/shot.bmp" --voice espeak:en-us \
  --size 320x180 -q 2>"$dir/cli.err"
rc=$?
if [ $rc -ne 0 ]; then
  echo "FAIL: --out window:capture=...: exit $rc: $(head -c 300 "$dir/cli.err")"; exit 1
fi
if [ "$(head -c 2 "$dir/shot.bmp" 2>/dev/null)" != "BM" ] || [ "$(stat -c %s "$dir/shot.bmp")" -lt 1000 ]; then
  echo "FAIL: --out window:capture=...: no BMP written"; exit 1
fi
echo "ok   shuzi say --out window:capture=FILE.bmp: $(stat -c %s "$dir/shot.bmp") bytes of BMP"
DISPLAY=":$num" "$SHUZI" say "Hi." --out "window:capture=$dir/x.bmp:colour=red" --voice espeak:en-us \
  --size 320x180 -q 2>"$dir/cli.err"
rc=$?
if [ $rc -ne 1 ] || ! grep -q "unknown option 'colour'" "$dir/cli.err"; then
  echo "FAIL: an unknown window option in the URL: exit $rc: $(head -c 300 "$dir/cli.err")"; exit 1
fi
echo "ok   an unknown window option in the URL is refused: $(cat "$dir/cli.err")"
