#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_train_copysynth.sh: copy synthesis (tools/train/copysynth.py and
# build/vocode) renders recordings back through the voice's features and
# vocoder: same uids, same length, same pitch, same envelope, also for real
# recordings (measured by distortion.py too); a bench_voice
# dump folder works with --sentences; bench_voice --systems data scores the
# copies alone; bad input (a malformed feature file, bad options, bad
# --systems lists, missing folders and files, bad voices) is refused with
# one clear line, no traceback and no partial output. --voice puts parts of
# the shipped voice's features in the copies, on the recording's timing
# (tested only with Debian's python3-torch). Skips without python3-numpy.
set -u
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
BUILD=$(dirname "$BIN")
PY=/usr/bin/python3
CS=$SRC/tools/train/copysynth.py
VOC=$BUILD/vocode
if ! $PY -c 'import numpy' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no numpy (tools/train/setup.sh installs it)"; exit 77
fi
# shellcheck source=tests/testlib.sh
. "$SRC/tests/testlib.sh" copysynth

# An LJSpeech-format folder of two sentences, and the same as a dump folder.
mkdir -p "$T/data/wavs" "$T/dump"
printf 'a1\tThe quick brown fox jumps over the lazy dog.\n' >"$T/sentences.tsv"
printf 'b2\tPlease bring your passport tomorrow morning.\n' >>"$T/sentences.tsv"
printf 'c3\tThe quick brown fox jumps over the lazy dog.\n' >>"$T/sentences.tsv"
i=0
while IFS=$'\t' read -r uid text; do
  [ "$uid" = c3 ] && continue
  "$BIN" tts --voice espeak:en-us -o "$T/data/wavs/$uid.wav" -- "$text" >/dev/null 2>&1 \
    || fail "shuzi tts $uid"
  cp "$T/data/wavs/$uid.wav" "$T/dump/$(printf %03d $i).wav"
  echo "$uid|$text" >>"$T/data/metadata.csv"
  i=$((i+1))
done <"$T/sentences.tsv"

if $PY "$CS" "$T/data" "$T/copy1" >"$T/log" 2>&1; then ok "copysynth.py: $(tail -1 "$T/log")"
else fail "copysynth.py: $(cat "$T/log")"; fi
if $PY "$CS" "$T/dump" "$T/copy2" --sentences "$T/sentences.tsv" --seed 2 >"$T/log" 2>&1; then
  ok "copysynth.py on a dump folder: $(tail -1 "$T/log")"
else fail "copysynth.py on a dump folder: $(cat "$T/log")"; fi

# The copies: the same uids and texts, the length of their source (within
# one frame), the median F0 within 5%, the long-term envelope within 3 dB,
# and frame energies that follow the source's; another seed changes the
# noise, not the pitch.
if $PY - "$SRC" "$T" <<'EOF'
import os, sys
import numpy as np
src, t = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tools", "train"))
import features, prepare
assert open(f"{t}/copy1/metadata.csv").read() == open(f"{t}/data/metadata.csv").read()
assert sorted(os.listdir(f"{t}/copy1/wavs")) == ["a1.flac", "b2.flac"], os.listdir(f"{t}/copy1/wavs")
assert sorted(os.listdir(f"{t}/copy2/wavs")) == ["a1.flac", "b2.flac"], os.listdir(f"{t}/copy2/wavs")
for uid in ("a1", "b2"):
    x = prepare.normalize_loudness(prepare.load_audio(f"{t}/data/wavs/{uid}.wav"))
    y = prepare.load_audio(f"{t}/copy1/wavs/{uid}.flac")
    z = prepare.load_audio(f"{t}/copy2/wavs/{uid}.flac")
    assert abs(len(x) - len(y)) <= features.HOP, (len(x), len(y))
    with np.errstate(all="ignore"):
        fx, fy, fz = features.analyze(x), features.analyze(y), features.analyze(z)
    n = min(len(fx), len(fy), len(fz))
    fx, fy, fz = fx[:n], fy[:n], fz[:n]
    nb = features.N_BANDS
    v = (fx[:, -1] > 0) & (fy[:, -1] > 0)
    f0x, f0y, f0z = (np.median(np.exp(f[v, nb])) for f in (fx, fy, fz))
    env = 10 / np.log(10) * (fy[v, :nb].mean(0) - fx[v, :nb].mean(0))
    env_rms = np.sqrt(((env - env.mean()) ** 2).mean())
    ex, ey = np.log(np.exp(fx[:, :nb]).sum(1)), np.log(np.exp(fy[:, :nb]).sum(1))
    corr = np.corrcoef(ex, ey)[0, 1]
    print(f"{uid}: {len(x)} -> {len(y)} samples, F0 {f0x:.1f} -> {f0y:.1f} Hz "
          f"(seed 2: {f0z:.1f}), envelope {env_rms:.2f} dB apart, energy correlation {corr:.3f}")
    assert abs(f0y / f0x - 1) < 0.05 and abs(f0z / f0x - 1) < 0.05
    assert env_rms < 3.0 and corr > 0.9
    assert not np.array_equal(y, z)
