#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_cli.sh: the `shuzi` command as a user meets it: help, version, the
# exit codes of DESIGN.md, one clear error line for bad input, and no output
# file left behind by a failed or interrupted run.
set -u
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
T=$(mktemp -d /tmp/shuzi-cli-XXXXXX)
C=$(mktemp -d /tmp/shuzi-cli-cap-XXXXXX)  # captured stdout/stderr
trap 'rm -rf "$T" "$C"' EXIT
fails=0

# expect CODE DESCRIPTION -- command...: checks the exit code, and for errors
# that stderr is exactly one line starting with "shuzi: ".
expect() {
  local code=$1 what=$2; shift 3
  "$@" >"$C/stdout" 2>"$C/stderr"
  local rc=$?
  if [ "$rc" -ne "$code" ]; then
    echo "FAIL: $what: exit $rc, expected $code; stderr: $(head -c 300 "$C/stderr")"; fails=$((fails+1)); return
  fi
  if [ "$code" -ne 0 ]; then
    local lines; lines=$(grep -c . "$C/stderr")
    if [ "$lines" -ne 1 ] || ! grep -q '^shuzi: ' "$C/stderr"; then
      echo "FAIL: $what: expected one 'shuzi: ...' line on stderr, got:"; cat "$C/stderr"; fails=$((fails+1)); return
    fi
  fi
  echo "ok: $what${code:+ (exit $code)}$( [ "$code" -ne 0 ] && echo ": $(cat "$C/stderr")")"
}

no_files() { # no file (partial or final) left in dir
  local left; left=$(ls -A "$1")
  if [ -n "$left" ]; then echo "FAIL: $2: files left behind: $left"; fails=$((fails+1)); else echo "ok: $2: nothing left behind"; fi
}

expect 0 "--help" -- "$BIN" --help
grep -q "Usage: shuzi COMMAND" "$C/stdout" || { echo "FAIL: --help text"; fails=$((fails+1)); }
# every command --help names exists: its own help and 'shuzi help CMD' work,
# and nothing is advertised that is not there (issue 26: bench)
listed=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' "$C/stdout")
[ "$(echo "$listed" | wc -w)" -ge 8 ] || { echo "FAIL: --help lists commands: $listed"; fails=$((fails+1)); }
grep -qiE "bench|not yet" "$C/stdout" && { echo "FAIL: --help advertises what is not there"; fails=$((fails+1)); }
for cmd in $listed; do
  [ "$cmd" = help ] && continue
  expect 0 "$cmd --help (listed by --help)" -- "$BIN" "$cmd" --help
  expect 0 "help $cmd (listed by --help)" -- "$BIN" help "$cmd"
done
expect 2 "bench is not a command" -- "$BIN" bench
expect 0 "--version" -- "$BIN" --version
grep -qE '^shuzi [0-9]+\.[0-9]+\.[0-9]+$' "$C/stdout" || { echo "FAIL: --version text"; fails=$((fails+1)); }
expect 0 "say --help" -- "$BIN" say --help
grep -q -- "--marks" "$C/stdout" || { echo "FAIL: say --help lists --marks"; fails=$((fails+1)); }
expect 0 "help tts" -- "$BIN" help tts
expect 0 "voices" -- "$BIN" voices
grep -q "^espeak:en-us " "$C/stdout" || { echo "FAIL: voices lists espeak:en-us"; fails=$((fails+1)); }
# the pairing of languages for mixed text follows the table
grep -q "^  Mandarin  *diffusion:hantts" "$C/stdout" || { echo "FAIL: voices shows Mandarin's own voice"; fails=$((fails+1)); }
sed -i '/^$/,$d' "$C/stdout" # the table alone
# each name once (espeak-ng has two yue voices), columns aligned to the longest name
dups=$(awk 'NR > 1 {print $1}' "$C/stdout" | sort | uniq -d)
[ -z "$dups" ] || { echo "FAIL: voices lists twice: $dups"; fails=$((fails+1)); }
cols=$(awk '{match($0, /^[^ ]+ +/); print RLENGTH, (NR > 1 ? index($0, " Hz") : "")}' "$C/stdout" | sort -u)
[ "$(echo "$cols" | awk '{print $1}' | sort -u | wc -l)" -eq 1 ] && [ "$(echo "$cols" | awk 'NF > 1 {print $2}' | sort -u | wc -l)" -eq 1 ] ||
  { echo "FAIL: voices columns misaligned: $(echo $cols)"; fails=$((fails+1)); }
