#!/bin/bash
# test_local_xvfb.sh: the window and speaker test once on a real X server
# (Xvfb, a virtual display) instead of SDL's dummy driver: a real X11 window is
# created, shown in sync with the speaker clock, captured and closed. Skips
# (77) when xvfb-run is missing (./setup.sh installs the xvfb package) or the
# build has no SDL2 window.
set -u
BUILD=${SHUZI_BUILD_DIR:?}
BIN="$BUILD/test_local_outputs"
if ! command -v xvfb-run >/dev/null; then
  echo "SKIP: xvfb-run is not installed (Debian package xvfb; ./setup.sh installs it)"; exit 77
fi
if [ ! -x "$BIN" ]; then echo "FAIL: $BIN not built"; exit 1; fi
if ! grep -q "SHUZI_SDL:BOOL=ON" "$BUILD/CMakeCache.txt" 2>/dev/null; then
  echo "SKIP: this build has no SDL2 window output"; exit 77
fi
# -a: a free display number, searched from a random start (several test runs
# at once would otherwise race for the same one); the server is stopped when
# the command ends.
xvfb-run -a -n $((100 + RANDOM % 800)) -s "-screen 0 1280x720x24 -nolisten tcp" \
  env SHUZI_TEST_DISPLAY=x11 "$BIN"
