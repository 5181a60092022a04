#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_train_refiner.sh: the envelope refiner's tools (tools/train/refiner.py)
# from recordings to a voice file: pairs analyzes recordings with both
# smoothings (the narrow bands differ from the voice's, the features are
# the voice's), train fits a small refiner whose validation error falls
# below the unrefined change, attach writes a voice file that loads and
# keeps the voice's own weights, and vocode and copysynth.py render through
# it (not the same samples as without, the same length). Bad input is
# refused with one line and no traceback. Needs Debian's python3-torch
# (tools/train/setup.sh); skips without it.
set -u
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
BUILD=$(dirname "$BIN")
PY=/usr/bin/python3
RF=$SRC/tools/train/refiner.py
VOICE=$SRC/assets/voices/kathleen.safetensors
if ! $PY -c 'import numpy, torch' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no numpy or torch (tools/train/setup.sh installs them)"; exit 77
fi
[ -f "$VOICE" ] || { echo "SKIP: no voice at $VOICE"; exit 77; }
# shellcheck source=tests/testlib.sh
. "$SRC/tests/testlib.sh" refiner

# Four sentences spoken by espeak-ng as an LJSpeech-format folder.
mkdir -p "$T/data/wavs"
n=0
for text in "The quick brown fox jumps over the lazy dog." "Please bring your passport tomorrow morning." \
            "Is the branch open on Saturday afternoon?" "Your balance is one hundred and twelve dollars."; do
  n=$((n+1))
  "$BIN" tts --voice espeak:en-us -o "$T/data/wavs/u$n.wav" -- "$text" >/dev/null 2>&1 || fail "shuzi tts u$n"
  echo "u$n|$text" >>"$T/data/metadata.csv"
done
printf 'u4\tYour balance is one hundred and twelve dollars.\n' >"$T/held.tsv"

if $PY "$RF" pairs "$T/data" "$T/pairs.npz" --exclude "$T/held.tsv" >"$T/log" 2>&1; then
  ok "pairs: $(tail -1 "$T/log")"
else fail "pairs: $(tail -3 "$T/log")"; fi
if $PY "$RF" train "$T/pairs.npz" "$T/refiner.npz" --steps 300 --hidden 16 >"$T/log" 2>&1; then
  ok "train: $(tail -1 "$T/log")"
else fail "train: $(tail -3 "$T/log")"; fi
if $PY "$RF" attach "$VOICE" "$T/refiner.npz" "$T/voice.safetensors" --command test >"$T/log" 2>&1; then
  ok "attach: $(tail -1 "$T/log")"
else fail "attach: $(tail -3 "$T/log")"; fi

# The pairs: three recordings (the held-out one left out), the features as
# the voice's analysis gives them, narrow bands that differ; the refiner
# learnt something; the voice keeps its weights.
if $PY - "$SRC" "$T" "$VOICE" <<'PYEOF'
import json, os, sys
import numpy as np
src, t, voice = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "tools", "train"))
import features, prepare, reference
d = np.load(f"{t}/pairs.npz")
assert len(d["lens"]) == 3, d["lens"]
x = prepare.normalize_loudness(prepare.load_audio(f"{t}/data/wavs/u1.wav"))
f = features.analyze(x)
assert np.array_equal(d["f"][:len(f)], f), "pairs' features are not the voice's analysis"
diff = d["narrow"] - d["f"][:, :48]
assert 0.05 < np.sqrt((diff ** 2).mean()) < 3, np.sqrt((diff ** 2).mean())
r = np.load(f"{t}/refiner.npz")
info = json.loads(str(r["info"]))
assert info["validation_mse"] < 0.8 * info["change_mse"], info
m0, t0 = reference.read_safetensors(voice)
m1, t1 = reference.read_safetensors(f"{t}/voice.safetensors")
assert all(np.array_equal(t0[k], t1[k]) for k in t0 if not k.startswith("refiner."))
assert m1["refiner_context"] == "2" and m1["refiner_hidden"] == "16", m1
assert m1["data_sha256"] != m0["data_sha256"]
print("pairs", d["f"].shape, "change rms %.3f" % np.sqrt((diff ** 2).mean()),
      "validation %.4f of %.4f" % (info["validation_mse"], info["change_mse"]))
PYEOF
then ok "pairs, refiner and voice file"; else fail "pairs, refiner and voice file"; fi

# The voice with the refiner speaks; vocode and copysynth.py render through it.
if "$BIN" tts --voice "diffusion:$T/voice.safetensors" -o "$T/said.wav" -- "Good morning." >"$T/log" 2>&1 \
   && [ -s "$T/said.wav" ]; then ok "the voice with the refiner speaks"