# the default voice is shuzi's own: same seed, same samples as naming it
expect 0 "tts with the default voice" -- "$BIN" tts "Good morning." -o "$T/default.wav" --seed 3
expect 0 "tts with diffusion:kathleen" -- "$BIN" tts "Good morning." -o "$T/kathleen.wav" --seed 3 --voice diffusion:kathleen
expect 0 "tts with espeak:en-us" -- "$BIN" tts "Good morning." -o "$T/espeak.wav" --voice espeak:en-us
cmp -s "$T/default.wav" "$T/kathleen.wav" || { echo "FAIL: the default voice is not diffusion:kathleen"; fails=$((fails+1)); }
cmp -s "$T/default.wav" "$T/espeak.wav" && { echo "FAIL: the default voice speaks like espeak-ng"; fails=$((fails+1)); }
rm -f "$T/default.wav" "$T/kathleen.wav" "$T/espeak.wav"
# avatar create: usage errors exit 2, a bad photo exits 1 with one line and leaves no folder
expect 0 "avatar --help" -- "$BIN" avatar --help
grep -q -- "--landmarks" "$C/stdout" || { echo "FAIL: avatar --help lists --landmarks"; fails=$((fails+1)); }
expect 2 "avatar create without -o" -- "$BIN" avatar create --photo x.jpg
expect 2 "avatar create, unknown option" -- "$BIN" avatar create --photo x.jpg -o "$T/h" --fast
expect 2 "avatar, unknown subcommand" -- "$BIN" avatar delete
printf 'not an image\n' > "$T/notimage.jpg"
expect 1 "avatar create from a text file" -- "$BIN" avatar create --photo "$T/notimage.jpg" -o "$T/host"
[ -e "$T/host" ] && { echo "FAIL: a refused photo left $T/host"; fails=$((fails+1)); }
rm -f "$T/notimage.jpg"
expect 0 "avatars" -- "$BIN" avatars
grep -q "^mei  *photo " "$C/stdout" || { echo "FAIL: avatars lists mei as a photo host"; fails=$((fails+1)); }
grep -q "^presenter  *2d " "$C/stdout" || { echo "FAIL: avatars lists presenter as 2d"; fails=$((fails+1)); }
expect 2 "no command" -- "$BIN"
expect 2 "unknown command" -- "$BIN" dance
expect 2 "unknown flag" -- "$BIN" say "Hi" -o "$T/a.mp4" --loud
expect 2 "missing -o" -- "$BIN" say "Hi"
expect 2 "missing text" -- "$BIN" say -o "$T/a.mp4"
expect 2 "bad --size" -- "$BIN" say "Hi" -o "$T/a.mp4" --size 100
expect 2 "bad --fps" -- "$BIN" say "Hi" -o "$T/a.mp4" --fps 0
expect 2 "tts to mp4" -- "$BIN" tts "Hi" -o "$T/a.mp4"
expect 2 "live without an output" -- "$BIN" live --api-port 0
expect 2 "audio voice refused by render" -- "$BIN" render "${SHUZI_SOURCE_DIR:?}/demos/explainer.txt" -o "$T/r.mp4" --voice audio
no_files "$T/" "usage errors"

