# SPDX-License-Identifier: Apache-2.0
"""Acoustic features of the diffusion voice, computed with numpy only.

The model predicts, per frame (hop 256 at 22,050 Hz, about 86 frames/s):
  - N_BANDS log power spectral densities of a pitch-smoothed spectral
    envelope at mel-spaced band centres (what the C vocoder turns back into
    a filter): the values whose linear interpolation, as the vocoder
    interpolates them, best fits the envelope (least squares on the log
    spectrum, every mel weighted alike);
  - the log of F0 in Hz, interpolated through unvoiced frames;
  - a voicing strength in [0, 1] (the peak of the normalized autocorrelation;
    0 where the frame is unvoiced).
tts/vocoder/vocoder.c renders exactly these: a pulse train at F0 mixed with
noise by the voicing strength, shaped by a minimum-phase filter whose
magnitude is the square root of the envelope. Keep the two in step: the
constants below are also written into the voice file's metadata.
"""
import functools

import numpy as np

SAMPLE_RATE = 22050
HOP = 256
WIN = 1024      # pitch analysis: two periods of F0_MIN
ENV_WIN = 512   # envelope analysis: short enough to keep stop bursts and
                # fast formant moves (1024 smeared them: ASR word errors on
                # copy synthesis of held-in Kathleen sentences fell from
                # 36.9% to 31.2% with 512; 28.3% for the recordings)
N_BANDS = 48
F0_MIN = 60.0
F0_MAX = 500.0
VOICING_THRESHOLD = 0.45
N_FEATS = N_BANDS + 2
SMOOTHING_WIDTH = 1.0  # the envelope is the power spectrum averaged over this
                       # fraction of an F0 spacing. 2/3 (as in CheapTrick)
                       # leaves the harmonics' ripple in the low bands: copies
                       # of Festival's speech scored better (11.5% against
                       # 12.5%), but the voice trained on them worse (14.7%
                       # against 13.1%): tools/train/README.md
BAND_FIT_SMOOTHING = 0.01  # ridge on the bands' second differences: keeps
                           # bands narrower than a bin (the lowest ones)
                           # between their neighbours


def mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


