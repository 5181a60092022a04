#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_train_teacher.sh: the voice trainer's data tools on outside input.
# teacher.py turns sentences into an LJSpeech-format folder of Festival SLT
# speech (leaving out the development sentences), and rejects a malformed
# text list with one clear line; --list-unused lists the sentences after
# the ones it uses (the test set's rule); prepare.py phonemizes clause by clause
# (batched through `shuzi tts --dry-run --lines`); --symbols keeps another data
# set's symbol table and leaves out what it cannot spell; --bands sets the
# envelope bands (taken from the other data set with --symbols, another
# number refused); train_voice.sh rejects a bad --teacher or --bands
# argument. Skips without festival's SLT voice.
set -u
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
PY=/usr/bin/python3
TR=$SRC/tools/train
if ! command -v festival >/dev/null || [ ! -d /usr/share/festival/voices/us/cmu_us_slt_arctic_hts ]; then
  echo "SKIP: festival with festvox-us-slt-hts is not installed"; exit 77
fi
# shellcheck source=tests/testlib.sh
. "$SRC/tests/testlib.sh" teacher

# A malformed list: one clear line naming the file and line, no traceback.
printf 'LJ1|A fine first line.|A fine first line.\n|no id here\n' > "$T/bad.csv"
if $PY "$TR/teacher.py" "$T/bad.csv" "$T/bad" >"$T/out" 2>"$T/err"; then
  fail "a line without an id was accepted"
elif [ "$(grep -c . "$T/err")" -ne 1 ] || ! grep -q "bad.csv:2: expected id|text" "$T/err"; then
  fail "malformed list: $(cat "$T/err")"
else ok "a malformed text list is one clear error"; fi
if $PY "$TR/teacher.py" "$T/missing.csv" "$T/bad" >"$T/out" 2>"$T/err" || ! grep -q "missing.csv" "$T/err" \
   || grep -q Traceback "$T/err"; then
  fail "missing list: $(cat "$T/err")"
else ok "a missing text list is one clear error"; fi

# Two usable sentences, one with digits (skipped: Festival and the frontend
# could read it differently), one of the development sentences (skipped),
# one whose id is a path (skipped: ids become file names).
dev=$(head -1 "$SRC/bench/data/lj_dev.tsv" | cut -f2)
{
  echo "A1|The clerk wrote the letter slowly.|The clerk wrote the letter slowly."
  echo "A2|It cost 5 shillings.|It cost 5 shillings."
  echo "A3|$dev|$dev"
  echo "A4|Nobody answered the door that evening, so they went home.|Nobody answered the door that evening, so they went home."
  echo "../A5|An id that is a path is never a file name.|An id that is a path is never a file name."
} > "$T/texts.csv"
if ! $PY "$TR/teacher.py" "$T/texts.csv" "$T/slt" --count 10 >"$T/out" 2>&1; then
  fail "teacher.py: $(tail -3 "$T/out")"
else
  ids=$(cut -d'|' -f1 "$T/slt/metadata.csv" | sort | tr '\n' ' ')
  [ "$ids" = "A1 A4 " ] && ok "teacher keeps plain sentences only: $ids" || fail "kept: $ids"
  for u in A1 A4; do
    d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/slt/wavs/$u.wav" 2>/dev/null)
    awk -v d="${d:-0}" 'BEGIN { exit !(d > 1.0 && d < 8.0) }' && ok "$u.wav lasts $d s" || fail "$u.wav: duration '$d'"
  done
  ls "$T/slt/wavs" | grep -q part && fail "a partial file was left behind"
  # A second run finds everything done.
  $PY "$TR/teacher.py" "$T/texts.csv" "$T/slt" --count 10 >"$T/out" 2>&1
  grep -q "0 to synthesize" "$T/out" && ok "a second run resumes with nothing to do" || fail "rerun: $(cat "$T/out")"
fi

# --list-unused: the sentences after the ones a run uses, in the same
# order, each text once, none that a used sentence reads; no Festival run.
{
  echo "B1|The first plain sentence is here.|The first plain sentence is here."
  echo "B2|The first plain sentence is here.|The first plain sentence is here."
  echo "B3|A third sentence, with other words.|A third sentence, with other words."
  echo "B4|The fourth one reads like the others.|The fourth one reads like the others."
} > "$T/dup.csv"
$PY "$TR/teacher.py" "$T/dup.csv" --count 1 --list-unused 5 >"$T/unused" 2>"$T/err"
want=$($PY - "$T/dup.csv" <<'EOF'
import hashlib, sys
rows = [l.rstrip("\n").split("|")[:2] for l in open(sys.argv[1])]
rows.sort(key=lambda r: hashlib.sha1(r[0].encode()).hexdigest())
seen, out = {rows[0][1]}, []
for u, t in rows[1:]:
    if t not in seen:
        seen.add(t)
        out.append(f"{u}\t{t}")
print("\n".join(out))
EOF
)
if [ "$(cat "$T/unused")" = "$want" ] && [ ! -d "$T/dup" ] && grep -q "only $(grep -c . <<<"$want") usable sentences after the first 1" "$T/err"; then
  ok "teacher.py --list-unused: $(tr '\t\n' ' |' <"$T/unused")"
else fail "teacher.py --list-unused: got '$(cat "$T/unused")' want '$want' ($(cat "$T/err"))"; fi
for args in "--count 4 --list-unused 1|no usable sentence after the first 4" \
            "--list-unused 0|must be at least 1" "|give OUT_DIR"; do
  # shellcheck disable=SC2086
  if $PY "$TR/teacher.py" "$T/dup.csv" ${args%%|*} >"$T/out" 2>"$T/err"; then
    fail "teacher.py ${args%%|*} was accepted"
  elif grep -q Traceback "$T/err" || ! grep -q "${args#*|}" "$T/err"; then
    fail "teacher.py ${args%%|*}: $(cat "$T/err")"
  else ok "teacher.py ${args%%|*}: $(cat "$T/err")"; fi
