#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a tiny, valid voice file (random weights, a few KB): the seed of
the voice-file fuzz target (fuzz/corpus/fuzz_voice/).

    /usr/bin/python3 tools/train/tiny_voice.py fuzz/corpus/fuzz_voice/tiny.safetensors
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
        "hparams": json.dumps(HP), "data_sha256": export.digest(tensors)}
export.write_safetensors(sys.argv[1], tensors, meta)
print(f"wrote {sys.argv[1]}: {os.path.getsize(sys.argv[1])} bytes")
