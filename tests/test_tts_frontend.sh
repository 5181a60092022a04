#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_tts_frontend.sh: the text frontend as a user meets it: `shuzi tts
# --dry-run` prints one JSON object per sentence (lang, normalized text,
# phones per word), SSML breaks and marks land in a real WAV's speech marks,
# and malformed SSML is one clear error line with its position.
set -u
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
T=$(mktemp -d /tmp/shuzi-fe-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails+1)); }
ok() { echo "ok: $*"; }

# run CODE DESCRIPTION -- command...: exit code, stdout in $T/out, stderr in $T/err
run() {
  local code=$1 what=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" -ne "$code" ]; then fail "$what: exit $rc, expected $code: $(head -c 300 "$T/err")"; return 1; fi
  if [ "$code" -ne 0 ] && { [ "$(grep -c . "$T/err")" -ne 1 ] || ! grep -q '^shuzi: ' "$T/err"; }; then
    fail "$what: expected one 'shuzi: ...' line on stderr, got: $(cat "$T/err")"; return 1
  fi
  ok "$what"
}

run 0 "dry run, mixed Chinese and English" -- "$BIN" tts --dry-run "这款iPhone 16只要5999元"
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "one sentence, one line: $(cat "$T/out")"
grep -qF '{"lang":"zh","text":"这款 iPhone 十六只要五千九百九十九元","phones":[["ʈʂ","ɤ","˥˩"],' "$T/out" \
  || fail "zh JSON: $(cat "$T/out")"
grep -qF '["ˈaɪ"],["f","ˈoʊ","n"]' "$T/out" || fail "iPhone in English phones: $(cat "$T/out")"
grep -qF '["yæ","n","˧˥"]]}' "$T/out" || fail "元 with its tone last: $(cat "$T/out")"

run 0 "dry run, two English sentences" -- "$BIN" tts --dry-run "Hello. It costs \$19.99!"
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "two lines: $(cat "$T/out")"
[ "$(head -1 "$T/out")" = '{"lang":"en","text":"Hello.","phones":[["h","ə","l","ˈoʊ"]]}' ] \
  || fail "first line: $(head -1 "$T/out")"
grep -qF '"text":"It costs nineteen dollars and ninety nine cents!"' "$T/out" \
  || fail "amount: $(tail -1 "$T/out")"

run 0 "dry run of SSML" -- "$BIN" tts --dry-run --ssml \
  '<speak>One <break time="500ms"/> two <mark name="m"/> <say-as interpret-as="digits">42</say-as>.</speak>'
[ "$(cat "$T/out")" = '{"lang":"en","text":"One two four two.","phones":[["w","ˈʌ","n"],["t","ˈuː"],["f","ˈoːɹ"],["t","ˈuː"]]}' ] \
  || fail "SSML JSON: $(cat "$T/out")"

echo "你好，一个人。" >"$T/in.txt"
run 0 "dry run from standard input" -- bash -c "\"$BIN\" tts --dry-run - <\"$T/in.txt\""
grep -qF '{"lang":"zh","text":"你好，一个人。","phones":[["n","i","˧˥"],["x","ɑu","˨˩˦"],["j","i","˧˥"],["k","ɤ","˩"],["ʐ","ə","n","˧˥"]]}' "$T/out" \
  || fail "stdin JSON (sandhi of 你好 and 一个): $(cat "$T/out")"

run 0 "dry run with a Mandarin voice reads digits in Chinese" -- "$BIN" tts --dry-run --voice espeak:cmn "14:30"
grep -qF '"text":"十四点三十分"' "$T/out" || fail "cmn voice: $(cat "$T/out")"

run 1 "malformed SSML (dry run)" -- "$BIN" tts --dry-run --ssml '<speak>Hi <break time="x"/></speak>'
grep -qF "shuzi: ssml: line 1, column 18: break time 'x': expected a duration like 500ms or 2s" "$T/err" \
  || fail "message: $(cat "$T/err")"
run 1 "malformed SSML (synthesis), no file left" -- "$BIN" tts --ssml '<speak>Hi <prosody>' -o "$T/bad.wav"
grep -qF "shuzi: ssml: line 1, column 20: unexpected end of the document: <prosody> (line 1, column 11) is not closed" "$T/err" \
  || fail "message: $(cat "$T/err")"
