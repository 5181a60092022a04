#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_listen_kiosk.sh: the listening kiosk end to end, without a sound card:
# questions spoken by our own voice come in through --mic file:, the
# avatar's speech goes to the null speaker and, with --mic-echo, back into
# the microphone through a simulated room. Checks: a customer speaking over
# the greeting cuts it off (barge-in) and is heard (offline recognizer); the
# avatar's own voice in the microphone is not taken for a customer; the
# events and metrics say so; a transcription server (a local fake of the
# OpenAI API) hears Mandarin, which is answered in Mandarin, in push-to-talk
# mode only after POST /v1/listen; an unreachable server is an error event
# and the kiosk goes on; bad options are refused in one line.
set -u
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
. "$SRC/tests/testlib.sh" listen
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
for tool in curl ffmpeg; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not found (./setup.sh installs it)"; exit 77; }
done
CFG="$SRC/demos/kiosk.json"

# A recording with QUESTION spoken by our voice after DELAY seconds, padded.
speak_at() { # OUT DELAY_S PAD_S TEXT [DELAY2_S]
  local out=$1 pad=$3 text=$4 delay delay2=
  # adelay takes whole milliseconds ("3.5s" is not read as seconds)
  delay=$(awk "BEGIN { print int($2 * 1000) }")
  [ -n "${5:-}" ] && delay2=$(awk "BEGIN { print int($5 * 1000) }")
  "$BIN" tts "$text" -o "$T/raw.wav" -q || { fail "tts '$text'"; testlib_end; }
  if [ -n "$delay2" ]; then # the question twice
    ffmpeg -loglevel error -y -i "$T/raw.wav" -i "$T/raw.wav" -filter_complex \
      "[0]adelay=${delay}:all=1[a];[1]adelay=${delay2}:all=1[b];[a][b]amix=inputs=2:normalize=0,apad=pad_dur=$pad" \
      "$out" || { fail "ffmpeg"; testlib_end; }
  else
    ffmpeg -loglevel error -y -i "$T/raw.wav" -af "adelay=${delay}:all=1,apad=pad_dur=$pad" "$out" ||
      { fail "ffmpeg"; testlib_end; }
  fi
}

# Starts a kiosk in the background (args after NAME), waits for its control
# API, and records its events in $T/NAME.events. Sets PID and PORT.
start_kiosk() {
  local name=$1; shift
  "$BIN" kiosk --config "$CFG" --no-window --audio-device null --api-port auto "$@" \
    </dev/null >"$T/$name.out" 2>"$T/$name.err" &
  PID=$!
  PORT=
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's|.*control API on http://127.0.0.1:\([0-9]*\).*|\1|p' "$T/$name.err")
    [ -n "$PORT" ] && break
    kill -0 $PID 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$PORT" ]; then fail "$name: kiosk did not start: $(head -c 400 "$T/$name.err")"; return 1; fi
  curl -sN "http://127.0.0.1:$PORT/v1/events" >"$T/$name.events" 2>/dev/null &
  EVPID=$!
}

finish_kiosk() { # NAME: waits for the kiosk's --duration, then its exit code
  local name=$1 rc
  wait $PID; rc=$?
  kill $EVPID 2>/dev/null; wait $EVPID 2>/dev/null
  [ "$rc" -eq 0 ] && ok "$name: kiosk ran and stopped cleanly" ||
    fail "$name: kiosk exit $rc: $(tail -c 400 "$T/$name.err")"
}

count() { grep -c -- "$1" "$2"; }

# The colour of pixel X,Y of an image, as "R G B".
pixel() { ffmpeg -loglevel error -i "$1" -vf "crop=1:1:$2:$3" -f rawvideo -pix_fmt rgb24 - | od -An -tu1 | xargs; }

# Needs the listening stage in this build (speexdsp, pocketsphinx).
probe=$("$BIN" kiosk --config "$CFG" --no-window --audio-device null --api-port 0 \
  --mic file:/nonexistent.wav --duration 1 </dev/null 2>&1)