EOF
then ok "copies keep length, pitch, envelope and energy"; else fail "copies differ from their sources"; fi

# Real recordings (../shared/data/speech: LJ Speech clips) through the
# features and the vocoder and back: the copies keep the pitch, envelope and
# energy as above, and tools/train/distortion.py measures them close to their
# sources (a copy of speech scored against the speech itself is 0 dB away).
SPEECH=$SRC/../shared/data/speech
if [ -f "$SPEECH/metadata.csv" ]; then
  mkdir -p "$T/real/wavs"
  : >"$T/real.tsv"
  for uid in LJ001-0002 LJ001-0020 LJ001-0038; do
    ln -s "$SPEECH/$uid.flac" "$T/real/wavs/$uid.flac"
    text=$(grep "^$uid|" "$SPEECH/metadata.csv" | cut -d'|' -f2)
    echo "$uid|$text" >>"$T/real/metadata.csv"
    printf '%s\t%s\n' "$uid" "$text" >>"$T/real.tsv"
  done
  if $PY "$CS" "$T/real" "$T/realcopy" >"$T/log" 2>&1; then ok "copysynth.py on real speech: $(tail -1 "$T/log")"
  else fail "copysynth.py on real speech: $(cat "$T/log")"; fi
  if $PY "$SRC/tools/train/distortion.py" "$T/real" "$T/realcopy" "$T/real" \
       --sentences "$T/real.tsv" >"$T/dist" 2>&1 && $PY - "$T/dist" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith("speech")]
copy, same = rows
print(f"real speech: copies {copy[2]} dB MCD, {copy[3]} cents F0 RMS, {copy[4]} gross F0 errors, "
      f"{copy[5]} voicing errors; the speech against itself {same[2]} dB")
assert copy[1] == "3" and same[1] == "3"
assert float(same[2]) == 0.0 and float(same[3]) == 0.0 and same[5] == "0.0%"
assert 0.0 < float(copy[2]) < 1.6, copy
# (a few octave errors of the pitch analysis dominate the F0 RMS)
assert float(copy[3]) < 400 and float(copy[4].rstrip("%")) < 6 and float(copy[5].rstrip("%")) < 8
EOF
  then ok "distortion.py: real speech and its copies are close; the speech is 0 dB from itself"
  else fail "distortion.py on real speech: $(cat "$T/dist")"; fi
else
  echo "SKIP: ../shared/data/speech is absent: no copies of real recordings"
fi

