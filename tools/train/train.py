#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Trains the diffusion voice on a prepared data set (see prepare.py).

    /usr/bin/python3 tools/train/train.py PREPARED_DIR CKPT_DIR [--steps N]

Writes CKPT_DIR/ckpt.pt every --save-every steps (atomically) and a log line
every 50 steps; resumes from CKPT_DIR/ckpt.pt when it exists. Export the
result with export.py.

--init CKPT starts from another run's weights (same symbols and feature
size) with a fresh optimizer and schedule: fine-tuning, for example on a
new speaker or on features computed by a newer features.py. CKPT may also
be an exported voice file (.safetensors), whose weights are then the start. With
--dec-dilations longer than the checkpoint's, the decoder grows: the
checkpoint's blocks come first and the new ones start as identities, so
training continues from the same voice with more capacity.
"""
import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas  # noqa: E402

if __name__ == "__main__":
    blas.use_cpu_kernels()  # before torch loads OpenBLAS (see blas.py)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import model as M  # noqa: E402


class Data:
    def __init__(self, path):
        z = np.load(os.path.join(path, "data.npz"))
        self.symbols = [str(s) for s in z["symbols"]]
        self.mean, self.std = z["mean"], z["std"]
        ids, lens, feats, flens = z["ids"], z["lens"], z["feats"], z["flens"]
        io = np.concatenate([[0], np.cumsum(lens)])
        fo = np.concatenate([[0], np.cumsum(flens)])
        self.items = []
        for i in range(len(lens)):
            f = (feats[fo[i]:fo[i + 1]] - self.mean) / self.std
            if len(f) >= lens[i]:
                self.items.append((ids[io[i]:io[i + 1]].astype(np.int64), f.T.astype(np.float32)))
        self.n_feats = feats.shape[1]

    def batches(self, rng, batch_frames):
        """Batches of similar length, about batch_frames frames each."""
        order = sorted(range(len(self.items)), key=lambda i: self.items[i][1].shape[1] + rng.random() * 40)
        out, cur, longest = [], [], 0
        for i in order:
            t = self.items[i][1].shape[1]
            if cur and max(longest, t) * (len(cur) + 1) > batch_frames:
                out.append(cur)
                cur, longest = [], 0
            cur.append(i)
            longest = max(longest, t)
        if cur:
            out.append(cur)
        rng.shuffle(out)
        return out


def collate(items):
    n = max(len(i) for i, _ in items)
    t = max(f.shape[1] for _, f in items)
    d = items[0][1].shape[0]
    ids = np.zeros((len(items), n), np.int64)
    y = np.zeros((len(items), d, t), np.float32)
    xl, yl = [], []
    for b, (i, f) in enumerate(items):
        ids[b, :len(i)] = i
        y[b, :, :f.shape[1]] = f
        xl.append(len(i))
        yl.append(f.shape[1])
    return torch.from_numpy(ids), torch.from_numpy(y), np.array(xl), np.array(yl)


def seq_mask(lens, n):
    return (torch.arange(n)[None, :] < torch.as_tensor(lens)[:, None]).float()[:, None, :]


def step_losses(net, ids, y, xl, yl, crop, gen):
    xm = seq_mask(xl, ids.shape[1])
    ym = seq_mask(yl, y.shape[2])
    mu, logd = net.encoder(ids, xm)
    with torch.no_grad():
        ll = M.token_loglik(mu, y).masked_fill(xm.transpose(1, 2) == 0, -1e4)
        path = torch.from_numpy(M.mas(ll.numpy(), xl, yl))
    mu_y = torch.bmm(mu, path)  # (B, D, T)
    n_valid = ym.sum() * y.shape[1]
    prior = 0.5 * (((y - mu_y) ** 2) * ym).sum() / n_valid
    dur_target = torch.log1p(path.sum(2)) * xm[:, 0]
    dur = ((logd - dur_target) ** 2).sum() / xm.sum()
    # flow matching on a random crop of each utterance
    b = y.shape[0]
    starts = [int(torch.randint(0, max(1, int(yl[i]) - crop + 1), (1,), generator=gen)) for i in range(b)]
    yc = torch.stack([F_crop(y[i], s, crop) for i, s in enumerate(starts)])
    mc = torch.stack([F_crop(mu_y[i], s, crop) for i, s in enumerate(starts)])
    cm = torch.stack([F_crop(ym[i], s, crop) for i, s in enumerate(starts)])
    t = torch.rand(b, generator=gen)
    x0 = mc + torch.randn(yc.shape, generator=gen)
    xt = (1 - t[:, None, None]) * x0 + t[:, None, None] * yc
    v = net.decoder(xt * cm, mc * cm, t, cm)
    fm = (((v - (yc - x0)) ** 2) * cm).sum() / (cm.sum() * y.shape[1])
    return prior, dur, fm, path


def F_crop(x, s, n):
    x = x[:, s:s + n]
    if x.shape[1] < n:
        x = torch.nn.functional.pad(x, (0, n - x.shape[1]))
    return x


def load_init(path):
    """The checkpoint of --init: a train.py checkpoint, or an exported voice
    file (.safetensors) read back into the same fields."""
    if not path.endswith(".safetensors"):
        return torch.load(path)
    import json
    from reference import load_voice
    try:
        net, symbols, meta, _ = load_voice(path)
        steps = json.loads(meta.get("training", "{}")).get("steps", 0)
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as e:
        sys.exit(f"train: {path}: not a diffusion voice file ({e})")
    return {"model": net.state_dict(), "hp": net.hp, "symbols": symbols,
            "n_feats": int(meta["n_bands"]) + 2, "step": steps}


def grow(net, ck, name):
    """Loads checkpoint ck into net, which may have more decoder blocks than
    ck after the same ones: those keep their identity initialization."""
    old = ck["hp"]["dec_dilations"]
    new = net.hp["dec_dilations"]
    other = sorted(k for k, v in net.hp.items() if k != "dec_dilations" and ck["hp"].get(k) != v)
    if other:
        sys.exit(f"train: {name}: its network differs from this one in {', '.join(other)}")
    if new[:len(old)] != old:
        sys.exit(f"train: {name}: its decoder dilations {old} cannot start {new} "
                 "(a grown decoder keeps them as its first blocks)")
    missing, unexpected = net.load_state_dict(ck["model"], strict=False)
    fresh = {f"decoder.blocks.{i}." for i in range(len(old), len(new))}
    bad = [k for k in missing if not any(k.startswith(f) for f in fresh)] + list(unexpected)
    if bad:
        sys.exit(f"train: {name}: weights do not match: {bad[:4]}")
    if len(new) > len(old):
        print(f"decoder grown from {len(old)} to {len(new)} blocks", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("ckpt_dir")
    ap.add_argument("--steps", type=int, default=12000)
    ap.add_argument("--batch-frames", type=int, default=6000)
    ap.add_argument("--crop", type=int, default=128, help="decoder training crop, frames")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--save-every", type=int, default=250)
    ap.add_argument("--init", metavar="CKPT", help="start from this checkpoint's weights (or an "
                    "exported voice file's, .safetensors)")
    ap.add_argument("--ema", type=float, default=0.0, metavar="DECAY",
                    help="also keep an exponential moving average of the weights (e.g. 0.9995), "
                         "which export.py then uses; 0 (the default) keeps none")
    ap.add_argument("--dec-dilations", metavar="LIST",
                    help="decoder blocks, e.g. 1,2,4,8,1,2,4,8 (the default); with --init, blocks "
                         "beyond the checkpoint's start as identities (their output projection is 0)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    data = Data(a.data)
    hp = {}
    if a.dec_dilations is not None:
        try:
            hp["dec_dilations"] = [int(x) for x in a.dec_dilations.split(",")]
        except ValueError:
            sys.exit(f"train: --dec-dilations wants integers separated by commas, not {a.dec_dilations!r}")
        if not 1 <= len(hp["dec_dilations"]) <= 16 or not all(1 <= x <= 64 for x in hp["dec_dilations"]):
            sys.exit("train: --dec-dilations: 1 to 16 blocks (what the engine loads), dilations 1 to 64")
    os.makedirs(a.ckpt_dir, exist_ok=True)
    path = os.path.join(a.ckpt_dir, "ckpt.pt")
    ck = torch.load(path) if os.path.exists(path) else None
    if ck:
        hp = ck["hp"]  # a resumed run keeps its own shape
    net = M.Voice(len(data.symbols), data.n_feats, hp)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, betas=(0.9, 0.98))
    step, rng, gen = 0, np.random.default_rng(a.seed), torch.Generator().manual_seed(a.seed)
    if ck:
        net.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step = ck["step"]
        rng = np.random.default_rng(a.seed + step)
        gen = torch.Generator().manual_seed(a.seed + step)
        print(f"resumed at step {step}", flush=True)
    elif a.init:
        ck = load_init(a.init)
        if list(ck["symbols"]) != data.symbols or ck["n_feats"] != data.n_feats:
            sys.exit(f"train: {a.init}: its symbols or feature size differ from {a.data}'s")
        grow(net, ck, a.init)
        print(f"initialized from {a.init} (its step {ck['step']})", flush=True)
    if not 0.0 <= a.ema < 1.0:
        sys.exit(f"train: --ema wants a decay in [0, 1), not {a.ema}")
    ema, ema_pairs = None, []
    if a.ema > 0:
        resumed = step > 0 and "ema" in ck  # ck is this run's own checkpoint then
        ema = {k: (ck["ema"][k] if resumed else v).detach().clone() for k, v in net.state_dict().items()}
        # state_dict() tensors share storage with the weights, which the
        # optimizer updates in place: pair them once, not every step
        ema_pairs = [(ema[k], v) for k, v in net.state_dict().items() if v.dtype.is_floating_point]
    n_params = sum(p.numel() for p in net.parameters())
    print(f"{len(data.items)} utterances, {len(data.symbols)} symbols, {n_params} parameters; "
          f"OpenBLAS kernels: {os.environ.get('OPENBLAS_CORETYPE', 'chosen by OpenBLAS')}", flush=True)
    t0, acc = time.time(), np.zeros(3)
    while step < a.steps:
        for batch in data.batches(rng, a.batch_frames):
            if step >= a.steps:
                break
            warm = min(1.0, (step + 1) / 500)
            decay = 0.5 * (1 + math.cos(math.pi * min(1.0, step / a.steps)))
            for g in opt.param_groups:
                g["lr"] = a.lr * warm * (0.1 + 0.9 * decay)
            ids, y, xl, yl = collate([data.items[i] for i in batch])
            prior, dur, fm, _ = step_losses(net, ids, y, xl, yl, a.crop, gen)
            loss = prior + dur + fm
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            step += 1
            with torch.no_grad():
                for e, v in ema_pairs:
                    e.mul_(a.ema).add_(v, alpha=1.0 - a.ema)
            acc += [prior.item(), dur.item(), fm.item()]
            if step % 50 == 0:
                el = time.time() - t0
                print(f"step {step} prior {acc[0] / 50:.4f} dur {acc[1] / 50:.4f} fm {acc[2] / 50:.4f} "
                      f"{el / 50:.2f} s/step", flush=True)
                acc[:] = 0
                t0 = time.time()
            if step % a.save_every == 0 or step == a.steps:
                tmp = path + ".tmp"
                torch.save({"model": net.state_dict(), "opt": opt.state_dict(), "step": step,
                            "symbols": data.symbols, "mean": data.mean, "std": data.std,
                            "hp": net.hp, "n_feats": data.n_feats, "args": vars(a),
                            **({"ema": ema} if ema is not None else {})}, tmp)
                os.replace(tmp, path)


if __name__ == "__main__":
    main()