else fail "the voice with the refiner: $(tail -2 "$T/log")"; fi
$PY - "$SRC" "$T" <<'PYEOF' || fail "features for vocode"
import os, sys
import numpy as np
src, t = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tools", "train"))
import features, prepare
x = prepare.normalize_loudness(prepare.load_audio(f"{t}/data/wavs/u4.wav"))
features.analyze(x).astype("<f4").tofile(f"{t}/u4.f32")
PYEOF
"$BUILD/vocode" "$T/u4.f32" "$T/plain.f32" || fail "vocode"
if "$BUILD/vocode" --refiner "$T/voice.safetensors" "$T/u4.f32" "$T/refined.f32" 2>"$T/log"; then
  if cmp -s "$T/plain.f32" "$T/refined.f32"; then fail "vocode --refiner changed nothing"
  elif [ "$(stat -c %s "$T/plain.f32")" != "$(stat -c %s "$T/refined.f32")" ]; then fail "vocode --refiner: another length"
  else ok "vocode --refiner: the same length, other samples"; fi
else fail "vocode --refiner: $(cat "$T/log")"; fi
if $PY "$SRC/tools/train/copysynth.py" "$T/data" "$T/copy" --refiner "$T/voice.safetensors" \
     --vocode "$BUILD/vocode" >"$T/log" 2>&1 && [ -s "$T/copy/wavs/u4.flac" ]; then
  ok "copysynth.py --refiner"
else fail "copysynth.py --refiner: $(tail -2 "$T/log")"; fi

# Refusals: one line, no traceback, no output.
echo "not numpy" >"$T/junk.npz"
/usr/bin/python3 "$SRC/tools/train/tiny_voice.py" "$T/tiny.safetensors" >/dev/null || fail "tiny voice"
while IFS='|' read -r args want; do
  # shellcheck disable=SC2086
  if $PY "$RF" $args >"$T/out" 2>&1; then
    fail "refiner.py $args was accepted"
  elif grep -q Traceback "$T/out" || ! grep -qF -- "$want" "$T/out"; then
    fail "refiner.py $args: $(tail -2 "$T/out")"
  else ok "refiner.py $args: $(tail -1 "$T/out")"; fi
done <<EOF_CASES
pairs $T/missing $T/p.npz|metadata.csv not found
pairs $T/data $T/p.npz --width 2|--width must be from 0.1 to 1
train $T/junk.npz $T/r.npz|not a file of pairs
train $T/pairs.npz $T/r.npz --context 9|--context 0 to 8
attach $T/junk.npz $T/refiner.npz $T/v.safetensors|not a voice file
attach $VOICE $T/junk.npz $T/v.safetensors|not a refiner
attach $T/tiny.safetensors $T/refiner.npz $T/v.safetensors|the voice has 4
EOF_CASES
[ -e "$T/v.safetensors" ] && fail "a refused attach left a file"
while IFS='|' read -r args want; do
  # shellcheck disable=SC2086
  if "$BUILD/vocode" $args "$T/u4.f32" "$T/bad.f32" >"$T/out" 2>&1; then fail "vocode $args was accepted"
  elif ! grep -qF -- "$want" "$T/out" || [ -e "$T/bad.f32" ]; then fail "vocode $args: $(cat "$T/out")"
  else ok "vocode $args: $(cat "$T/out")"; fi
done <<EOF_CASES
--refiner $T/missing.safetensors|missing.safetensors
--refiner $T/junk.npz|junk.npz
--bands 40 --refiner $T/voice.safetensors|not --bands 40
EOF_CASES
if "$BUILD/vocode" "$T/u4.f32" "$T/bad.f32" --refiner >"$T/out" 2>&1 || ! grep -qF "needs a voice file" "$T/out"; then
  fail "vocode ... --refiner: $(cat "$T/out")"
else ok "vocode ... --refiner: $(cat "$T/out")"; fi
# a voice without a refiner: the tiny voice (4 bands), with frames of 4 bands
$PY -c 'import numpy as np, sys; np.tile(np.array([0,0,0,0,5.3,0.9],"<f4"),(10,1)).tofile(sys.argv[1])' "$T/f4.f32"
if "$BUILD/vocode" --bands 4 --refiner "$T/tiny.safetensors" "$T/f4.f32" "$T/bad.f32" >"$T/out" 2>&1; then
  fail "vocode with a voice without a refiner was accepted"
elif ! grep -qF "has no envelope refiner" "$T/out" || [ -e "$T/bad.f32" ]; then fail "vocode, no refiner: $(cat "$T/out")"
else ok "vocode, no refiner: $(cat "$T/out")"; fi
testlib_end