# With --voice, parts of the copies come from the shipped voice, decoded on
# the recording's timing: the envelope alone keeps the recording's pitch and
# follows its frame energies; the source alone keeps the recording's
# envelope and takes the voice's pitch (Kathleen's, far above espeak's).
if $PY -c 'import torch' 2>/dev/null; then
  for part in envelope source all; do
    if $PY "$CS" "$T/data" "$T/v_$part" --voice "$SRC/assets/voices/kathleen.safetensors" \
         --from-voice "$part" >"$T/log" 2>&1; then ok "copysynth.py --from-voice $part: $(tail -1 "$T/log")"
    else fail "copysynth.py --from-voice $part: $(cat "$T/log")"; fi
  done
  if $PY - "$SRC" "$T" <<'EOF'
import os, sys
import numpy as np
src, t = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tools", "train"))
import features, prepare
nb = features.N_BANDS
def feats(p):
    with np.errstate(all="ignore"):
        return features.analyze(prepare.load_audio(p))
for uid in ("a1", "b2"):
    fx = feats(f"{t}/copy1/wavs/{uid}.flac")
    fe, fs, fa = (feats(f"{t}/v_{p}/wavs/{uid}.flac") for p in ("envelope", "source", "all"))
    n = min(len(f) for f in (fx, fe, fs, fa))
    assert max(len(f) for f in (fx, fe, fs, fa)) - n <= 1
    fx, fe, fs, fa = fx[:n], fe[:n], fs[:n], fa[:n]
    f0 = [np.median(np.exp(f[f[:, -1] > 0.5, nb])) for f in (fx, fe, fs, fa)]
    energy = [np.log(np.exp(f[:, :nb]).sum(1)) for f in (fx, fe)]
    corr = np.corrcoef(*energy)[0, 1]
    v = (fx[:, -1] > 0.5) & (fs[:, -1] > 0.5)
    env = 10 / np.log(10) * (fs[v, :nb].mean(0) - fx[v, :nb].mean(0))
    env_rms = np.sqrt(((env - env.mean()) ** 2).mean())
    print(f"{uid}: median F0 copy {f0[0]:.0f}, envelope from the voice {f0[1]:.0f}, "
          f"source from the voice {f0[2]:.0f}, all {f0[3]:.0f} Hz; energy correlation "
          f"{corr:.2f}; source from the voice: envelope {env_rms:.2f} dB from the copy's")
    assert abs(f0[1] / f0[0] - 1) < 0.05
    assert f0[2] > 1.15 * f0[0] and f0[3] > 1.15 * f0[0]
    assert corr > 0.7 and env_rms < 3.0
EOF
  then ok "the voice's parts land on the recording's timing"; else fail "copies with the voice's parts"; fi
  # On the voice's timing: the plain copy and the voice's own features have
  # the voice's length, not the recording's; the copy keeps the pitch.
  for part in none all; do
    $PY "$CS" "$T/data" "$T/t_$part" --voice "$SRC/assets/voices/kathleen.safetensors" \
      --from-voice "$part" --timing voice >"$T/log" 2>&1 || fail "copysynth.py --from-voice $part --timing voice: $(cat "$T/log")"
  done
  if $PY - "$SRC" "$T" <<'EOF'
import os, sys
import numpy as np
import torch
src, t = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tools", "train"))
import aligned, features, model, prepare
nb = features.N_BANDS
voice = aligned.Voice(f"{src}/assets/voices/kathleen.safetensors")
texts = dict(line.rstrip("\n").split("|") for line in open(f"{t}/data/metadata.csv"))
for uid in ("a1", "b2"):
    x, n, a = (prepare.load_audio(f"{t}/{d}/wavs/{uid}.flac") for d in ("copy1", "t_none", "t_all"))
    tokens = prepare.phonemize_all(os.environ["SHUZI_BIN"], [texts[uid]], 1)[0]
    _, logd = voice.net.encoder(torch.tensor([voice.ids(tokens)]), torch.ones(1, 1, len(tokens)))
    frames = int(model.durations(logd[0].detach().numpy()).sum())
    with np.errstate(all="ignore"):
        fx, fn = features.analyze(x), features.analyze(n)
    f0 = [np.median(np.exp(f[f[:, -1] > 0.5, nb])) for f in (fx, fn)]
    print(f"{uid}: recording {len(x)} samples, on the voice's timing {len(n)} (its own features {len(a)}); "
          f"median F0 {f0[0]:.0f} -> {f0[1]:.0f} Hz")
    assert len(n) == len(a) == frames * features.HOP, frames
    assert abs(f0[1] / f0[0] - 1) < 0.05
