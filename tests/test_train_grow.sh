#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_train_grow.sh: train.py on a small synthetic data set: it trains and
# resumes, --dec-dilations grows the decoder of an --init checkpoint with
# blocks that start as identities (the grown network's output equals the
# original's before any step), and a shape that cannot start from the
# checkpoint, or a malformed list, is one clear error. --ema keeps the
# moving average of the weights exactly (also across a resume), export.py
# writes it (or the trained weights with --raw) and says which, and a decay
# outside [0, 1) is one clear error. export.py --pretrained blends in the
# weights a voice was fine-tuned from, by a share it records, and refuses
# a share outside [0, 1) or another network, and records the band count of
# the checkpoint's features. --init also starts from an exported voice file,
# and export.py --durations-from takes the duration predictor from one.
# Skips without Debian's python3-torch.
set -u
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
PY=/usr/bin/python3
TR=$SRC/tools/train
if ! $PY -c 'import torch, numpy' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no torch (tools/train/setup.sh installs it)"; exit 77
fi
# shellcheck source=tests/testlib.sh
. "$SRC/tests/testlib.sh" grow

# Six utterances of random tokens and features: enough to run steps.
$PY - "$T" <<'EOF'
import sys, numpy as np
rng = np.random.default_rng(3)
lens = rng.integers(8, 14, 6)
flens = lens * 3 + rng.integers(0, 5, 6)
feats = rng.normal(size=(int(flens.sum()), 50)).astype(np.float32)
np.savez(sys.argv[1] + "/data.npz", ids=rng.integers(0, 12, int(lens.sum())).astype(np.int32),
         lens=lens.astype(np.int32), feats=feats, flens=flens.astype(np.int32),
         symbols=np.array(["^", "$", " ", ",", ".", "?", "!", "a", "b", "c", "d", "e"]),
         mean=feats.mean(0), std=feats.std(0) + 1e-4, uids=np.array([f"u{i}" for i in range(6)]))
EOF
run() { $PY "$TR/train.py" "$T" "$@" --threads 1 --batch-frames 400 --crop 16 >"$T/out" 2>&1; }

if run "$T/a" --steps 3; then ok "trains 3 steps"; else fail "train: $(tail -3 "$T/out")"; fi
if run "$T/a" --steps 4 && grep -q "resumed at step 3" "$T/out"; then ok "resumes"; else fail "resume: $(tail -3 "$T/out")"; fi

# Grown by four blocks, no step taken (learning rate 0 for one step): the
# output must equal the original network's exactly.
if run "$T/g" --steps 1 --lr 0 --init "$T/a/ckpt.pt" --dec-dilations 1,2,4,8,1,2,4,8,1,2,4,8 \
   && grep -q "decoder grown from 8 to 12 blocks" "$T/out"; then
  ok "grows the decoder from 8 to 12 blocks"
  if $PY - "$TR" "$T" <<'EOF'
import sys, torch
sys.path.insert(0, sys.argv[1])
import model as M
out = []
for run in ("a", "g"):
    ck = torch.load(f"{sys.argv[2]}/{run}/ckpt.pt")
    net = M.Voice(len(ck["symbols"]), ck["n_feats"], ck["hp"])
    net.load_state_dict(ck["model"])
    torch.manual_seed(5)
    x, mu = torch.randn(1, 50, 20), torch.randn(1, 50, 20)
    with torch.no_grad():
        out.append(net.decoder(x, mu, torch.tensor([0.25]), torch.ones(1, 1, 20)))
    print(run, len(ck["hp"]["dec_dilations"]), "blocks")
d = (out[0] - out[1]).abs().max().item()
print("max difference", d)
sys.exit(0 if d == 0.0 else 1)
EOF
  then ok "the grown decoder starts as the original"; else fail "the grown decoder differs"; fi
else
  fail "grow: $(tail -3 "$T/out")"
fi

# Shapes that cannot start from the checkpoint (with --init); malformed
# lists (without). Each case: LIST|INIT|what the one error line must say.
while IFS='|' read -r bad init want; do
  if [ -n "$init" ]; then set -- --init "$T/a/ckpt.pt"; else set --; fi
  if run "$T/b" --steps 1 "$@" --dec-dilations "$bad"; then
    fail "--dec-dilations '$bad' ${init:+from an 8-block checkpoint }was accepted"
  elif grep -q Traceback "$T/out" || ! grep -q "$want" "$T/out"; then
    fail "--dec-dilations '$bad': $(tail -2 "$T/out")"
  else ok "--dec-dilations '$bad': $(tail -1 "$T/out")"; fi
  rm -rf "$T/b"
done <<'EOF_CASES'
1,2,4,8|init|cannot start
2,2,4,8,1,2,4,8,1|init|cannot start
1,x||integers separated by commas
||integers separated by commas
0,1||dilations 1 to 64
1,,2||integers separated by commas
1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1||1 to 16 blocks
EOF_CASES