[ ! -e "$T/bad.wav" ] || fail "a file was left behind"
run 1 "empty text" -- "$BIN" tts --dry-run ""
run 2 "--dry-run with -o" -- "$BIN" tts --dry-run "Hi" -o "$T/x.wav"
run 2 "--dry-run on say" -- "$BIN" say --dry-run "Hi"

# --lines: a batch of texts in one process, each object tagged with its line.
printf 'Hello. Two.\n\n  \nIt costs $5!\n' >"$T/lines.txt"
run 0 "dry run of lines from standard input" -- bash -c "\"$BIN\" tts --dry-run --lines - <\"$T/lines.txt\""
[ "$(cat "$T/out")" = '{"line":1,"lang":"en","text":"Hello.","phones":[["h","ə","l","ˈoʊ"]]}
{"line":1,"lang":"en","text":"Two.","phones":[["t","ˈuː"]]}
{"line":4,"lang":"en","text":"It costs five dollars!","phones":[["ɪ","t"],["k","ˈɔ","s","t","s"],["f","ˈaɪ","v"],["d","ˈɑː","l","ɚ","z"]]}' ] \
  || fail "lines JSON (blank lines print nothing, numbers count them): $(cat "$T/out")"
run 0 "dry run of lines of an argument" -- "$BIN" tts --dry-run --lines "$(printf 'One\nTwo')"
[ "$(cut -c1-10 "$T/out" | tr '\n' ' ')" = '{"line":1, {"line":2, ' ] || fail "argument lines: $(cat "$T/out")"
printf 'Fine.\nBad \377 byte.\n' >"$T/bad.txt"
run 1 "a bad line stops the batch with its number" -- bash -c "\"$BIN\" tts --dry-run --lines - <\"$T/bad.txt\""
grep -qF "shuzi: line 2: text is not valid UTF-8" "$T/err" || fail "message: $(cat "$T/err")"
printf 'Fine.\nNUL \000 here.\n' >"$T/nul.txt"
run 1 "a NUL byte in a line" -- bash -c "\"$BIN\" tts --dry-run --lines - <\"$T/nul.txt\""
grep -qF "shuzi: line 2: it contains a NUL byte" "$T/err" || fail "message: $(cat "$T/err")"
run 0 "no lines at all print nothing" -- bash -c "\"$BIN\" tts --dry-run --lines - </dev/null"
[ ! -s "$T/out" ] || fail "output for no input: $(cat "$T/out")"
run 2 "--lines without --dry-run" -- "$BIN" tts --lines "Hi" -o "$T/x.wav"

# A real synthesis: the break is silence, the mark sits between the words.
run 0 "SSML to WAV with marks" -- "$BIN" tts -q --ssml \
  '<speak>One <break time="800ms"/> two <mark name="here"/> three. 你好。</speak>' -o "$T/a.wav" --marks "$T/a.jsonl"
word() { grep "\"type\": \"word\", \"value\": \"$1\"" "$T/a.jsonl" | head -1 | sed 's/.*"time_ms": \([0-9]*\).*"end_ms": \([0-9]*\).*/\1 \2/'; }
read -r one_s one_e <<<"$(word One)"
read -r two_s two_e <<<"$(word two)"
read -r three_s three_e <<<"$(word three)"
read -r ni_s ni_e <<<"$(word 你)"
mark=$(grep '"type": "mark", "value": "here"' "$T/a.jsonl" | sed 's/.*"time_ms": \([0-9]*\).*/\1/')
if [ -z "${one_e:-}" ] || [ -z "${two_s:-}" ] || [ -z "${three_s:-}" ] || [ -z "${ni_s:-}" ] || [ -z "$mark" ]; then
  fail "marks file lacks words or the mark: $(grep -v -e phoneme -e viseme "$T/a.jsonl")"
else
  [ $((two_s - one_e)) -ge 800 ] || fail "break: One ends $one_e, two starts $two_s"
  [ "$mark" -ge "$two_e" ] && [ "$mark" -le "$three_s" ] || fail "mark $mark not between two ($two_e) and three ($three_s)"
  [ "$ni_s" -gt "$three_e" ] || fail "你 ($ni_s) after three ($three_e)"
  ok "break $((two_s - one_e)) ms, mark at $mark ms between two and three, Mandarin after English"
fi
grep -q '"type": "sentence", "value": "你好。"' "$T/a.jsonl" || fail "sentence mark for 你好。"

[ $fails -eq 0 ]
