#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_lipsync_cli.sh: `shuzi lipsync` and `shuzi say --audio` as users run
# them: usage errors (exit 2), runtime errors (exit 1, one line, no file
# left behind), and real runs writing Rhubarb TSV/JSON, speech marks and
# per-frame blendshapes. Input: a clip from ../shared/data/speech when there,
# else speech from `shuzi tts`. Skips (77) when the build has no pocketsphinx.
set -u
BIN=${SHUZI_BIN:?}
SRC=${SHUZI_SOURCE_DIR:?}
work=$(mktemp -d /tmp/shuzi-lscli-XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect CODE PATTERN -- ARGS...: exit code and a stderr line matching PATTERN
expect() {
  local code=$1 pat=$2; shift 3
  "$BIN" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  if [ $rc -ne "$code" ]; then fail "shuzi $* exited $rc, expected $code: $(cat "$work/err")"; return; fi
  if [ -n "$pat" ] && ! grep -q -- "$pat" "$work/err"; then
    fail "shuzi $*: stderr lacks '$pat': $(cat "$work/err")"
  fi
}

if "$BIN" lipsync /dev/null -o "$work/x.tsv" 2>&1 | grep -q "not in this build"; then
  echo "SKIP: this build has no audio-only lip-sync (pocketsphinx)"; exit 77
fi

clip="$SRC/../shared/data/speech/LJ001-0002.flac"
text="in being comparatively modern."
if [ ! -r "$clip" ]; then
  clip="$work/voice.wav"; text="Please open the window before we leave."
  "$BIN" tts "$text" -o "$clip" -q || { echo "FAIL: cannot make speech with shuzi tts"; exit 1; }
fi

# usage errors
expect 2 "missing AUDIO" -- lipsync -o "$work/x.tsv"
expect 2 "missing -o" -- lipsync "$clip"
expect 2 "expected .jsonl" -- lipsync "$clip" -o "$work/x.txt"
expect 2 "'Q' at position 2" -- lipsync "$clip" -o "$work/x.tsv" --extended-shapes GQ
expect 2 "expected 1 to 240" -- lipsync "$clip" -o "$work/x.tsv" --fps 0
expect 2 "not both" -- lipsync "$clip" -o "$work/x.tsv" --text a --text-file b
expect 2 "expected a .jsonl" -- lipsync "$clip" -o "$work/x.tsv" --frames "$work/f.txt"
expect 2 "unexpected argument" -- lipsync "$clip" extra -o "$work/x.tsv"
expect 0 "" -- lipsync --help
grep -q "Rhubarb" "$work/out" || fail "lipsync --help does not describe the formats"
# runtime errors: one line, no output left
expect 1 "cannot open" -- lipsync "$work/none.wav" -o "$work/x.tsv"
printf 'RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x0c\0' >"$work/bad.wav"
expect 1 "runs past the end" -- lipsync "$work/bad.wav" -o "$work/x.tsv"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "more than one error line: $(cat "$work/err")"
ls "$work" | grep -q '^x\.tsv' && fail "a failed run left x.tsv"
ls -a "$work" | grep -q 'partial' && fail "a failed run left a partial file"

# real runs
expect 0 "aligned to the transcript" -- lipsync "$clip" --text "$text" -o "$work/c.tsv" \
  --frames "$work/frames.jsonl" --fps 25
head -1 "$work/c.tsv" | grep -qP '^0\.00\t[A-HX]$' || fail "TSV first line: $(head -1 "$work/c.tsv")"
tail -1 "$work/c.tsv" | grep -qP '^[0-9]+\.[0-9]{2}\tX$' || fail "TSV last line: $(tail -1 "$work/c.tsv")"
grep -qP '\tA$' "$work/c.tsv" || fail "no closed mouth (A) for the p/b/m in the text"
bad=$(grep -cvP '^[0-9]+\.[0-9]{2}\t[A-HX]$' "$work/c.tsv")
[ "$bad" -eq 0 ] || fail "$bad malformed TSV lines"
nf=$(wc -l <"$work/frames.jsonl")
[ "$nf" -ge 25 ] || fail "only $nf frames in frames.jsonl"
grep -q '"arkit": {"jawOpen"' "$work/frames.jsonl" || fail "frames lack ARKit weights"
grep -q '"vrm": {"aa"' "$work/frames.jsonl" || fail "frames lack VRM weights"

expect 0 "" -- lipsync "$clip" -o "$work/c.json" --extended-shapes "" -q
grep -q '"mouthCues": \[' "$work/c.json" || fail "JSON lacks mouthCues"
grep -q '"soundFile": ' "$work/c.json" || fail "JSON lacks metadata.soundFile"
grep -qE '"value": "[GHX]"' "$work/c.json" && fail "extended shapes used although disabled"
[ -s "$work/c.json" ] && [ ! -s "$work/err" ] || fail "-q printed: $(cat "$work/err")"

printf '%s\n' "$text" >"$work/t.txt"
expect 0 "" -- lipsync "$clip" --text-file "$work/t.txt" -o "$work/m.jsonl"
grep -q '"type": "sentence"' "$work/m.jsonl" || fail "marks lack the sentence"
nw=$(grep -c '"type": "word"' "$work/m.jsonl")
[ "$nw" -ge 3 ] || fail "only $nw word marks"
grep -q '"type": "viseme", "value": "PP"' "$work/m.jsonl" || fail "no PP viseme mark"

# say --audio: the avatar driven by the recording
expect 2 "give both" -- say --text "$text" -o "$work/v.mp4"
expect 2 "no TEXT" -- say "hello" --audio "$clip" -o "$work/v.mp4"
expect 2 "drop --voice" -- say --audio "$clip" --voice espeak:en-us -o "$work/v.mp4"
expect 2 "is for 'shuzi say'" -- tts --audio "$clip" -o "$work/v.wav"
expect 1 "cannot open" -- say --audio "$work/none.wav" -o "$work/v.mp4" -q
[ -e "$work/v.mp4" ] && fail "a failed say --audio left v.mp4"
expect 0 "" -- say --audio "$clip" --text "$text" -o "$work/v.mp4" --size 320x240 \
  --marks "$work/v.jsonl" -q
[ -s "$work/v.mp4" ] || fail "say --audio wrote no video"
grep -q '"type": "word"' "$work/v.jsonl" || fail "say --audio marks lack words"
grep -q '"type": "viseme"' "$work/v.jsonl" || fail "say --audio marks lack visemes"

[ $fails -eq 0 ] && echo "test_lipsync_cli: all checks passed"
[ $fails -eq 0 ]