EOF
  then ok "copies on the voice's timing"; else fail "copies on the voice's timing"; fi
else
  echo "SKIP: /usr/bin/python3 has no torch: --voice not tested (tools/train/setup.sh installs it)"
fi

# vocode refuses malformed features with the reason, and leaves no output.
$PY - "$T" <<'EOF'
import sys
import numpy as np
t = sys.argv[1]
good = np.zeros((10, 50), np.float32)
good[:, :48] = -8.0
good[:, 48] = np.log(150.0)
good[:, 49] = 0.9
good.tofile(f"{t}/good.f32")
open(f"{t}/short.f32", "wb").write(good.tobytes()[:-4])
open(f"{t}/empty.f32", "wb").close()
for name, (row, col, val) in {"nan": (3, 5, np.nan), "voicing": (2, 49, 2.0),
                              "f0": (4, 48, np.log(5000.0)), "band": (1, 0, 99.0)}.items():
    bad = good.copy()
    bad[row, col] = val
    bad.tofile(f"{t}/{name}.f32")
EOF
if "$VOC" "$T/good.f32" "$T/good.pcm" && [ "$(stat -c %s "$T/good.pcm")" -eq $((10 * 256 * 4)) ]; then
  ok "vocode: 10 frames -> 2560 samples"
else fail "vocode on good features"; fi
while IFS='|' read -r args want; do
  # shellcheck disable=SC2086
  if "$VOC" $args "$T/bad.pcm" >"$T/out" 2>&1; then
    fail "vocode $args was accepted"
  elif ! grep -qF -- "$want" "$T/out" || [ -e "$T/bad.pcm" ] || [ -e "$T/bad.pcm.part" ]; then
    fail "vocode $args: $(cat "$T/out")"
  else ok "vocode $args: $(head -1 "$T/out")"; fi
done <<EOF_CASES
$T/short.f32|is not a whole, non-zero number of frames
$T/empty.f32|is not a whole, non-zero number of frames
$T/nan.f32|frame 3, value 5 (nan) is not finite
$T/voicing.f32|frame 2, value 49 (2) is a voicing strength outside 0 to 1
$T/f0.f32|frame 4, value 48
$T/band.f32|frame 1, value 0 (99) is a log band energy outside
--bands 1 $T/good.f32|--bands needs a whole number from 2 to 256
--bands 80 $T/good.f32|is not a whole, non-zero number of frames of 82
--frob $T/good.f32|unknown option --frob
$T/missing.f32|cannot open
$T|not a regular file
EOF_CASES

# copysynth.py refuses bad input with one line and no traceback.
mkdir -p "$T/nometa" "$T/badmeta/wavs"
echo "x1|Hello there." >"$T/badmeta/metadata.csv"
echo "not audio" >"$T/badmeta/wavs/x1.wav"
printf 'zz\tNo such sentence.\n' >"$T/other.tsv"
printf 'a1 The quick brown fox.\n' >"$T/notab.tsv"
while IFS='|' read -r args want; do
  # shellcheck disable=SC2086
  if $PY "$CS" $args "$T/bad_out" >"$T/out" 2>&1; then
    fail "copysynth.py $args was accepted"
  elif grep -q Traceback "$T/out" || ! grep -qF -- "$want" "$T/out"; then
    fail "copysynth.py $args: $(tail -2 "$T/out")"
  else ok "copysynth.py $args: $(tail -1 "$T/out")"; fi