done

# prepare.py --symbols: needs numpy.
if $PY -c "import numpy" 2>/dev/null && [ -f "$T/slt/metadata.csv" ]; then
  # a table that spells neither sentence
  $PY -c "import numpy as np; np.savez('$T/table.npz', symbols=np.array(['_pad', 'v']))"
  $PY "$TR/prepare.py" "$T/slt" "$T/prep" --shuzi "$BIN" --symbols "$T/table.npz" >"$T/out" 2>&1
  grep -q "left out: a phone outside" "$T/out" || fail "prepare --symbols reports nothing left out: $(cat "$T/out")"
  grep -q "no utterance fits" "$T/out" && ok "prepare --symbols refuses a table nothing fits" \
    || fail "prepare --symbols with a tiny table: $(tail -2 "$T/out")"
  if $PY "$TR/prepare.py" "$T/slt" "$T/prep" --shuzi "$BIN" >"$T/out" 2>&1; then
    $PY "$TR/prepare.py" "$T/slt" "$T/prep2" --shuzi "$BIN" --symbols "$T/prep/data.npz" >"$T/out2" 2>&1 \
      || fail "prepare --symbols with its own table: $(tail -2 "$T/out2")"
    $PY -c "
import sys, numpy as np
a, b = np.load('$T/prep/data.npz'), np.load('$T/prep2/data.npz')
sys.exit(0 if list(a['symbols']) == list(b['symbols']) and (a['ids'] == b['ids']).all() else 1)" \
      && ok "prepare --symbols with the same table gives the same tokens" || fail "tables or tokens differ"
    # The sentence with a comma: its clauses phonemized one by one (the second
    # starts afresh: "so" gets its own stress), punctuation tokens between.
    $PY -c "
import sys, numpy as np
a = np.load('$T/prep/data.npz')
i = list(a['uids']).index('A4')
o = int(a['lens'][:i].sum())
print('|'.join(str(a['symbols'][k]) for k in a['ids'][o:o + a['lens'][i]]))" >"$T/tok" 2>&1
    [ "$(cat "$T/tok")" = '^|n|ˈ|oʊ|b|ɑː|d|i| |ˈ|æ|n|s|ɚ|d| |ð|ə| |d|ˈ|oːɹ| |ð|æ|t| |ˈ|iː|v|n|ɪ|ŋ|,| |s|ˌ|oʊ| |ð|eɪ| |w|ɛ|n|t| |h|ˈ|oʊ|m|.|$' ] \
      && ok "prepare phonemizes clause by clause" || fail "A4 tokens: $(cat "$T/tok")"
    # --bands: 16 bands per frame, recorded; --symbols takes the other data
    # set's number, and refuses another one.
    $PY "$TR/prepare.py" "$T/slt" "$T/prep16" --shuzi "$BIN" --bands 16 >"$T/out" 2>&1 \
      || fail "prepare --bands 16: $(tail -2 "$T/out")"
    $PY "$TR/prepare.py" "$T/slt" "$T/prep16b" --shuzi "$BIN" --symbols "$T/prep16/data.npz" >"$T/out" 2>&1 \
      || fail "prepare --symbols of a 16-band set: $(tail -2 "$T/out")"
    $PY -c "
import sys, numpy as np
a, b, c = (np.load(f'$T/{d}/data.npz') for d in ('prep', 'prep16', 'prep16b'))
print(int(a['n_bands']), a['feats'].shape, int(b['n_bands']), b['feats'].shape, int(c['n_bands']))
sys.exit(0 if int(a['n_bands']) == 48 and a['feats'].shape[1] == 50 and int(b['n_bands']) == 16
         and b['feats'].shape[1] == 18 and int(c['n_bands']) == 16 and len(b['feats']) == len(a['feats'])
         else 1)" >"$T/out" 2>&1 && ok "prepare --bands 16: $(cat "$T/out")" || fail "--bands: $(cat "$T/out")"
    for args in "--bands 3" "--bands 16 --symbols $T/prep/data.npz" "--symbols $T/slt/metadata.csv"; do
      # shellcheck disable=SC2086
      if $PY "$TR/prepare.py" "$T/slt" "$T/prepbad" --shuzi "$BIN" $args >"$T/out" 2>&1; then
        fail "prepare $args was accepted"
      elif grep -q Traceback "$T/out" || ! grep -q "^prepare: " "$T/out"; then
        fail "prepare $args: $(tail -2 "$T/out")"
      else ok "prepare $args: $(tail -1 "$T/out")"; fi
    done
  else
    fail "prepare.py: $(tail -2 "$T/out")"
  fi
else
  echo "note: numpy missing for /usr/bin/python3; prepare.py --symbols not tested"
fi

if bash "$TR/train_voice.sh" --teacher lots "$T/slt" x >"$T/out" 2>&1; then
  fail "train_voice.sh accepted --teacher lots"
else
  grep -q "wants a step count" "$T/out" && ok "train_voice.sh rejects a bad --teacher" || fail "$(cat "$T/out")"
fi
if bash "$TR/train_voice.sh" --bands many "$T/slt" x >"$T/out" 2>&1; then
  fail "train_voice.sh accepted --bands many"
else
  grep -q "wants a number of bands" "$T/out" && ok "train_voice.sh rejects a bad --bands" || fail "$(cat "$T/out")"
fi

testlib_end
