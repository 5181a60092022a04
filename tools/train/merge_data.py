#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Joins two prepared data sets into one for fine-tuning.

    /usr/bin/python3 tools/train/merge_data.py A/data.npz B/data.npz OUT_DIR [--repeat-b K]

B must have been prepared with A's symbol table (prepare.py --symbols
A/data.npz). OUT_DIR/data.npz holds A's utterances and K copies of B's, and
keeps A's feature normalization, so weights trained on A fit. Used to
fine-tune the Mandarin voice on the real syllables without forgetting the
teacher's sentences (tools/train/train_voice_zh.sh).
"""
import argparse
import os
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("out_dir")
    ap.add_argument("--repeat-b", type=int, default=1)
    a = ap.parse_args()
    if a.repeat_b < 1:
        sys.exit("merge_data: --repeat-b must be at least 1")
    try:
        A, B = dict(np.load(a.a)), dict(np.load(a.b))
    except (OSError, ValueError) as e:
        sys.exit(f"merge_data: {e}")
    if list(A["symbols"]) != list(B["symbols"]):
        sys.exit(f"merge_data: {a.b} has another symbol table (prepare it with --symbols {a.a})")
    if A["feats"].shape[1] != B["feats"].shape[1]:
        sys.exit("merge_data: the two sets have different feature sizes")
    k = a.repeat_b
    out = {
        "ids": np.concatenate([A["ids"]] + [B["ids"]] * k),
        "lens": np.concatenate([A["lens"]] + [B["lens"]] * k),
        "feats": np.concatenate([A["feats"]] + [B["feats"]] * k),
        "flens": np.concatenate([A["flens"]] + [B["flens"]] * k),
        "uids": np.concatenate([A["uids"]] + [B["uids"]] * k),
        "symbols": A["symbols"], "mean": A["mean"], "std": A["std"], "n_bands": A["n_bands"],
    }
    os.makedirs(a.out_dir, exist_ok=True)
    np.savez(os.path.join(a.out_dir, "data.npz"), **out)
    print(f"merge_data: {len(A['lens'])} + {k} x {len(B['lens'])} utterances in {a.out_dir}/data.npz")


if __name__ == "__main__":
    main()