done <<EOF_CASES
$T/missing|no such folder
$T/nometa|needs --sentences
$T/nometa --sentences $T/sentences.tsv|000.wav is missing
$T/data --sentences $T/other.tsv|has no zz
$T/data --sentences $T/notab.tsv|notab.tsv:1: expected UID<TAB>TEXT
$T/data --sentences $T/none.tsv|cannot read
$T/badmeta|ffmpeg could not read
$T/data --bands 1|--bands must be from 2 to 256
$T/data --vocode $T/nothing|not found
$T/data --voice $T/sentences.tsv|--voice and --from-voice go together
$T/data --from-voice all|--voice and --from-voice go together
$T/data --voice $T/none.safetensors --from-voice some|invalid choice: 'some'
$T/data --temperature 0.5|--temperature needs --voice
$T/data --timing voice|--timing needs --voice
EOF_CASES
if $PY -c 'import torch' 2>/dev/null; then
  head -c 200000 "$SRC/assets/voices/kathleen.safetensors" >"$T/cut.safetensors"
  while IFS='|' read -r args want; do
    # shellcheck disable=SC2086
    if $PY "$CS" $args "$T/bad_out" >"$T/out" 2>&1; then
      fail "copysynth.py $args was accepted"
    elif grep -q Traceback "$T/out" || ! grep -qF -- "$want" "$T/out" || [ -e "$T/bad_out/metadata.csv" ]; then
      fail "copysynth.py $args: $(tail -2 "$T/out")"
    else ok "copysynth.py $args: $(tail -1 "$T/out")"; fi
  done <<EOF_CASES
$T/data --voice $T/none.safetensors --from-voice all|none.safetensors: no such voice file
$T/data --voice $T/sentences.tsv --from-voice all|not a diffusion voice file this model loads
$T/data --voice $T/cut.safetensors --from-voice all|do not hold shape
$T/data --voice $SRC/assets/voices/kathleen.safetensors --from-voice none|--from-voice none needs --timing voice
$T/data --voice $SRC/assets/voices/kathleen.safetensors --from-voice all --bands 80|has 48 bands, not --bands 80
$T/data --voice $SRC/assets/voices/kathleen.safetensors --from-voice all --temperature 3|must be from 0 to 2
EOF_CASES
fi

# bench_voice labels copy syntheses; an empty label is refused.
if "$BUILD/bench_voice" --help | grep -q -- "--data-label TEXT" &&
   ! "$BUILD/bench_voice" --data-label "" >"$T/out" 2>&1 && grep -q "non-empty" "$T/out"; then
  ok "bench_voice --data-label"
else fail "bench_voice --data-label: $(cat "$T/out")"; fi

# bench_voice --systems data scores the copies alone; bad lists are refused.
"$BUILD/bench_voice" --sections wer --systems data --data "$T/copy1" --data-label "the copies" \
  --sentences "$T/sentences.tsv" >"$T/out" 2>&1
if grep -q "this build has no pocketsphinx" "$T/out"; then
  ok "bench_voice --systems data: not scored (no pocketsphinx in this build)"
elif grep -Eq "^  the copies +2 +15 " "$T/out" &&
     [ "$(grep -c "unavailable: not asked for (--systems)" "$T/out")" = 3 ]; then
  ok "bench_voice --systems data: $(grep -E "^  the copies" "$T/out" | tr -s ' ')"
else fail "bench_voice --systems data: $(tail -12 "$T/out")"; fi
for bad in "ours,nobody" "" ","; do
  if ! "$BUILD/bench_voice" --systems "$bad" >"$T/out" 2>&1 && grep -q "^bench_voice: --systems: " "$T/out"; then
    ok "bench_voice --systems '$bad': $(cat "$T/out")"
  else fail "bench_voice --systems '$bad' was accepted: $(tail -3 "$T/out")"; fi
done

testlib_end
