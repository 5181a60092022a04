#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_zh_teacher.sh: the Mandarin teacher (tools/zh_teacher) on the real
# syllable recordings: recordings of the frontend's sandhi'd tones, neutral
# tones, the half third, declination, durations, pauses, smooth joins,
# loudness, identical output on a second run, the LJSpeech-style folder.
# Skips without ../shared/data/zh-syllables or Debian's numpy/scipy/soundfile.
set -u
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
PY=/usr/bin/python3
DATA=$SRC/../shared/data/zh-syllables
if [ ! -d "$DATA/flac" ]; then
  echo "SKIP: $DATA (the syllable recordings) is absent"; exit 77
fi
if ! $PY -c "import numpy, scipy, soundfile" 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 lacks numpy, scipy or soundfile (tools/train/setup.sh installs them)"; exit 77
fi
T=$(mktemp -d "/tmp/shuzi-zh-teacher-XXXXXX")
trap 'rm -rf "$T"' EXIT
$PY "$SRC/tools/zh_teacher/test_teacher.py" "$BIN" "$DATA" "$T"
