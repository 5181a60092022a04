#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The envelope refiner: a small network, carried in a voice file and run
by the vocoder (tts/vocoder/refiner.h), that predicts from the features how
each frame's bands would read with the power spectrum smoothed over 2/3 of
an F0 spacing instead of a whole one. The features stay what the voice
learns best; the vocoder renders the sharper envelope that copies of
recordings need (tools/train/README.md, "The envelope refiner").

    /usr/bin/python3 tools/train/refiner.py pairs ../shared/data/kathleen out/refiner/pairs.npz \\
        --exclude bench/data/kathleen_heldout.tsv
    /usr/bin/python3 tools/train/refiner.py train out/refiner/pairs.npz out/refiner/refiner.npz
    /usr/bin/python3 tools/train/refiner.py attach assets/voices/kathleen.safetensors \\
        out/refiner/refiner.npz assets/voices/kathleen.safetensors --command "..."

pairs analyzes every recording of an LJSpeech-format folder (except the
uids of --exclude) twice: the features as the voice's (features.analyze)
and the bands with the narrower smoothing (--width). train fits a
two-layer perceptron (GELU) from the bands of frames t-C..t+C, frame t's
log F0 and voicing, and a cosine and a sine at F0's harmonics projected on
the bands, to the change of frame t's bands. attach writes a voice file
with the refiner's tensors (refiner.*) and metadata added and the data
checksum renewed; the voice's own weights are untouched.
"""
import argparse
import datetime
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features  # noqa: E402

TARGET_WIDTH = 2.0 / 3.0  # CheapTrick's: copies of Festival's speech meet their bar with it


def ripple_matrix():
    """bands x bins: the analysis's band fit, which the harmonics' cosine and
    sine are projected through."""
    return features.band_fit(features.ENV_WIN).astype(np.float64)


def inputs(f, context, ripple):
    """Refiner inputs (frames x n) of one utterance's features f (frames x
    n_bands + 2), edges clamped: bands of t-C..t+C, log F0, voicing, the
    cosine's and the sine's projections."""
    n, nb = len(f), ripple.shape[0]
    idx = np.clip(np.arange(n)[:, None] + np.arange(-context, context + 1)[None, :], 0, n - 1)
    ctx = f[idx, :nb].reshape(n, -1)
    fk = np.arange(ripple.shape[1]) * features.SAMPLE_RATE / features.ENV_WIN
    ph = 2 * np.pi * fk[None, :] / np.exp(f[:, nb:nb + 1].astype(np.float64))
    rc, rs = np.cos(ph) @ ripple.T, np.sin(ph) @ ripple.T
    return np.concatenate([ctx, f[:, nb:nb + 2], rc, rs], 1).astype(np.float32)


def gelu(x):
    from math import erf
    return 0.5 * x * (1.0 + np.vectorize(erf)(x / np.sqrt(2.0)))


def apply(tensors, meta, f):
    """The refined bands of features f (frames x n_bands + 2), in numpy, from a
    voice file's tensors and metadata (the C refiner's twin)."""
    c = int(meta["refiner_context"])
    x = inputs(f.astype(np.float32), c, tensors["refiner.ripple"].astype(np.float64)).astype(np.float64)
    x = (x - tensors["refiner.in_mean"]) / tensors["refiner.in_std"]
    h = gelu(x @ tensors["refiner.l1.weight"].T + tensors["refiner.l1.bias"])
    h = gelu(h @ tensors["refiner.l2.weight"].T + tensors["refiner.l2.bias"])
    d = h @ tensors["refiner.out.weight"].T + tensors["refiner.out.bias"]
    return f[:, :d.shape[1]] + d


# ---- pairs ------------------------------------------------------------------

def narrow_bands(x, lf0, width):
    """Bands of audio x with the spectrum smoothed over `width` of an F0
    spacing (F0 from the voice's analysis, lf0)."""
    keep = features.SMOOTHING_WIDTH
    features.SMOOTHING_WIDTH = width
    try:
        fr = features.frames(x.astype(np.float64))
        lo = (features.WIN - features.ENV_WIN) // 2
        return features.envelope(fr[:, lo:lo + features.ENV_WIN], np.exp(lf0.astype(np.float64)))
    finally:
        features.SMOOTHING_WIDTH = keep


def pair(job):
    path, width = job
    import prepare
    x = prepare.normalize_loudness(prepare.load_audio(path))
    with np.errstate(all="ignore"):
        f = features.analyze(x)
        e = narrow_bands(x, f[:, features.N_BANDS], width)
    return f, e.astype(np.float32)


def cmd_pairs(a):
    import prepare
    from metadata import read_metadata
    meta = os.path.join(a.src, "metadata.csv")
    if not os.path.exists(meta):
        sys.exit(f"refiner: {meta} not found (an LJSpeech-format folder is needed)")
    skip = set()
    if a.exclude:
        skip = {line.split("\t")[0] for line in open(a.exclude, encoding="utf-8") if line.strip()}
    uids = [u for u, _ in read_metadata(meta) if u not in skip]
    if a.limit:
        uids = uids[:a.limit]
    if not uids:
        sys.exit("refiner: no recordings to analyze")
    try:
        jobs = [(prepare.audio_path(a.src, u), a.width) for u in uids]
    except RuntimeError as e:
        sys.exit(f"refiner: {e}")
    from multiprocessing import Pool
    out = []
    with Pool(a.jobs) as p:
        for k, r in enumerate(p.imap(pair, jobs, chunksize=8)):
            out.append(r)
            if (k + 1) % 200 == 0 or k + 1 == len(jobs):
                print(f"refiner: analyzed {k + 1} of {len(jobs)} recordings", flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".part.npz"
    np.savez(tmp, f=np.concatenate([r[0] for r in out]), narrow=np.concatenate([r[1] for r in out]),
             lens=np.array([len(r[0]) for r in out]), width=np.float64(a.width),
             source=os.path.basename(os.path.normpath(a.src)))
    os.replace(tmp, a.out)
    print(f"wrote {a.out}: {sum(len(r[0]) for r in out)} frames of {len(out)} recordings")


# ---- train ------------------------------------------------------------------

def cmd_train(a):
    import torch
    torch.manual_seed(a.seed)
    torch.set_num_threads(2)
    fs, narrows, lenss, widths, sources = [], [], [], [], []
    for path in a.pairs:
        try:
            d = np.load(path)
            f, narrow, lens = d["f"], d["narrow"], d["lens"]
            widths.append(float(d["width"]))
            sources.append(str(d["source"]))
        except (OSError, ValueError, KeyError) as e:
            sys.exit(f"refiner: {path}: not a file of pairs from 'refiner.py pairs' ({e})")
        nb = narrow.shape[1] if narrow.ndim == 2 else -1
        if nb < 2 or f.shape != (len(narrow), nb + 2) or lens.sum() != len(f) \
                or not np.isfinite(f).all() or not np.isfinite(narrow).all():
            sys.exit(f"refiner: {path}: its arrays do not fit together (or hold non-finite values)")
        fs.append(f)
        narrows.append(narrow)
        lenss.append(lens)
    if len(set(widths)) != 1 or len({n.shape[1] for n in narrows}) != 1:
        sys.exit("refiner: the pairs files differ in their smoothing width or band count")
    f, narrow, lens = np.concatenate(fs), np.concatenate(narrows), np.concatenate(lenss)
    nb = narrow.shape[1]
    ripple = ripple_matrix()
    if ripple.shape[0] != nb:
        sys.exit(f"refiner: {a.pairs} has {nb} bands, the analysis {ripple.shape[0]}")
    starts = np.concatenate([[0], np.cumsum(lens)])
    x = np.concatenate([inputs(f[s:e], a.context, ripple) for s, e in zip(starts[:-1], starts[1:])])
    y = (narrow - f[:, :nb]).astype(np.float32)
    mean, std = x.mean(0), x.std(0) + 1e-3
    rng = np.random.default_rng(a.seed)
    # hold out whole recordings (every tenth) for the validation error
    val_utt = np.zeros(len(lens), bool)
    val_utt[::10] = True
    val = np.repeat(val_utt, lens)
    tr = np.flatnonzero(~val)
    xt = torch.tensor((x - mean) / std)
    yt = torch.tensor(y)
    vi = torch.tensor(np.flatnonzero(val))
    h = a.hidden
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], h), torch.nn.GELU(), torch.nn.Linear(h, h),
                              torch.nn.GELU(), torch.nn.Linear(h, nb))
    opt = torch.optim.Adam(net.parameters(), a.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.steps)
    print(f"refiner: {len(tr)} training frames, {len(vi)} validation; the change's mean square "
          f"{float((y[val] ** 2).mean()):.4f}", flush=True)
    for step in range(1, a.steps + 1):
        b = torch.tensor(rng.choice(tr, a.batch))
        loss = ((net(xt[b]) - yt[b]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 500 == 0 or step == a.steps:
            with torch.no_grad():
                vl = float(((net(xt[vi]) - yt[vi]) ** 2).mean())
            print(f"step {step}: training {float(loss):.4f}, validation {vl:.4f}", flush=True)
    w = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    out = {"refiner.in_mean": mean, "refiner.in_std": std,
           "refiner.l1.weight": w["0.weight"], "refiner.l1.bias": w["0.bias"],
           "refiner.l2.weight": w["2.weight"], "refiner.l2.bias": w["2.bias"],
           "refiner.out.weight": w["4.weight"], "refiner.out.bias": w["4.bias"],
           "refiner.ripple": ripple}
    info = {"context": a.context, "hidden": h, "steps": a.steps, "lr": a.lr, "batch": a.batch,
            "seed": a.seed, "validation_mse": vl, "change_mse": float((y[val] ** 2).mean()),
            "width": widths[0], "data": " + ".join(sources), "frames": int(len(f))}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    np.savez(a.out + ".part.npz", info=json.dumps(info), **{k: v.astype(np.float32) for k, v in out.items()})
    os.replace(a.out + ".part.npz", a.out)
    print(f"wrote {a.out}: validation {vl:.4f} against {info['change_mse']:.4f} unrefined")


# ---- attach -----------------------------------------------------------------

def cmd_attach(a):
    import export
    from reference import read_safetensors
    try:
        meta, tensors = read_safetensors(a.voice)
    except (OSError, ValueError) as e:
        sys.exit(f"refiner: {a.voice}: not a voice file ({e})")
    try:
        r = np.load(a.refiner)
        info = json.loads(str(r["info"]))
        shape = r["refiner.out.bias"].shape
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"refiner: {a.refiner}: not a refiner from 'refiner.py train' ({e})")
    nb = int(meta.get("n_bands", 0))
    if meta.get("format") != "shuzi-diffusion-voice":
        sys.exit(f"refiner: {a.voice}: not a diffusion voice file")
    if shape[0] != nb:
        sys.exit(f"refiner: {a.refiner} refines {shape[0]} bands, the voice has {nb}")
    tensors = {k: v for k, v in tensors.items() if not k.startswith("refiner.")}
    for k in r.files:
        if k.startswith("refiner."):
            tensors[k] = r[k]
    meta = dict(meta)
    meta["refiner_context"] = str(info["context"])
    meta["refiner_hidden"] = str(info["hidden"])
    meta["refiner_win"] = str(features.ENV_WIN)
    meta["refiner"] = json.dumps({
        "predicts": f"the bands with the spectrum smoothed over {info['width']:.4g} of an F0 spacing",
        "training": info, "command": a.command,
        "attached": datetime.date.today().isoformat(),
        "code": "shuzi tools/train/refiner.py"}, ensure_ascii=False)
    meta["data_sha256"] = export.digest(tensors)
    export.write_safetensors(a.out, tensors, meta)
    print(f"wrote {a.out}: {len(tensors)} tensors, refiner of context {info['context']}, "
          f"{info['hidden']} hidden")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pairs", help="analyze recordings with both smoothings")
    p.add_argument("src", help="LJSpeech-format folder (metadata.csv, wavs/)")
    p.add_argument("out", help="the pairs (.npz)")
    p.add_argument("--exclude", help="UID<TAB>TEXT file of recordings to leave out (held-out texts)")
    p.add_argument("--width", type=float, default=TARGET_WIDTH,
                   help=f"the narrower smoothing, in F0 spacings (default {TARGET_WIDTH:.4g})")
    p.add_argument("--limit", type=int, default=0, help="only the first N recordings")
    p.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    p = sub.add_parser("train", help="fit the refiner to the pairs")
    p.add_argument("pairs", nargs="+", help="files of pairs (refiner.py pairs), pooled")
    p.add_argument("out", help="the refiner (.npz: tensors and training record)")
    p.add_argument("--context", type=int, default=2, help="frames on each side (default 2, at most 8)")
    p.add_argument("--hidden", type=int, default=256, help="units per hidden layer (default 256)")
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("attach", help="write a voice file that carries the refiner")
    p.add_argument("voice")
    p.add_argument("refiner")
    p.add_argument("out")
    p.add_argument("--command", default="", help="the commands that made the refiner (provenance)")
    a = ap.parse_args()
    if a.cmd == "pairs" and not 0.1 <= a.width <= 1.0:
        sys.exit("refiner: --width must be from 0.1 to 1")
    if a.cmd == "train" and not (0 <= a.context <= 8 and 1 <= a.hidden <= 1024 and a.steps >= 1):
        sys.exit("refiner: --context 0 to 8, --hidden 1 to 1024, --steps at least 1")
    {"pairs": cmd_pairs, "train": cmd_train, "attach": cmd_attach}[a.cmd](a)


if __name__ == "__main__":
    main()
