#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_train_timbre.sh: tools/train/timbre.py compares sets of recordings
# (median F0, log-F0 spread, long-term envelope distance) and rejects bad
# input (a malformed set, a missing folder, a folder without audio, a file
# that is not audio) with one clear line and no traceback. Skips without
# Debian's python3-numpy.
set -u
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
PY=/usr/bin/python3
TB=$SRC/tools/train/timbre.py
if ! $PY -c 'import numpy' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no numpy (tools/train/setup.sh installs it)"; exit 77
fi
# shellcheck source=tests/testlib.sh
. "$SRC/tests/testlib.sh" timbre

mkdir -p "$T/low" "$T/high" "$T/empty"
i=0
for text in "The quick brown fox jumps over the lazy dog." "Please bring your passport tomorrow morning."; do
  i=$((i+1))
  "$BIN" tts --voice espeak:en-us -o "$T/low/$i.wav" -- "$text" >/dev/null 2>&1 || fail "shuzi tts (low)"
  "$BIN" tts --voice espeak:en-us --pitch 1.5 -o "$T/high/$i.wav" -- "$text" >/dev/null 2>&1 \
    || fail "shuzi tts (high)"
done

# Two sets of one voice, the second a fifth higher: its median F0 is higher,
# the distance of a set to itself is 0, and the matrix is symmetric.
if $PY "$TB" low="$T/low" same="$T/low" high="$T/high" >"$T/out" 2>&1 && $PY - "$T/out" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
f0 = {m[0]: int(m[1]) for m in re.findall(r"^(\w+): \d+ voiced frames, median F0 (\d+) Hz", text, re.M)}
rows = {l.split()[0]: [float(x) for x in l.split()[1:]] for l in text.splitlines()
        if re.match(r"^\s*(low|same|high)\s+[\d.]+\s", l)}
print(f0, rows)
d = rows["low"]
sys.exit(0 if f0["high"] > 1.3 * f0["low"] and d[0] == 0.0 and d[1] == 0.0
         and rows["high"][0] == d[2] and d[2] > 0.0 else 1)
EOF
then ok "compares sets: $(grep 'high:' "$T/out")"; else fail "comparison: $(cat "$T/out")"; fi

echo "not audio" > "$T/bad.wav"
while IFS='|' read -r arg want; do
  if $PY "$TB" "$arg" >"$T/out" 2>&1; then
    fail "timbre.py $arg was accepted"
  elif grep -q Traceback "$T/out" || ! grep -qF "$want" "$T/out"; then
    fail "timbre.py $arg: $(tail -2 "$T/out")"
  else ok "timbre.py $arg: $(tail -1 "$T/out")"; fi
done <<EOF_CASES
noequals|want NAME=PATH
x=|want NAME=PATH
x=$T/missing|no such file or folder
x=$T/empty|no .wav or .flac files
x=$T/bad.wav|ffmpeg could not read
EOF_CASES

testlib_end