mkdir "$T/out"
expect 1 "empty text" -- "$BIN" say "" -o "$T/out/a.mp4"
expect 1 "blank text" -- "$BIN" say "   " -o "$T/out/a.mp4"
# only emoji: nothing left to say after cleaning, refused like empty text
expect 1 "emoji-only text" -- "$BIN" say "$(printf '\xf0\x9f\x94\xa5\xf0\x9f\x94\xa5\xf0\x9f\x91\x8d')" -o "$T/out/a.mp4"
grep -q "nothing to say" "$C/stderr" || { echo "FAIL: emoji-only text says nothing to say"; fails=$((fails+1)); }
mkdir "$T/keep"; echo keep > "$T/keep/a.wav"
expect 1 "tts: emoji-only text" -- "$BIN" tts "$(printf '\xf0\x9f\x94\xa5\xf0\x9f\x91\x8d')" -o "$T/keep/a.wav"
[ "$(cat "$T/keep/a.wav")" = keep ] || { echo "FAIL: emoji-only text overwrote the existing output"; fails=$((fails+1)); }
expect 1 "invalid UTF-8" -- "$BIN" say "$(printf 'caf\xc3')" -o "$T/out/a.mp4"
expect 1 "missing output directory" -- "$BIN" say "Hi" -o "$T/nope/a.mp4"
expect 1 "unknown output format" -- "$BIN" say "Hi" -o "$T/out/a.xyz"
expect 1 "unknown voice" -- "$BIN" say "Hi" -o "$T/out/a.mp4" --voice espeak:zz-nosuch
expect 1 "unknown voice kind" -- "$BIN" say "Hi" -o "$T/out/a.mp4" --voice robot
expect 1 "unknown avatar" -- "$BIN" say "Hi" -o "$T/out/a.mp4" --avatar nobody
expect 1 "unknown x264 preset" -- "$BIN" say "Hi" -o "$T/out/a.mp4" --preset nosuch --voice espeak:en-us
expect 1 "marks in missing dir" -- "$BIN" say "Hi" -o "$T/out/a.mp4" --marks "$T/nope/m.jsonl"
echo '{"fps": "fast"}' > "$T/bad.json"
expect 1 "bad config" -- "$BIN" say "Hi" -o "$T/out/a.mp4" --config "$T/bad.json"
grep -q "fps" "$C/stderr" || { echo "FAIL: config error names the key"; fails=$((fails+1)); }
# no sound card: PortAudio, ALSA and JACK print ~60 lines of probing unless
# held back (issue 26); the user sees only our one line
if ls /dev/snd/pcm* >/dev/null 2>&1; then
  echo "skip: speaker: without a sound device (this machine has one)"
else
  expect 1 "speaker: without a sound device" -- "$BIN" say hi -o "$T/out/x.mp4" --out speaker: --voice espeak:en-us --size 320x180
fi
if [ "$(id -u)" -ne 0 ]; then
  mkdir "$T/ro"; chmod 555 "$T/ro"
  expect 1 "unwritable directory" -- "$BIN" say "Hi" -o "$T/ro/a.mp4"
fi
no_files "$T/out" "failed runs"

# Interrupted by a signal: nothing half-written remains.
long=$(printf 'This is a long text that takes a while to render. %.0s' $(seq 1 40))
"$BIN" say "$long" -o "$T/out/long.mp4" --marks "$T/out/long.jsonl" -q 2>"$C/stderr" &
pid=$!
sleep 1.5
kill -TERM $pid  # (a background job of a script ignores SIGINT)
wait $pid; rc=$?
if [ $rc -ne 1 ]; then echo "FAIL: SIGTERM exit $rc, expected 1"; fails=$((fails+1)); else echo "ok: SIGTERM: $(cat "$C/stderr")"; fi
no_files "$T/out" "interrupted run"

# Success: a playable file, marks, text from stdin, WAV, determinism.
expect 0 "say mp4 with marks" -- "$BIN" say "Hello, welcome to our bank." -o "$T/out/hello.mp4" --marks "$T/out/hello.jsonl" --size 320x180 -q
[ -s "$T/out/hello.mp4" ] || { echo "FAIL: hello.mp4 written"; fails=$((fails+1)); }
grep -q '"type": "word", "value": "welcome"' "$T/out/hello.jsonl" || { echo "FAIL: word mark for 'welcome'"; fails=$((fails+1)); }
bad_json=$(grep -cv '^{"time_ms": [0-9]*, "type": "[a-z]*", "value": ".*", "end_ms": [0-9]*}$' "$T/out/hello.jsonl")
[ "$bad_json" -eq 0 ] || { echo "FAIL: $bad_json malformed mark lines"; fails=$((fails+1)); }
# as a user without a PulseAudio server or home, espeak-ng's audio probe
# printed a PulseAudio line on every run (issue 26): a quiet run says nothing
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  nb=$(mktemp -d /tmp/shuzi-cli-nobody-XXXXXX); chmod 777 "$nb"
  setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent "$BIN" say "Hi." -o "$nb/a.mp4" --voice espeak:en-us --size 320x180 -q >/dev/null 2>"$C/stderr"
  rc=$?
  if [ $rc -ne 0 ] || [ -s "$C/stderr" ]; then echo "FAIL: quiet say as nobody: exit $rc, stderr: $(head -c 300 "$C/stderr")"; fails=$((fails+1)); else echo "ok: quiet say as another user prints nothing"; fi
  rm -rf "$nb"
