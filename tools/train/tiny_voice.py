#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a tiny, valid voice file (random weights, a few KB): the seed of
the voice-file fuzz target (fuzz/corpus/fuzz_voice/). With --refiner it
also carries a tiny envelope refiner (tools/train/refiner.py's tensors).

    /usr/bin/python3 tools/train/tiny_voice.py fuzz/corpus/fuzz_voice/tiny.safetensors
    /usr/bin/python3 tools/train/tiny_voice.py fuzz/corpus/fuzz_voice/tiny-refiner.safetensors --refiner
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import model as M  # noqa: E402

HP = dict(enc_channels=4, enc_layers=1, enc_kernel=3, dur_channels=4, dec_channels=4,
          dec_dilations=[1, 2], time_dim=4)
SYMBOLS = ["^", "$", " ", ",", ".", "?", "!", "ˈ", "ˌ", "a", "b"]
N_BANDS = 4

torch.manual_seed(0)
net = M.Voice(len(SYMBOLS), N_BANDS + 2, HP)
tensors = {k: v.detach().numpy() for k, v in net.state_dict().items()}
tensors["feat_mean"] = np.zeros(N_BANDS + 2, np.float32)
tensors["feat_std"] = np.ones(N_BANDS + 2, np.float32)
meta = {"format": "shuzi-diffusion-voice", "version": "1", "name": "tiny", "language": "en-us",
        "sample_rate": "22050", "hop": "64", "win": "256", "n_bands": str(N_BANDS),
        "voicing_threshold_permille": "450", "symbols": json.dumps(SYMBOLS, ensure_ascii=False),
        "hparams": json.dumps(HP)}
if "--refiner" in sys.argv[2:]:
    ctx, hidden, win = 1, 3, 16  # inputs: 3 frames of bands, log F0, voicing, 2 x bands
    n_in = (2 * ctx + 1) * N_BANDS + 2 + 2 * N_BANDS
    rng = np.random.default_rng(0)
    r = {"in_mean": rng.normal(size=n_in), "in_std": np.ones(n_in),
         "l1.weight": rng.normal(size=(hidden, n_in)), "l1.bias": np.zeros(hidden),
         "l2.weight": rng.normal(size=(hidden, hidden)), "l2.bias": np.zeros(hidden),
         "out.weight": 0.1 * rng.normal(size=(N_BANDS, hidden)), "out.bias": np.zeros(N_BANDS),
         "ripple": rng.uniform(size=(N_BANDS, win // 2 + 1)) / (win // 2 + 1)}
    tensors.update({"refiner." + k: np.asarray(v, np.float32) for k, v in r.items()})
    meta.update(refiner_context=str(ctx), refiner_hidden=str(hidden), refiner_win=str(win))
meta["data_sha256"] = export.digest(tensors)
export.write_safetensors(sys.argv[1], tensors, meta)
print(f"wrote {sys.argv[1]}: {os.path.getsize(sys.argv[1])} bytes")