if echo "$probe" | grep -q "speexdsp\|pocketsphinx"; then echo "SKIP: $probe"; exit 77; fi

# 1. Usage: one line, the right exit code.
"$BIN" kiosk --config "$CFG" --no-window --audio-device null --api-port 0 --mic-echo nope \
  --mic file:x.wav </dev/null >/dev/null 2>"$T/e1"; rc=$?
[ $rc -eq 2 ] && [ "$(grep -c . "$T/e1")" -eq 1 ] && ok "--mic-echo nope: exit 2: $(cat "$T/e1")" ||
  fail "--mic-echo nope: exit $rc: $(cat "$T/e1")"
"$BIN" kiosk --config "$CFG" --no-window --audio-device null --api-port 0 --asr-url http://x/v1 \
  </dev/null >/dev/null 2>"$T/e2"; rc=$?
[ $rc -eq 2 ] && ok "--asr-url without --mic: exit 2: $(cat "$T/e2")" || fail "--asr-url without --mic: exit $rc"
echo "$probe" | grep -q "^shuzi: .*nonexistent.wav" && [ "$(echo "$probe" | grep -c .)" -eq 1 ] &&
  ok "missing microphone file: $probe" || fail "missing microphone file: $probe"

# 2. Barge-in and the offline recognizer: the avatar greets and then reads
# a long text, its echo in the microphone all along; 11 s in (the echo
# canceller has converged: it is cautious in its first seconds) the customer
# speaks over it. Then only the avatar's answer plays into the microphone.
# The window is there too (SDL's dummy driver), and its capture at the end
# shows the indicator and the text heard.
speak_at "$T/q1.wav" 11 12 "Please block my lost card."
if start_kiosk bargein --mic "file:$T/q1.wav" --mic-echo 0.5:30 --duration 25 \
     --out "window:capture=$T/shot.bmp"; then
  curl -s -o /dev/null -X POST -d '{"text": "Our savings account pays two point five percent a year, with no monthly fee and no minimum balance. You can open it in the mobile app in ten minutes, or at any branch, from nine in the morning to five in the afternoon."}' \
    "http://127.0.0.1:$PORT/v1/say"
  sleep 20
  st=$(curl -s "http://127.0.0.1:$PORT/v1/status")
  echo "$st" | grep -q '"microphone": true' && ok "status: microphone true" || fail "status: $st"
  curl -s "http://127.0.0.1:$PORT/metrics" >"$T/metrics"
  finish_kiosk bargein
  E="$T/bargein.events"
  [ "$(count '"state": "barge_in"' "$E")" -eq 1 ] && ok "one barge-in" ||
    fail "barge-ins: $(count '"state": "barge_in"' "$E"); events: $(grep -a state "$E" | head -20)"
  grep -q "^event: interrupt" "$E" && ok "the greeting was interrupted" || fail "no interrupt event"
  finals=$(grep -a '"final": true' "$E")
  [ "$(echo "$finals" | grep -c .)" -eq 1 ] && ok "one utterance heard: $finals" ||
    fail "final texts (expected one; more means the avatar heard itself): $finals"
  echo "$finals" | grep -q '"text": "[a-z]' && echo "$finals" | grep -q '"lang": "en"' &&
    ok "heard English words" || fail "heard: $finals"
  # the greeting's own echo never started an utterance of its own
  [ "$(count '"state": "listening"' "$E")" -eq 1 ] && ok "no false start from the echo" ||
    fail "listening states: $(count '"state": "listening"' "$E")"
  grep -q 'shuzi_barge_ins_total 1' "$T/metrics" && ok "metrics: barge-ins 1" ||
    fail "metrics: $(grep barge "$T/metrics")"
  grep -q 'shuzi_heard_utterances_total{result="recognized"} 1' "$T/metrics" &&
    ok "metrics: one recognized utterance" || fail "metrics: $(grep heard_utt "$T/metrics")"
  grep -q 'shuzi_asr_latency_seconds_count 1' "$T/metrics" && ok "metrics: recognition latency" ||
    fail "metrics: $(grep asr_latency "$T/metrics" | head -3)"
  # the green dot at the video's top left (radius h/40, centre 2r,2r), the
  # text band below it, darker than the background beside the avatar
  IFS=x read -r w h <<<"$(ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x "$T/shot.bmp")"
  dot=$(pixel "$T/shot.bmp" $((h / 20)) $((h / 20)))
  band=$(pixel "$T/shot.bmp" $((w / 2)) $((h / 10 + h / 40)))
  bg=$(pixel "$T/shot.bmp" $((w / 10)) $((h / 2)))
  read -r r g b <<<"$dot"
  [ "${g:-0}" -gt 150 ] && [ "${r:-255}" -lt 100 ] && ok "window ${w}x$h: listening dot $dot" ||
    fail "window ${w}x$h: dot pixel $dot"
  [ -n "$band" ] && [ "$band" != "$bg" ] && ok "window: heard-text band $band (background $bg)" ||
    fail "window: no band: '$band', background '$bg'"
