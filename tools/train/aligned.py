# SPDX-License-Identifier: Apache-2.0
"""A voice's features for a recording's text, frame for frame with the recording.

copysynth.py --voice uses this to say which of a voice's features cost it
intelligibility: the voice decodes the recording's text with the durations
that monotonic alignment search finds between its encoder's output and the
recording's analyzed features, so every frame lines up with the recording,
and either part of the features can then be swapped for the recording's.
Or the other way round: the voice decodes on its own predicted durations,
as in the engine, and each phone's recorded frames are stretched or
squeezed to the voice's length, so that the swap does not also change the
timing the voice is heard with.

The decoding is the engine's (tts/diffusion_voice.c): Euler steps of the
flow-matching decoder from mu plus temperature times noise, then the
envelope's temporal sharpening and postfilter. The engine decodes clause by
clause in windows; this decodes each text whole (the two scored the same).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as M  # noqa: E402
from reference import load_voice  # noqa: E402

# the engine's constants (tts/diffusion_voice.c)
TEMPERATURE = 0.2
SHARPEN, SHARPEN_RADIUS = 1.0, 3
POSTFILTER = 0.6


class Voice:
    """A voice file loaded for PyTorch: net, symbols, bands, normalization."""

    def __init__(self, path):
        try:
            self.net, symbols, meta, tensors = load_voice(path)
            self.bands = int(meta["n_bands"])
            self.mean = np.asarray(tensors["feat_mean"], np.float64)
            self.std = np.asarray(tensors["feat_std"], np.float64)
        except FileNotFoundError:
            raise RuntimeError(f"{path}: no such voice file") from None
        except (OSError, ValueError, KeyError, RuntimeError, TypeError) as e:
            raise RuntimeError(f"{path}: not a diffusion voice file this model loads ({e})") from None
        self.index = {t: i for i, t in enumerate(symbols)}

    def ids(self, tokens):
        missing = [t for t in tokens if t not in self.index]
        if missing:
            raise RuntimeError(f"the voice has no symbol {missing[0]!r}")
        return [self.index[t] for t in tokens]

    @torch.no_grad()
    def decode_aligned(self, tokens, feats, steps=4, temperature=TEMPERATURE, seed=1,
                       timing="recording"):
        """(the voice's features, the recording's) for tokens, frame for
        frame: both (T, bands + 2). feats are the recording's analyzed
        features. timing "recording" keeps the recording's frames and
        decodes on the durations aligned to them; "voice" decodes on the
        voice's own predicted durations (the engine's timing) and resamples
        each phone's recorded frames to that length."""
        ids = torch.tensor([self.ids(tokens)])
        if feats.shape[0] < ids.shape[1]:
            raise RuntimeError(f"{feats.shape[0]} frames are too few for {ids.shape[1]} phones")
        xm = torch.ones(1, 1, ids.shape[1])
        mu, logd = self.net.encoder(ids, xm)
        y = torch.from_numpy(((feats - self.mean) / self.std).T.astype(np.float32))[None]
        ll = M.token_loglik(mu, y).numpy()
        rec = M.mas(ll, [ids.shape[1]], [y.shape[2]])[0].sum(1).astype(np.int64)
        frames = np.arange(len(feats))
        if timing == "voice":
            dur = M.durations(logd[0].numpy())
            start = np.concatenate([[0], np.cumsum(rec)[:-1]])
            frames = np.concatenate([s + (np.arange(n) + 0.5) * r // n
                                     for s, r, n in zip(start, rec, dur)]).astype(np.int64)
        elif timing == "recording":
            dur = rec
        else:
            raise ValueError(f"timing {timing!r}")
        mu_y = mu[:, :, np.repeat(np.arange(len(dur)), dur)]
        gen = torch.Generator().manual_seed(seed)
        x = mu_y + temperature * torch.randn(mu_y.shape, generator=gen)
        x = self.net.integrate(x, mu_y, steps)
        out = x[0].T.numpy().astype(np.float64) * self.std + self.mean
        return postprocess(out, self.bands), feats[frames]


def postprocess(f, nb):
    """The engine's temporal sharpening, then its postfilter, of the
    envelope bands of f (T, nb + 2)."""
    f = f.copy()
    e = f[:, :nb]
    r = SHARPEN_RADIUS
    pad = np.concatenate([np.repeat(e[:1], r, 0), e, np.repeat(e[-1:], r, 0)])
    win = np.stack([pad[k:k + len(e)] for k in range(2 * r + 1)])
    e = np.minimum(e + SHARPEN * (e - win.mean(0)), win.max(0))
    w = (3 * nb + 24) // 48
    m = np.stack([e[:, max(0, i - w):min(nb, i + w + 1)].mean(1) for i in range(nb)], 1)
    f[:, :nb] = e + POSTFILTER * (e - m)
    # the vocoder only compares voicing with its threshold; vocode refuses
    # strengths outside 0 to 1, which the decoder can overshoot
    f[:, -1] = np.clip(f[:, -1], 0.0, 1.0)
    return f
