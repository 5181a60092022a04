# SPDX-License-Identifier: Apache-2.0
"""The diffusion voice's network (PyTorch), the reference for tts/model/.

Grad-TTS / Matcha-TTS family, small enough to train on two CPU cores:
  encoder   token embedding -> ENC_LAYERS pre-norm residual conv blocks
            (kernel 5) -> mu, the mean features of each token;
  durations a two-layer conv predictor of log(1 + frames) per token, trained
            on the alignment that monotonic alignment search (MAS) finds
            between mu and the real features;
  decoder   conditional flow matching: a residual stack of dilated convs
            predicts the velocity that carries x0 = mu + temperature * noise
            to the features, integrated by Euler steps (default 4).
Every tensor here has a twin in tts/model/dv_model.c; names are the
safetensors keys.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULTS = dict(enc_channels=192, enc_layers=6, enc_kernel=5, dur_channels=128,
                dec_channels=128, dec_dilations=[1, 2, 4, 8, 1, 2, 4, 8], time_dim=64)


class LayerNorm(nn.Module):
    """LayerNorm over channels of (B, C, T)."""

    def __init__(self, c, eps=1e-5):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(c))
        self.beta = nn.Parameter(torch.zeros(c))
        self.eps = eps

    def forward(self, x):
        m = x.mean(1, keepdim=True)
        v = ((x - m) ** 2).mean(1, keepdim=True)
        return (x - m) / torch.sqrt(v + self.eps) * self.gamma[None, :, None] + self.beta[None, :, None]


class EncBlock(nn.Module):
    def __init__(self, c, k):
        super().__init__()
        self.norm = LayerNorm(c)
        self.conv = nn.Conv1d(c, c, k, padding=k // 2)
        self.proj = nn.Conv1d(c, c, 1)

    def forward(self, h, mask):
        return h + self.proj(F.relu(self.conv(self.norm(h) * mask))) * mask


class Encoder(nn.Module):
    def __init__(self, n_symbols, n_feats, hp):
        super().__init__()
        c = hp["enc_channels"]
        self.emb = nn.Embedding(n_symbols, c)
        nn.init.normal_(self.emb.weight, 0.0, c ** -0.5)
        self.blocks = nn.ModuleList([EncBlock(c, hp["enc_kernel"]) for _ in range(hp["enc_layers"])])
        self.norm = LayerNorm(c)
        self.mu = nn.Conv1d(c, n_feats, 1)
        d = hp["dur_channels"]
        self.dur1 = nn.Conv1d(c, d, 3, padding=1)
        self.dur_norm1 = LayerNorm(d)
        self.dur2 = nn.Conv1d(d, d, 3, padding=1)
        self.dur_norm2 = LayerNorm(d)
        self.dur_out = nn.Conv1d(d, 1, 1)

    def forward(self, ids, mask):
        h = self.emb(ids).transpose(1, 2) * math.sqrt(self.emb.embedding_dim) * mask
        for b in self.blocks:
            h = b(h, mask)
        h = self.norm(h) * mask
        mu = self.mu(h) * mask
        g = h.detach()
        g = self.dur_norm1(F.relu(self.dur1(g)) * mask)
        g = self.dur_norm2(F.relu(self.dur2(g * mask)) * mask)
        logd = self.dur_out(g * mask) * mask
        return mu, logd[:, 0]


def time_embedding(t, dim):
    """Sinusoidal embedding of t in [0, 1] (B,) -> (B, dim)."""
    half = dim // 2
    freq = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / (half - 1))
    a = 1000.0 * t[:, None] * freq[None, :]
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


class DecBlock(nn.Module):
    def __init__(self, c, dil, tdim):
        super().__init__()
        self.conv = nn.Conv1d(c, c, 3, padding=dil, dilation=dil)
        self.time = nn.Linear(tdim, c)
        self.proj = nn.Conv1d(c, c, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, h, temb, mask):
        y = self.conv(F.relu(h) * mask) + self.time(temb)[:, :, None]
        return h + self.proj(F.relu(y)) * mask


class Decoder(nn.Module):
    def __init__(self, n_feats, hp):
        super().__init__()
        c = hp["dec_channels"]
        self.tdim = hp["time_dim"]
        self.t1 = nn.Linear(self.tdim, c)
        self.t2 = nn.Linear(c, c)
        self.inp = nn.Conv1d(2 * n_feats, c, 1)
        self.blocks = nn.ModuleList([DecBlock(c, d, c) for d in hp["dec_dilations"]])
        self.out = nn.Conv1d(c, n_feats, 1)

    def forward(self, x, mu, t, mask):
        temb = self.t2(F.silu(self.t1(time_embedding(t, self.tdim))))
        h = self.inp(torch.cat([x, mu], 1)) * mask
        for b in self.blocks:
            h = b(h, temb, mask)
        return self.out(F.relu(h)) * mask


class Voice(nn.Module):
    def __init__(self, n_symbols, n_feats, hp=None):
        super().__init__()
        self.hp = dict(DEFAULTS, **(hp or {}))
        self.encoder = Encoder(n_symbols, n_feats, self.hp)
        self.decoder = Decoder(n_feats, self.hp)

    @torch.no_grad()
    def synthesize(self, ids, steps=6, temperature=0.0, rate=1.0, noise=None):
        """Normalized features (T, n_feats) for one token sequence: the
        reference the C inference is tested against. noise: (T, n_feats)
        or None (temperature 0 needs none)."""
        ids = torch.as_tensor(ids, dtype=torch.long)[None]
        mask = torch.ones(1, 1, ids.shape[1])
        mu, logd = self.encoder(ids, mask)
        d = durations(logd[0].numpy(), rate)
        idx = np.repeat(np.arange(len(d)), d)
        mu_y = mu[:, :, idx]
        x = mu_y.clone()
        if temperature > 0:
            x = x + temperature * torch.as_tensor(noise).T[None]
        x = self.integrate(x, mu_y, steps)
        return mu[0].T.numpy(), d, x[0].T.numpy()

    @torch.no_grad()
    def integrate(self, x, mu_y, steps):
        """Euler steps of the decoder's flow from x (1, D, T) at t = 0."""
        ym = torch.ones(1, 1, mu_y.shape[2])
        for s in range(steps):
            x = x + self.decoder(x, mu_y, torch.full((1,), s / steps), ym) / steps
        return x