@functools.lru_cache(maxsize=8)
def band_interpolation(win=ENV_WIN, n_bands=N_BANDS):
    """(win/2+1 x n_bands): the log spectrum on FFT bins that the C vocoder
    makes of band values, linear between band centres on the mel scale."""
    f = np.arange(win // 2 + 1) * SAMPLE_RATE / win
    pos = mel(f) / mel(SAMPLE_RATE / 2) * (n_bands - 1)
    lo = np.minimum(np.floor(pos).astype(np.int64), n_bands - 2)
    frac = pos - lo
    a = np.zeros((f.size, n_bands))
    a[np.arange(f.size), lo] = 1.0 - frac
    a[np.arange(f.size), lo + 1] += frac
    return a


@functools.lru_cache(maxsize=8)
def band_fit(win=ENV_WIN, n_bands=N_BANDS):
    """(n_bands x win/2+1): band values from a log spectrum on FFT bins, the
    least-squares fit of band_interpolation to it, each bin weighted by its
    width in mel (so low and high frequencies count by what the ear and the
    mel scale give them, not by their number of bins), with a light ridge on
    the bands' second differences. A constant spectrum gives the same
    constant in every band.
    Averaging the power over triangular bands (the analysis before) flattened
    formant peaks and filled the valleys between them, which the vocoder's
    interpolation then kept: copies of Kathleen's held-out recordings lost
    1.6 points less word accuracy with the fit (tools/train/README.md)."""
    a = band_interpolation(win, n_bands)
    f = np.arange(win // 2 + 1) * SAMPLE_RATE / win
    w = 1.0 / (700.0 + f)  # d mel / d f
    w = w / w.mean()
    d = np.diff(np.eye(n_bands), 2, axis=0)
    m = a.T @ (w[:, None] * a) + BAND_FIT_SMOOTHING * d.T @ d
    fit = np.linalg.solve(m, a.T * w[None, :])
    fit.setflags(write=False)
    return fit


def frames(x):
    """Centred frames (n_frames x WIN), frame i centred on sample i * HOP."""
    pad = np.pad(x, (WIN // 2, WIN // 2 + HOP))
    n = 1 + len(x) // HOP
    idx = np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]
    return pad[idx]


def pitch(fr):
    """F0 (Hz, 0 when unvoiced) and voicing strength per frame from the
    normalized autocorrelation of each frame (computed by FFT)."""
    x = fr - fr.mean(axis=1, keepdims=True)
    w = np.hanning(WIN)
    xw = x * w
    nfft = 2 * WIN
    spec = np.fft.rfft(xw, nfft)
    ac = np.fft.irfft(np.abs(spec) ** 2, nfft)[:, :WIN]
    wac = np.fft.irfft(np.abs(np.fft.rfft(w, nfft)) ** 2, nfft)[:WIN]
    ac = ac / np.maximum(wac[None, :], 1e-9)  # undo the window's own decay
    ac = ac / np.maximum(ac[:, :1], 1e-12)
    lo = int(SAMPLE_RATE / F0_MAX)
    hi = int(SAMPLE_RATE / F0_MIN)
    seg = ac[:, lo:hi]
    # the first lag whose peak is near the best one avoids octave-down errors
    best = seg.max(axis=1)
    k = np.empty(len(seg), dtype=np.int64)
    for i in range(len(seg)):
        # (best - 0.1 |best|: in digital silence every lag can be below 0,
        # and 0.9 * best would then exclude the best one itself)
        cand = np.nonzero(seg[i] >= best[i] - 0.1 * abs(best[i]))[0]
        # among candidates, the first local maximum
        j = cand[0]
        while j + 1 < seg.shape[1] and seg[i, j + 1] > seg[i, j]:
            j += 1
        k[i] = j
    rows = np.arange(len(seg))
    km = np.clip(k, 1, seg.shape[1] - 2)
    a, b, c = seg[rows, km - 1], seg[rows, km], seg[rows, km + 1]
    den = a - 2 * b + c
    off = np.where(np.abs(den) > 1e-9, 0.5 * (a - c) / den, 0.0)
    lag = lo + km + np.clip(off, -1, 1)
    f0 = SAMPLE_RATE / lag
    strength = np.clip(b, 0.0, 1.0)
    energy = np.sqrt((x ** 2).mean(axis=1))
    voiced = (strength > VOICING_THRESHOLD) & (energy > 0.02 * energy.max())
    # remove isolated voiced or unvoiced frames and single-frame octave jumps
    v = voiced.copy()
    for i in range(1, len(v) - 1):
        if voiced[i] != voiced[i - 1] and voiced[i] != voiced[i + 1]:
            v[i] = voiced[i - 1]
    f0 = np.where(v, f0, 0.0)
    med = f0.copy()
    for i in range(2, len(f0) - 2):
        if v[i]:
            w5 = f0[i - 2:i + 3]
            w5 = w5[w5 > 0]
            m = np.median(w5)
            if abs(np.log(f0[i] / m)) > 0.4:
                med[i] = m
    strength = np.where(v, strength, 0.0)
    return med, strength


def interp_lf0(f0):
    """log F0 through unvoiced frames (linear between voiced neighbours)."""
    v = f0 > 0
    if not v.any():
        return np.full(len(f0), np.log(200.0))
    idx = np.arange(len(f0))
    return np.interp(idx, idx[v], np.log(f0[v]))


def envelope(fr, f0_cont, n_bands=N_BANDS):
    """log PSD per band of the power spectrum smoothed over SMOOTHING_WIDTH of
    an F0 spacing (band_fit). fr holds frames of any even length (the FFT
    size)."""
    win = fr.shape[1]
    w = np.hanning(win)
    spec = np.abs(np.fft.rfft(fr * w, win)) ** 2 / (w ** 2).sum()
    nb = spec.shape[1]
    bins = np.arange(nb, dtype=np.float64)
    out = np.empty_like(spec)
    for i in range(len(spec)):
        width = SMOOTHING_WIDTH * f0_cont[i] * win / SAMPLE_RATE  # bins
        ext = np.concatenate([spec[i, 1:][::-1], spec[i], spec[i, -2::-1]])
        cs = np.concatenate([[0.0], np.cumsum(ext)])
        base = nb - 1  # index of bin 0 inside ext
        lo = bins + base - width / 2
        hi = bins + base + width / 2
        out[i] = (np.interp(hi + 0.5, np.arange(cs.size), cs)
                  - np.interp(lo + 0.5, np.arange(cs.size), cs)) / width
    return np.log(np.maximum(out, 1e-10)) @ band_fit(win, n_bands).T


def analyze(x, n_bands=N_BANDS):
    """Features (n_frames x n_bands + 2) of float32 audio at SAMPLE_RATE.
    The voices ship with N_BANDS; prepare.py --bands trains on others."""
    fr = frames(x.astype(np.float64))
    f0, strength = pitch(fr)
    lf0 = interp_lf0(f0)
    lo = (WIN - ENV_WIN) // 2  # the centred ENV_WIN samples of each frame
    env = envelope(fr[:, lo:lo + ENV_WIN], np.exp(lf0), n_bands)
    return np.concatenate([env, lf0[:, None], strength[:, None]], axis=1).astype(np.float32)