elif [ "$(id -u)" -ne 0 ]; then
  HOME=/nonexistent "$BIN" say "Hi." -o "$T/out/nohome.mp4" --voice espeak:en-us --size 320x180 -q >/dev/null 2>"$C/stderr"
  [ -s "$C/stderr" ] && { echo "FAIL: quiet say without a home prints: $(head -c 300 "$C/stderr")"; fails=$((fails+1)); }
  rm -f "$T/out/nohome.mp4"
else
  echo "skip: quiet say as another user (no setpriv)"
fi
echo "Text from standard input." | expect 0 "text from stdin" -- "$BIN" tts - -o "$T/out/stdin.wav" -q
[ -s "$T/out/stdin.wav" ] || { echo "FAIL: stdin.wav written"; fails=$((fails+1)); }
expect 0 "render 1 (mkv)" -- "$BIN" say "Same input, same output." -o "$T/out/d1.mkv" --size 320x180 --seed 5 -q
expect 0 "render 2 (mkv)" -- "$BIN" say "Same input, same output." -o "$T/out/d2.mkv" --size 320x180 --seed 5 -q
if cmp -s "$T/out/d1.mkv" "$T/out/d2.mkv"; then echo "ok: deterministic output"; else echo "FAIL: two renders with the same seed differ"; fails=$((fails+1)); fi
ls -A "$T/out" | grep -q partial && { echo "FAIL: partial files left"; fails=$((fails+1)); }

# render takes the scene flags of say (issue 26): a green background, the
# avatar moved to the left quarter, subtitles burned in, all in the video
expect 0 "render --help lists the scene flags" -- "$BIN" render --help
for flag in --background --avatar-position --avatar-scale --overlay --overlay-position --burn-subtitles --subtitle-font; do
  grep -q -- "$flag" "$C/stdout" || { echo "FAIL: render --help lacks $flag"; fails=$((fails+1)); }
done
expect 2 "render --avatar-scale out of range" -- "$BIN" render "${SHUZI_SOURCE_DIR:?}/demos/explainer.txt" -o "$T/out/r.mp4" --avatar-scale 50
printf 'Hello there, and welcome.\n' > "$T/scene.txt"
frame_px() { # FILE: frame 15 as "R G B" lines, row by row (320x180)
  ffmpeg -v error -i "$1" -vf "select=eq(n\,15)" -frames:v 1 -f rawvideo -pix_fmt rgb24 - | od -An -v -tu1 -w3
}
is_green() { awk -v n="$1" 'NR == n {exit !($1 < 60 && $2 > 140 && $3 < 110)}' "$T/px"; }
for burn in "" --burn-subtitles; do
  expect 0 "render --background green --avatar-position 0.25,1 $burn" -- "$BIN" render "$T/scene.txt" -o "$T/out/scene$burn.mp4" \
    --voice espeak:en-us --size 320x180 --background green --avatar-position 0.25,1 $burn -q
  if command -v ffmpeg >/dev/null && [ -s "$T/out/scene$burn.mp4" ]; then
    frame_px "$T/out/scene$burn.mp4" > "$T/px"
    # the right corners and edge are background; the avatar's centre column is not
    for at in 320 57600 $((90 * 320 + 281)); do
      is_green $at || { echo "FAIL: render $burn: pixel $at is $(sed -n "${at}p" "$T/px"), not green"; fails=$((fails+1)); }
    done
    is_green $((90 * 320 + 81)) && { echo "FAIL: render $burn: no avatar at x = 0.25"; fails=$((fails+1)); }
    white=$(awk 'NR > 140 * 320 && $1 > 230 && $2 > 230 && $3 > 230' "$T/px" | wc -l)
    if [ -n "$burn" ]; then
      [ "$white" -gt 5 ] || { echo "FAIL: render --burn-subtitles: no text at the bottom"; fails=$((fails+1)); }
    else
      [ "$white" -eq 0 ] || { echo "FAIL: render: $white white pixels at the bottom without --burn-subtitles"; fails=$((fails+1)); }
    fi
  fi
done
rm -f "$T/px" "$T/scene.txt" "$T"/out/scene*.mp4

