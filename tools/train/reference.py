#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the PyTorch reference output that tests/test_diffusion_voice.c
compares the C inference with.

    /usr/bin/python3 tools/train/reference.py assets/voices/kathleen.safetensors \
        tests/data/diffusion_reference.safetensors

It loads the voice file itself (not the checkpoint), runs model.Voice on a
fixed token sequence with temperature 0 (no noise, so C and PyTorch take
the same path) and 4 Euler steps, and stores the token ids, the encoder's
mu, the durations and the decoded features. A voice with an envelope
refiner also gets the decoded features in real units (refiner_in) and
their bands refined by refiner.py's numpy twin of the C refiner
(refiner_out). Rerun it whenever the voice file changes: the test refuses
a reference made from another voice.
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
    """(metadata, {name: float32 array}) of a safetensors file of F32
    tensors; ValueError, with the reason, for anything else."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError("shorter than a safetensors header")
    n = struct.unpack("<Q", blob[:8])[0]
    if n > len(blob) - 8:
        raise ValueError(f"header of {n} bytes in a file of {len(blob)}")
    try:
        header = json.loads(blob[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    tensors = {}
    for name, h in header.items():
        try:
            a, b = h["data_offsets"]
            shape = [int(x) for x in h["shape"]]
            dtype = h["dtype"]
        except (TypeError, KeyError, ValueError):
            raise ValueError(f"tensor {name}: malformed entry") from None
        if dtype != "F32":
            raise ValueError(f"tensor {name}: dtype {dtype}, not F32")
        if not (isinstance(a, int) and isinstance(b, int) and 0 <= a <= b <= len(data)) \
                or b - a != 4 * int(np.prod(shape)) or min(shape, default=1) < 0:
            raise ValueError(f"tensor {name}: offsets {a}..{b} do not hold shape {shape}")
        tensors[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(shape)
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


def load_voice(path):
    """(net, symbols, metadata, tensors) of a voice file: net is the
    model.Voice it holds, in eval mode."""
    meta, tensors = read_safetensors(path)
    symbols = json.loads(meta["symbols"])
    net = M.Voice(len(symbols), int(meta["n_bands"]) + 2, json.loads(meta["hparams"]))
    net.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()
                         if not k.startswith(("feat_", "refiner."))})
    net.eval()
    return net, symbols, meta, tensors


def main():
    src, dst = sys.argv[1], sys.argv[2]
    net, symbols, meta, tensors = load_voice(src)
    ids = tokens(symbols)
    mu, d, x = net.synthesize(ids, steps=STEPS, temperature=0.0)
    out = {"ids": np.array(ids, np.float32), "mu": mu.astype(np.float32),
           "frames": d.astype(np.float32), "features": x.astype(np.float32)}
    if "refiner_context" in meta:
        import refiner
        real = (x * tensors["feat_std"] + tensors["feat_mean"]).astype(np.float32)
        out["refiner_in"] = real
        out["refiner_out"] = refiner.apply(tensors, meta, real).astype(np.float32)
    export.write_safetensors(dst, out, {"voice_sha256": meta["data_sha256"], "steps": str(STEPS),
                                        "temperature": "0"})
    print(f"wrote {dst}: {len(ids)} tokens, {x.shape[0]} frames")


if __name__ == "__main__":
    main()
