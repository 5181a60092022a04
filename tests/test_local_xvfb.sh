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
DISPLAY=":$num" SHUZI_TEST_DISPLAY=x11 "$BIN"