# the default overlay box sits right of the default avatar (issue 26: it
# covered her): mei in 1280x720 is a square portrait centred in the frame,
# x 280 to 1000; a square magenta overlay at the default place must lie right
# of it, and right of every avatar pixel in the rows it spans
if command -v ffmpeg >/dev/null; then
  ffmpeg -v error -y -f lavfi -i color=0xff00ff:s=64x64 -frames:v 1 "$T/mag.png"
  frame_720() { ffmpeg -v error -i "$1" -vf "select=eq(n\,15)" -frames:v 1 -f rawvideo -pix_fmt rgb24 - | od -An -v -tu1 -w3; }
  expect 0 "say with the default avatar on green" -- "$BIN" say "Hello there." -o "$T/out/plain.mp4" --voice espeak:en-us --background green --seed 2 -q
  expect 0 "say with an overlay at its default place" -- "$BIN" say "Hello there." -o "$T/out/over.mp4" --voice espeak:en-us --background green --seed 2 --overlay "$T/mag.png" -q
  frame_720 "$T/out/plain.mp4" > "$T/plain.px"
  frame_720 "$T/out/over.mp4" > "$T/over.px"
  verdict=$(awk '
    FNR == 1 { f++ }
    { i = FNR - 1; x = i % 1280; y = int(i / 1280) }
    f == 1 && !($1 < 60 && $2 > 140 && $3 < 110) { if (!(y in right) || x > right[y]) right[y] = x }
    f == 2 && $1 > 200 && $2 < 60 && $3 > 200 { if (x0 == "" || x < x0) x0 = x; if (x > x1) x1 = x; if (y0 == "" || y < y0) y0 = y; if (y > y1) y1 = y }
    END {
      if (x0 == "") { print "no overlay in the frame"; exit }
      worst = -1; for (y = y0; y <= y1; y++) if ((y in right) && right[y] > worst) worst = right[y]
      printf "overlay x %d-%d y %d-%d; avatar in those rows up to x %d", x0, x1, y0, y1, worst
      if (x0 < 1000 || worst >= x0 - 2) print "; OVERLAP"; else print ""
    }' "$T/plain.px" "$T/over.px")
  case "$verdict" in
    *OVERLAP*|no*) echo "FAIL: default overlay place: $verdict"; fails=$((fails+1)) ;;
    *) echo "ok: default overlay place: $verdict" ;;
  esac
  rm -f "$T/mag.png" "$T/plain.px" "$T/over.px" "$T/out/plain.mp4" "$T/out/over.mp4"
fi

# subtitles of the explainer: every cue at most two lines of at most 42
# columns (issue 26: one cue had three)
expect 0 "render the explainer with subtitles" -- "$BIN" render "${SHUZI_SOURCE_DIR:?}/demos/explainer.txt" -o "$T/out/e.wav" \
  --subtitles "$T/out/e.srt" --voice espeak:en-us -q
cues=$(awk 'BEGIN {RS = ""} {print}' "$T/out/e.srt" | grep -c -- '-->')
long=$(awk 'BEGIN {RS = ""; FS = "\n"} NF > 4 {print "cue " $1 ": " NF - 2 " lines"}' "$T/out/e.srt")
wide=$(awk 'length($0) > 42 && !/-->/' "$T/out/e.srt")
if [ "$cues" -lt 10 ] || [ -n "$long" ] || [ -n "$wide" ]; then
  echo "FAIL: explainer subtitles: $cues cues; $long $wide"; fails=$((fails+1))
else
  echo "ok: explainer subtitles: $cues cues, none over two lines"
fi
rm -f "$T/out/e.wav" "$T/out/e.srt"

# Voice flags a voice does not use: one warning line, and the run goes on.
for flag in "--steps 8" "--temperature 0.5"; do
  expect 0 "tts $flag with espeak" -- "$BIN" tts "Hi." -o "$T/out/w.wav" --voice espeak:en-us $flag -q
  want="shuzi: warning: ${flag%% *} applies to diffusion voices; espeak:en-us ignores it"
  [ "$(cat "$C/stderr")" = "$want" ] || { echo "FAIL: $flag with espeak: stderr '$(cat "$C/stderr")', expected '$want'"; fails=$((fails+1)); }
done
expect 0 "tts --steps with the diffusion voice" -- "$BIN" tts "Hi." -o "$T/out/w.wav" --voice diffusion:kathleen --steps 2 -q
[ -s "$C/stderr" ] && { echo "FAIL: --steps with diffusion:kathleen warns: $(cat "$C/stderr")"; fails=$((fails+1)); }

echo "$fails failures"
[ "$fails" -eq 0 ]
