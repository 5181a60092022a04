#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_ask.sh: `shuzi ask`, the scripted FAQ's answer without a session: the
# demo room's product facts, answers in the question's language, the DEFAULT
# below the threshold, --explain, and one clear line for bad input.
set -u
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
. "$SRC/tests/testlib.sh" ask

# answer EXPECTED-SUBSTRING DESCRIPTION -- args...: exit 0, first line holds it
answer() {
  local want=$1 what=$2; shift 3
  local out; out=$("$@" 2>"$T/err"); local rc=$?
  if [ $rc -ne 0 ]; then fail "$what: exit $rc: $(cat "$T/err")"; return; fi
  if printf '%s\n' "$out" | head -1 | grep -qF -- "$want"; then ok "$what: $(printf '%s' "$out" | head -1)"
  else fail "$what: expected '$want', got: $out"; fi
}
# refused CODE MESSAGE-SUBSTRING DESCRIPTION -- args...: one 'shuzi: ' line
refused() {
  local code=$1 want=$2 what=$3; shift 4
  "$@" >"$T/out" 2>"$T/err"; local rc=$?
  if [ $rc -ne "$code" ]; then fail "$what: exit $rc, expected $code: $(cat "$T/err")"; return; fi
  if [ "$(grep -c . "$T/err")" -ne 1 ] || ! grep -q "^shuzi: .*$want" "$T/err"; then
    fail "$what: expected one 'shuzi: ...$want' line, got: $(cat "$T/err")"; return
  fi
  ok "$what: $(cat "$T/err")"
}

CFG="$SRC/demos/live.json"
FAQ="$SRC/demos/faq.txt"
answer "The red electric kettle is 199 yuan." "price from the product" -- \
  "$BIN" ask --config "$CFG" "How much is the kettle?"
answer "红色电水壶的价格是199元。" "price in Chinese, not a greeting" -- \
  "$BIN" ask --config "$CFG" "你好，这个水壶多少钱？"
answer "ships today" "stock, not the price" -- "$BIN" ask --config "$CFG" "Is the kettle in stock?"
answer "Sorry" "dishwasher: the DEFAULT" -- "$BIN" ask --config "$CFG" "Is the teapot dishwasher safe?"
answer "抱歉" "Chinese kiosk question: Chinese DEFAULT" -- \
  "$BIN" ask --faq "$FAQ" "请问可以换外币吗？"
answer "nine in the morning" "FAQ entry" -- "$BIN" ask --faq "$FAQ" "What are your opening hours?"
answer "Sorry, I do not have an answer" "built-in FAQ" -- "$BIN" ask "Can I buy shares here?"

out=$("$BIN" ask --config "$CFG" --faq "$FAQ" --explain "How much is the kettle?" 2>&1)
if printf '%s\n' "$out" | grep -q "^matched: product 'red electric kettle': price (score 1.000)$" &&
   printf '%s\n' "$out" | grep -q "^runner-up: .* (score 0\.[0-9]*)$" &&
   printf '%s\n' "$out" | grep -q "^threshold: 0.60, margin 0.05: answered$"; then
  ok "--explain: entry, score, runner-up, threshold"
else fail "--explain output: $out"; fi
out=$("$BIN" ask --faq "$FAQ" --explain "Is the teapot dishwasher safe?" 2>&1)
printf '%s\n' "$out" | grep -q "below, so the DEFAULT answers" && ok "--explain: below the threshold" ||
  fail "--explain below: $out"

"$BIN" ask --help >"$T/out" 2>&1 && grep -q "Usage: shuzi ask" "$T/out" && ok "ask --help" || fail "ask --help"
"$BIN" help ask >"$T/out" 2>&1 && grep -q "Usage: shuzi ask" "$T/out" && ok "help ask" || fail "help ask"
"$BIN" --help | grep -q "^  ask QUESTION" && ok "listed in --help" || fail "not in --help"

refused 2 "missing QUESTION" "no question" -- "$BIN" ask
refused 2 "unknown option '--bogus'" "unknown option" -- "$BIN" ask --bogus "hi"
refused 2 "--faq needs a value" "--faq without a value" -- "$BIN" ask "hi" --faq
refused 1 "no-such.faq" "missing FAQ file" -- "$BIN" ask --faq "$T/no-such.faq" "hi"
printf 'Q: hi\nA: hello\nDEFAULT[fr]: non\n' >"$T/bad.faq"
refused 1 "bad.faq:3: unknown language 'fr'" "malformed FAQ file" -- "$BIN" ask --faq "$T/bad.faq" "hi"
printf '{"products": [{"name": "kettle", "stock": 5}]}' >"$T/bad.json"
refused 1 "stock" "malformed product in the config" -- "$BIN" ask --config "$T/bad.json" "hi"
testlib_end