fi

# 3. A transcription server hears Mandarin; push-to-talk: the question said
# before POST /v1/listen is not heard, the one after it is, and answered.
if PYTHON=$(command -v python3); then
  "$PYTHON" "$SRC/tests/fake_transcribe.py" ok "营业时间是几点" chinese >"$T/fake.port" 2>"$T/fake.log" &
  FAKE=$!
  for _ in $(seq 1 50); do [ -s "$T/fake.port" ] && break; sleep 0.1; done
  FPORT=$(head -1 "$T/fake.port")
  speak_at "$T/q2.wav" 1 8 "What are your opening hours?" 9
  if start_kiosk ptt --mic "file:$T/q2.wav" --asr-url "http://127.0.0.1:$FPORT/v1" --push-to-talk \
       --duration 18; then
    sleep 7
    r=$(curl -s -X POST -d '{"on": true}' "http://127.0.0.1:$PORT/v1/listen")
    echo "$r" | grep -q '"listening": true' && ok "POST /v1/listen: $r" || fail "POST /v1/listen: $r"
    finish_kiosk ptt
    E="$T/ptt.events"
    finals=$(grep -a '"final": true' "$E")
    [ "$(echo "$finals" | grep -c .)" -eq 1 ] && ok "push-to-talk: one utterance heard" ||
      fail "push-to-talk: final texts: $finals"
    echo "$finals" | grep -q '"text": "营业时间是几点", "final": true, "lang": "zh"' &&
      ok "Mandarin from the server: $finals" || fail "heard: $finals"
    grep -q "上午九点到下午五点营业" "$T/ptt.out" && ok "answered in Mandarin" ||
      fail "answer: $(cat "$T/ptt.out")"
    [ "$(grep -c "fake_transcribe: ok, 16000 Hz, 1 ch, 2 bytes/sample" "$T/fake.log")" -eq 1 ] &&
      ok "one 16 kHz mono upload" || fail "uploads: $(cat "$T/fake.log")"
  fi
  kill $FAKE 2>/dev/null; wait $FAKE 2>/dev/null
else
  echo "SKIP part 3: python3 not found (./setup.sh installs it)"
fi

# 4. An unreachable transcription server: an error event; the kiosk goes on.
speak_at "$T/q3.wav" 6 4 "Hello there."
if start_kiosk down --mic "file:$T/q3.wav" --asr-url "http://127.0.0.1:9/v1" --duration 11; then
  finish_kiosk down
  grep -a '"source": "listening"' "$T/down.events" | grep -q "127.0.0.1:9" &&
    ok "unreachable server: $(grep -a '"source": "listening"' "$T/down.events" | head -1)" ||
    fail "no error event: $(grep -a error "$T/down.events" | head -3)"
fi

# 5. No microphone: POST /v1/listen says so.
if start_kiosk nomic --duration 3; then
  code=$(curl -s -o "$T/nomic.body" -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/v1/listen")
  [ "$code" = 409 ] && ok "POST /v1/listen without a microphone: 409 $(cat "$T/nomic.body")" ||
    fail "POST /v1/listen without a microphone: $code"
  finish_kiosk nomic
fi
testlib_end