# --ema: the average after step 1 is half the initial weights (a run with
# learning rate 0 keeps them) and half the trained ones (a large learning
# rate, so that they differ); after a resume to
# step 2, half that and half the step-2 weights.
if run "$T/w0" --steps 1 --lr 0 && run "$T/e" --steps 1 --ema 0.5 --lr 50 && cp "$T/e/ckpt.pt" "$T/e1.pt" \
   && run "$T/e" --steps 2 --ema 0.5 --lr 50 && grep -q "resumed at step 1" "$T/out"; then
  if $PY - "$T" <<'EOF'
import sys, torch
t = sys.argv[1]
w0 = torch.load(f"{t}/w0/ckpt.pt")["model"]
c1, c2 = torch.load(f"{t}/e1.pt"), torch.load(f"{t}/e/ckpt.pt")
worst = 0.0
for k, v in w0.items():
    e1 = 0.5 * v + 0.5 * c1["model"][k]
    e2 = 0.5 * e1 + 0.5 * c2["model"][k]
    worst = max(worst, (e1 - c1["ema"][k]).abs().max().item(), (e2 - c2["ema"][k]).abs().max().item())
moved = max((c2["ema"][k] - c2["model"][k]).abs().max().item() for k in w0)
print("largest error", worst, "largest gap between the average and the weights", moved)
sys.exit(0 if worst < 1e-5 and moved > 1e-3 else 1)
EOF
  then ok "--ema keeps the moving average, across a resume"; else fail "--ema: the average is wrong"; fi
  for mode in ema raw; do
    if $PY "$TR/export.py" "$T/e/ckpt.pt" "$T/$mode.safetensors" --name t --data d --licence l \
         $([ $mode = raw ] && echo --raw) >"$T/out" 2>&1 && $PY - "$TR" "$T" $mode <<'EOF'
import json, sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from reference import read_safetensors
t, mode = sys.argv[2], sys.argv[3]
meta, tensors = read_safetensors(f"{t}/{mode}.safetensors")
want = torch.load(f"{t}/e/ckpt.pt")["ema" if mode == "ema" else "model"]
k = "decoder.out.weight"
training = json.loads(meta["training"])
print(mode, training["weights"])
sys.exit(0 if np.array_equal(tensors[k], want[k].numpy())
         and training["weights"] == ("moving average" if mode == "ema" else "trained") else 1)
EOF
    then ok "export.py writes the $mode weights and says so"; else fail "export.py ($mode): $(tail -2 "$T/out")"; fi
  done
  # --init from an exported voice file: training starts from its weights
  # (a step at learning rate 0 leaves them as they are); a file that is not
  # a voice is one clear error.
  if run "$T/fromvoice" --steps 1 --lr 0 --init "$T/raw.safetensors" \
       && grep -q "initialized from $T/raw.safetensors" "$T/out" && $PY - "$TR" "$T" <<'EOF'
import sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from reference import read_safetensors
t = sys.argv[2]
_, tensors = read_safetensors(f"{t}/raw.safetensors")
got = torch.load(f"{t}/fromvoice/ckpt.pt")["model"]
worst = max(float(np.abs(got[k].numpy() - v).max()) for k, v in tensors.items() if not k.startswith("feat_"))
print("largest difference", worst)
sys.exit(0 if worst == 0.0 else 1)
EOF
  then ok "--init starts from an exported voice file's weights"; else fail "--init VOICE.safetensors: $(tail -3 "$T/out")"; fi
  printf 'not a voice' >"$T/junk.safetensors"
  if run "$T/junk" --steps 1 --init "$T/junk.safetensors" || grep -q Traceback "$T/out" \
       || ! grep -q "not a diffusion voice file" "$T/out"; then
    fail "--init with a file that is not a voice: $(tail -2 "$T/out")"
  else ok "--init with a file that is not a voice: $(tail -1 "$T/out")"; fi
  # --pretrained: a quarter of w0's weights (the initial ones), three
  # quarters of the average, and the share in the metadata.
  if $PY "$TR/export.py" "$T/e/ckpt.pt" "$T/blend.safetensors" --name t --data d --licence l \
       --pretrained "$T/w0/ckpt.pt" --pretrained-share 0.25 >"$T/out" 2>&1 && $PY - "$TR" "$T" <<'EOF'
import json, sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from reference import read_safetensors
t = sys.argv[2]
meta, tensors = read_safetensors(f"{t}/blend.safetensors")
pre, fine = torch.load(f"{t}/w0/ckpt.pt")["model"], torch.load(f"{t}/e/ckpt.pt")["ema"]
worst, moved = 0.0, 0.0
for k in ("decoder.out.weight", "encoder.emb.weight"):
    got = tensors[k]
    worst = max(worst, float(np.abs(got - (0.25 * pre[k] + 0.75 * fine[k]).numpy()).max()))
    moved = max(moved, float(np.abs(got - fine[k].numpy()).max()))
