#!/usr/bin/python3
"""Writes the PyTorch reference output that tests/test_diffusion_voice.c
compares the C inference with.

    /usr/bin/python3 tools/train/reference.py assets/voices/kathleen.safetensors \
        tests/data/diffusion_reference.safetensors

It loads the voice file itself (not the checkpoint), runs model.Voice on a
fixed token sequence with temperature 0 (no noise, so C and PyTorch take
the same path) and 4 Euler steps, and stores the token ids, the encoder's
mu, the durations and the decoded features. Rerun it whenever the voice
file changes: the test refuses a reference made from another voice.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import model as M  # noqa: E402

# a fixed token sequence ("Author of the danger trail, Philip Steels.")
PHONES = "^ ˈ ɔː θ ɚ ɹ   ʌ v ð ə   d ˈ eɪ n dʒ ɚ   t ɹ ˈ eɪ l , f ˈ ɪ l ɪ p   s t ˈ iː l z . $"
STEPS = 4


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        assert h["dtype"] == "F32", name
        tensors[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(h["shape"])
    return meta, tensors


def tokens(symbols):
    out, i = [], 0
    parts = PHONES.split(" ")
    # "   " in PHONES marks a space token between words
    while i < len(parts):
        if parts[i] == "" and i + 1 < len(parts) and parts[i + 1] == "":
            out.append(" ")
            i += 2
            continue
        if parts[i]:
            out.append(parts[i])
        i += 1
    return [symbols.index(t) for t in out]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    meta, tensors = read_safetensors(src)
    symbols = json.loads(meta["symbols"])
    hp = json.loads(meta["hparams"])
    n_feats = int(meta["n_bands"]) + 2
    net = M.Voice(len(symbols), n_feats, hp)
    state = {k: torch.from_numpy(v.copy()) for k, v in tensors.items() if not k.startswith("feat_")}
    net.load_state_dict(state)
    net.eval()
    ids = tokens(symbols)
    mu, d, x = net.synthesize(ids, steps=STEPS, temperature=0.0)
    out = {"ids": np.array(ids, np.float32), "mu": mu.astype(np.float32),
           "frames": d.astype(np.float32), "features": x.astype(np.float32)}
    export.write_safetensors(dst, out, {"voice_sha256": meta["data_sha256"], "steps": str(STEPS),
                                        "temperature": "0"})
    print(f"wrote {dst}: {len(ids)} tokens, {x.shape[0]} frames")


if __name__ == "__main__":
    main()
