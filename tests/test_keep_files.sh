#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_keep_files.sh: a run that fails before it records anything leaves the
# files already there byte-identical: say, render, live and kiosk, each kind of
# output (.mp4 .mkv .webm .mov .ts .wav, HLS and its segments, subtitles,
# marks), failing on a control API port in use, a bad voice, a bad output
# named late, an unwritable subtitles path (issue 26: live deleted an earlier
# recording).
set -u
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
. "$SRC/tests/testlib.sh" keep
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to hold a port"; exit 77; }

# Hold a port on 127.0.0.1 (at most 5 minutes) and learn which one.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
time.sleep(300)' >"$T/port" &
holder=$!
trap 'kill $holder 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
PORT=$(cat "$T/port")
[ -n "$PORT" ] || { echo "FAIL: no port held"; exit 1; }

mkdir "$T/d" "$T/orig"
for f in keep.mp4 keep.mkv keep.webm keep.mov keep.ts keep.wav keep.srt keep.vtt keep.jsonl \
  keep.m3u8 keep_00000.ts keep_00001.ts; do
  printf 'an earlier run wrote %s\n' "$f" >"$T/d/$f"
done
cp -p "$T/d/"* "$T/orig/"
printf 'A short script.\n\n[pause 0.5s]\n\nThe end.\n' >"$T/script.txt"
fast=(--voice espeak:en-us --size 320x180 -q)

# must_fail WHAT -- command...: exits 1, one "shuzi: " line, every file unchanged
# and nothing else left in the folder.
must_fail() {
  local what=$1; shift 2
  timeout 120 "$@" >"$T/stdout" 2>"$T/stderr"
  local rc=$?
  if [ "$rc" -ne 1 ]; then
    fail "$what: exit $rc, expected 1: $(head -c 300 "$T/stderr")"
  else
    ok "$what: $(tail -n 1 "$T/stderr")"
  fi
  local f changed=""
  for f in "$T/orig/"*; do
    cmp -s "$f" "$T/d/${f##*/}" || changed="$changed ${f##*/}"
  done
  [ -z "$changed" ] || fail "$what: changed or removed:$changed"
  local extra; extra=$(ls -A "$T/d" | grep -vxF "$(ls -A "$T/orig")")
  [ -z "$extra" ] || fail "$what: left behind: $extra"
  cp -p "$T/orig/"* "$T/d/" # the next check starts from the originals
}

D=$T/d
# live: the control API port is in use (the reported case, then every kind)
must_fail "live, API port in use, .mp4" -- "$BIN" live --config "$SRC/demos/live.json" \
  --out "$D/keep.mp4" --duration 2 --api-port "$PORT" "${fast[@]}"
must_fail "live, API port in use, all kinds" -- "$BIN" live --config "$SRC/demos/live.json" \
  --out "$D/keep.mp4" --out "$D/keep.mkv" --out "$D/keep.webm" --out "$D/keep.mov" \
  --out "$D/keep.wav" --duration 2 --api-port "$PORT" "${fast[@]}"
# live: a bad voice, a bad output after good ones
must_fail "live, unknown voice" -- "$BIN" live --out "$D/keep.mp4" --out "$D/keep.wav" \
  --duration 2 --api-port 0 --size 320x180 --voice espeak:zz-nosuch -q
must_fail "live, unknown output after files" -- "$BIN" live --out "$D/keep.mkv" \
  --out "$D/keep.mov" --out "$D/keep.xyz" --duration 2 --api-port 0 "${fast[@]}"
# kiosk: the same port in use, recording to files
must_fail "kiosk, API port in use" -- "$BIN" kiosk --config "$SRC/demos/kiosk.json" \
  --no-window --no-speakers --out "$D/keep.webm" --out "$D/keep.mp4" --duration 2 \
  --api-port "$PORT" "${fast[@]}"
# say: a bad voice, an output refused after others were opened
must_fail "say, unknown voice" -- "$BIN" say "Hello." -o "$D/keep.mp4" --out "$D/keep.wav" \
  --marks "$D/keep.jsonl" --voice espeak:zz-nosuch --size 320x180 -q
must_fail "say, unknown output named last" -- "$BIN" say "Hello." -o "$D/keep.mov" \
  --out "$D/keep.webm" --out "$D/keep.ts" --out "$D/keep.m3u8" --out "$D/keep.xyz" \
  --marks "$D/keep.jsonl" "${fast[@]}"
# render: a bad voice; subtitles that cannot be written (found before rendering)
must_fail "render, unknown voice" -- "$BIN" render "$T/script.txt" -o "$D/keep.mp4" \
  --subtitles "$D/keep.srt" --voice espeak:zz-nosuch --size 320x180 -q
must_fail "render, subtitles in a missing folder" -- "$BIN" render "$T/script.txt" \
  -o "$D/keep.mkv" --subtitles "$T/nope/keep.vtt" "${fast[@]}"

# a run killed with SIGKILL leaves its hidden temporary files; the next run
# writing the same files removes those of dead processes once a minute old,
# and leaves a live process's and fresh ones alone
K=$T/killed
mkdir -p "$K"
sleep 300 & alive=$!
for f in ".clip.partial-999999999-0.mp4" ".clip.partial-999999999-3.wav" ".clip.srt.partial-999999999" \
         ".clip.partial-$alive-0.mp4" ".clip.partial-999999998-1.mp4.fresh" ".other.partial-999999999-0.mp4"; do
  echo x > "$K/$f"
done
touch -d '2 minutes ago' "$K"/.clip.partial-999999999-* "$K"/.clip.srt.partial-999999999 \
  "$K/.clip.partial-$alive-0.mp4" "$K/.other.partial-999999999-0.mp4"
if "$BIN" render "$T/script.txt" -o "$K/clip.mp4" --subtitles "$K/clip.srt" "${fast[@]}" \
     > "$T/sweep.log" 2>&1 && "$BIN" say "Hello." -o "$K/clip.wav" "${fast[@]}" >> "$T/sweep.log" 2>&1; then
  left=$(cd "$K" && ls -A | grep partial | sort | tr '\n' ' ')
  want=$(printf '%s\n' ".clip.partial-$alive-0.mp4" ".clip.partial-999999998-1.mp4.fresh" \
         ".other.partial-999999999-0.mp4" | sort | tr '\n' ' ')
  if [ "$left" = "$want" ]; then ok "stale temporary files of killed runs removed, others kept"
  else fail "temporary files left: '$left', want '$want'"; fi
else
  fail "say with old temporary files beside: $(tail -2 "$T/sweep.log")"
fi
kill $alive 2>/dev/null

testlib_end