training = json.loads(meta["training"])
print("largest error", worst, "largest change", moved, training["pretrained_share"])
sys.exit(0 if worst < 1e-6 and moved > 1e-3 and training["pretrained_share"] == 0.25
         and training["pretrained_steps"] == 1 else 1)
EOF
  then ok "export.py --pretrained blends the weights by the share and says so"
  else fail "export.py --pretrained: $(tail -2 "$T/out")"; fi
  # --durations-from: the duration predictor from another voice file, the
  # rest from the checkpoint, and the file named in the metadata; a file
  # that is not a voice is one clear error.
  if $PY "$TR/export.py" "$T/e/ckpt.pt" "$T/dfrom.safetensors" --name t --data d --licence l \
       --durations-from "$T/blend.safetensors" >"$T/out" 2>&1 && $PY - "$TR" "$T" <<'EOF'
import json, sys, numpy as np
sys.path.insert(0, sys.argv[1])
from reference import read_safetensors
t = sys.argv[2]
meta, got = read_safetensors(f"{t}/dfrom.safetensors")
_, dur = read_safetensors(f"{t}/blend.safetensors")
_, rest = read_safetensors(f"{t}/ema.safetensors")
keys = [k for k in got if k.startswith("encoder.dur")]
same_dur = all(np.array_equal(got[k], dur[k]) for k in keys)
same_rest = all(np.array_equal(v, rest[k]) for k, v in got.items() if not k.startswith("encoder.dur"))
moved = any(not np.array_equal(dur[k], rest[k]) for k in keys)
print(len(keys), "duration tensors taken;", json.loads(meta["training"]).get("durations_from"))
sys.exit(0 if keys and same_dur and same_rest and moved
         and json.loads(meta["training"])["durations_from"] == "blend.safetensors" else 1)
EOF
  then ok "export.py --durations-from takes the duration predictor from a voice file"
  else fail "export.py --durations-from: $(tail -2 "$T/out")"; fi
  if $PY "$TR/export.py" "$T/e/ckpt.pt" "$T/bad.safetensors" --name t --data d --licence l \
       --durations-from "$T/junk.safetensors" >"$T/out" 2>&1 || grep -q Traceback "$T/out" \
       || ! grep -q "not a voice file" "$T/out" || [ -e "$T/bad.safetensors" ]; then
    fail "export.py --durations-from with a file that is not a voice: $(tail -2 "$T/out")"
  else ok "export.py --durations-from with a file that is not a voice: $(tail -1 "$T/out")"; fi
  # Bad blends: each case is one clear error. ARGS|what the error must say.
  while IFS='|' read -r args want; do
    # shellcheck disable=SC2086
    if $PY "$TR/export.py" "$T/e/ckpt.pt" "$T/bad.safetensors" --name t --data d --licence l \
         $args >"$T/out" 2>&1 || grep -q Traceback "$T/out" || ! grep -qF "$want" "$T/out" \
         || [ -e "$T/bad.safetensors" ]; then
      fail "export.py $args: $(tail -2 "$T/out")"
    else ok "export.py $args: $(tail -1 "$T/out")"; fi
  done <<EOF_BLEND
--pretrained $T/w0/ckpt.pt --pretrained-share 1|wants a share in [0, 1)
--pretrained $T/w0/ckpt.pt|go together
--pretrained-share 0.3|go together
--pretrained $T/g/ckpt.pt --pretrained-share 0.3|cannot be blended in
EOF_BLEND
else
  fail "--ema: $(tail -3 "$T/out")"
fi
if run "$T/x" --steps 1 --ema 1 || ! grep -q "wants a decay" "$T/out" || grep -q Traceback "$T/out"; then
  fail "--ema 1: $(tail -2 "$T/out")"
else ok "--ema 1: $(tail -1 "$T/out")"; fi

# The voice file records the checkpoint's band count (prepare.py --bands):
# 48 for the data above, 16 for a copy of it with 18 features per frame.
mkdir -p "$T/b16"
$PY -c "
import sys, numpy as np
z = dict(np.load('$T/data.npz'))
z['feats'] = z['feats'][:, 32:]
z['mean'], z['std'] = z['mean'][32:], z['std'][32:]
np.savez('$T/b16/data.npz', **z)"
bands_of() {
  $PY -c "import sys; sys.path.insert(0, '$TR'); from reference import read_safetensors; print(read_safetensors(sys.argv[1])[0]['n_bands'])" "$1"
}
if $PY "$TR/train.py" "$T/b16" "$T/b16/ck" --steps 1 --threads 1 --batch-frames 400 --crop 16 >"$T/out" 2>&1 \
   && $PY "$TR/export.py" "$T/b16/ck/ckpt.pt" "$T/b16.safetensors" --name t --data d --licence l >"$T/out" 2>&1 \
   && [ "$(bands_of "$T/b16.safetensors")" = 16 ] && [ "$(bands_of "$T/ema.safetensors")" = 48 ]; then
  ok "export.py records 16 and 48 bands"
else fail "band count in the voice file: $(tail -2 "$T/out")"; fi

testlib_end
