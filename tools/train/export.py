#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a trained checkpoint as a shuzi voice file (.safetensors).

    /usr/bin/python3 tools/train/export.py CKPT_DIR/ckpt.pt OUT.safetensors \
        --name kathleen --language en-us --data "..." --licence "..." --command "..."

The file holds the weights (float32), feat_mean / feat_std, and in
__metadata__: format, hyper-parameters, the symbol table, the feature
constants, language, provenance, and data_sha256 (SHA-256 over every
tensor's bytes, tensors in byte order of their names), which the C loader
checks so an altered file is refused.

With --pretrained CKPT --pretrained-share S the exported weights are
S * (CKPT's weights) + (1 - S) * (the trained weights or their average):
a blend of the fine-tuned voice with the weights it was fine-tuned from
(train.py --init), which keeps more of what pretraining on a large corpus
learnt (tools/train/README.md has the measurements).

With --durations-from VOICE.safetensors the duration predictor's weights
(encoder.dur*) come from that voice file instead: a voice fine-tuned on
features of a newer analysis keeps the speaking rate of the voice it
started from (the newer features' alignments made the shipped voice's
fine-tune speak 6% faster than the recordings; tools/train/README.md).
"""
import argparse
import datetime
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features  # noqa: E402


def write_safetensors(path, tensors, metadata):
    names = sorted(tensors)
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for n in names:
        a = np.ascontiguousarray(tensors[n], dtype="<f4")
        b = a.tobytes()
        header[n] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    h += b" " * ((-(8 + len(h))) % 8)  # keep tensors 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def digest(tensors):
    h = hashlib.sha256()
    for n in sorted(tensors, key=lambda s: s.encode("utf-8")):
        h.update(np.ascontiguousarray(tensors[n], dtype="<f4").tobytes())
    return h.hexdigest()


def portable(args):
    """Training arguments without the trainer's directories (only the last
    path component of each path is kept: no machine's layout in the file)."""
    out = dict(args)
    for k in ("data", "ckpt_dir", "init"):
        if isinstance(out.get(k), str):
            out[k] = os.path.basename(os.path.normpath(out[k]))
    return out


def blend(weights, ck, path, share):
    """share * the pretrained checkpoint's weights + (1 - share) * weights.
    The two networks must be the same: same symbols, same weight shapes."""
    pk = torch.load(path)
    pre = pk["model"]
    same = (list(pk["symbols"]) == list(ck["symbols"]) and set(pre) == set(weights)
            and all(pre[k].shape == v.shape for k, v in weights.items()))
    if not same:
        sys.exit(f"export: {path}: its network is not the voice's (other symbols, or weights of "
                 f"other shapes, as after train.py --dec-dilations): it cannot be blended in")
    return {k: share * pre[k] + (1.0 - share) * v if v.dtype.is_floating_point else v
            for k, v in weights.items()}, pk["step"]


def durations_from(weights, path):
    """weights with the duration predictor's (encoder.dur*) taken from the
    voice file at path, which must hold the same network."""
    from reference import read_safetensors  # reference imports this module
    try:
        _, theirs = read_safetensors(path)
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"export: {path}: not a voice file ({e})")
    keys = [k for k in weights if k.startswith("encoder.dur")]
    if not keys or any(k not in theirs or tuple(theirs[k].shape) != tuple(weights[k].shape)
                       for k in keys):
        sys.exit(f"export: {path}: its duration predictor is not this network's: it cannot be taken")
    out = dict(weights)
    for k in keys:
        out[k] = torch.from_numpy(np.array(theirs[k], dtype=np.float32))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ckpt")
    ap.add_argument("out")
    ap.add_argument("--name", required=True)
    ap.add_argument("--language", default="en-us")
    ap.add_argument("--data", required=True, help="the data set(s) the voice was trained on")
    ap.add_argument("--licence", required=True, help="licence of the data and of the voice")
    ap.add_argument("--speaker", default="", help="credit for the speaker")
    ap.add_argument("--teacher", default="none")
    ap.add_argument("--command", default="", help="the command(s) that made the voice")
    ap.add_argument("--raw", action="store_true",
                    help="export the trained weights even where the checkpoint also holds their "
                         "moving average (train.py --ema), which is exported by default")
    ap.add_argument("--pretrained", metavar="CKPT",
                    help="the checkpoint the voice was fine-tuned from (train.py --init): blend its "
                         "weights in, by --pretrained-share")
    ap.add_argument("--pretrained-share", type=float, default=0.0, metavar="S",
                    help="share of the pretrained weights in the exported ones, in [0, 1) "
                         "(train_voice.sh uses 0.3); 0 (the default) exports the fine-tuned weights")
    ap.add_argument("--durations-from", metavar="VOICE",
                    help="take the duration predictor's weights from this voice file (the same "
                         "network): keeps its speaking rate")
    a = ap.parse_args()
    if not 0.0 <= a.pretrained_share < 1.0:
        sys.exit(f"export: --pretrained-share wants a share in [0, 1), not {a.pretrained_share}")
    if (a.pretrained is None) != (a.pretrained_share == 0.0):
        sys.exit("export: --pretrained and --pretrained-share go together (a checkpoint and a share above 0)")
    ck = torch.load(a.ckpt)
    use_ema = "ema" in ck and not a.raw
    weights = ck["ema"] if use_ema else ck["model"]
    pretrained_steps = None
    if a.pretrained:
        weights, pretrained_steps = blend(weights, ck, a.pretrained, a.pretrained_share)
    if a.durations_from:
        weights = durations_from(weights, a.durations_from)
    tensors = {k: v.detach().cpu().numpy() for k, v in weights.items()}
    tensors["feat_mean"] = np.asarray(ck["mean"], np.float32)
    tensors["feat_std"] = np.asarray(ck["std"], np.float32)
    meta = {
        "format": "shuzi-diffusion-voice",
        "version": "1",
        "name": a.name,
        "language": a.language,
        "sample_rate": str(features.SAMPLE_RATE),
        "hop": str(features.HOP),
        "win": str(features.WIN),
        "envelope_win": str(features.ENV_WIN),
        "n_bands": str(ck["n_feats"] - 2),  # prepare.py --bands
        "voicing_threshold_permille": str(int(round(features.VOICING_THRESHOLD * 1000))),
        "features": "per frame: n_bands log PSD of the power spectrum smoothed over "
                    f"{features.SMOOTHING_WIDTH:g} F0 spacing, on mel-spaced "
                    "band centres (0 Hz to Nyquist; the least-squares fit of linear interpolation "
                    "between them), log F0 (interpolated through unvoiced frames), "
                    "voicing strength",
        "symbols": json.dumps(ck["symbols"], ensure_ascii=False),
        "hparams": json.dumps(ck["hp"]),
        "training": json.dumps({"steps": ck["step"], "args": portable(ck["args"]),
                                "weights": "moving average" if use_ema else "trained",
                                "pretrained_share": a.pretrained_share,
                                **({"pretrained_steps": pretrained_steps} if a.pretrained else {}),
                                **({"durations_from": os.path.basename(a.durations_from)}
                                   if a.durations_from else {})}),
        "provenance": json.dumps({"data": a.data, "licence": a.licence, "speaker": a.speaker,
                                  "teacher": a.teacher, "command": a.command,
                                  "exported": datetime.date.today().isoformat(),
                                  "code": "shuzi tools/train (model.py, train.py, export.py)"},
                                 ensure_ascii=False),
        "data_sha256": digest(tensors),
    }
    write_safetensors(a.out, tensors, meta)
    print(f"wrote {a.out}: {os.path.getsize(a.out) / 1e6:.2f} MB, {len(tensors)} tensors, step {ck['step']}")


if __name__ == "__main__":
    main()