def token_loglik(mu, y):
    """(B, N, T) log-likelihood of frame t of y (B, D, T) under token n's
    mean mu (B, D, N), unit variance: what alignment search maximizes."""
    return -0.5 * ((y ** 2).sum(1)[:, None, :] - 2 * torch.bmm(mu.transpose(1, 2), y)
                   + (mu ** 2).sum(1)[:, :, None])


def durations(logd, rate=1.0):
    """Frames per token from predicted log(1 + frames): at least one each,
    as in training (MAS gives every token a frame)."""
    d = np.floor((np.exp(logd) - 1.0) / rate + 0.5)
    return np.maximum(d, 1).astype(np.int64)


def mas(value, n_len, t_len):
    """Monotonic alignment search. value: (B, N, T) log-likelihoods; returns
    a 0/1 path (B, N, T) where each frame belongs to one token, tokens in
    order, every token at least one frame."""
    b_, n_, t_ = value.shape
    neg = -1e9
    q = np.full((b_, n_, t_), neg, dtype=np.float64)
    q[:, 0, 0] = value[:, 0, 0]
    for t in range(1, t_):
        prev = q[:, :, t - 1]
        shifted = np.concatenate([np.full((b_, 1), neg), prev[:, :-1]], axis=1)
        q[:, :, t] = value[:, :, t] + np.maximum(prev, shifted)
    path = np.zeros((b_, n_, t_), dtype=np.float32)
    for b in range(b_):
        n = n_len[b] - 1
        for t in range(t_len[b] - 1, -1, -1):
            path[b, n, t] = 1.0
            if n > 0 and (n == t or q[b, n - 1, t - 1] > q[b, n, t - 1]):
                n -= 1
    return path
