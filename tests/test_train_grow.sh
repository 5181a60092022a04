#!/bin/bash
# test_train_grow.sh: train.py on a small synthetic data set: it trains and
# resumes, --dec-dilations grows the decoder of an --init checkpoint with
# blocks that start as identities (the grown network's output equals the
# original's before any step), and a shape that cannot start from the
# checkpoint, or a malformed list, is one clear error. Skips without
# Debian's python3-torch.
set -u
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
PY=/usr/bin/python3
TR=$SRC/tools/train
if ! $PY -c 'import torch, numpy' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no torch (tools/train/setup.sh installs it)"; exit 77
fi
T=$(mktemp -d /tmp/shuzi-grow-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails+1)); }
ok() { echo "ok: $*"; }

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

[ $fails -eq 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
