#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""How far speech is from reference recordings of the same texts, frame by
frame: mel-cepstral distortion after dynamic time warping, and the F0 and
voicing errors on the warped frames. For copies (tools/train/copysynth.py)
and for a voice's output (`bench_voice --dump DIR`) against the recordings.

    /usr/bin/python3 tools/train/distortion.py REF TEST [TEST ...] --sentences TSV

REF and each TEST are an LJSpeech-format folder (metadata.csv + wavs/UID
.wav or .flac) or a folder of NNN.wav written by `bench_voice --dump`
(one system's folder), as copysynth.py reads them. Every file is resampled
to 22,050 Hz and loudness-normalized as for training.

- Mel-cepstral distortion (dB): cepstra c1..c24 of the log amplitudes of
  40 mel bands (0 to 8 kHz, 1024-sample windows, hop 256; c0, the level,
  is left out; log|X| = c0 + 2 sum c_d cos(...)), 10/ln 10 * sqrt(2 * sum
  of squared differences), averaged over the warped path. The bands smooth
  the spectrum, so the figures are smaller than those of mel-cepstra of
  the full spectrum in the literature: compare them with each other. The warping uses these cepstra too, with steps
  (1,1), (1,2) and (2,1), so neither side may stretch beyond twice.
- F0 and voicing: features.py's pitch analysis of both. F0 error is the
  RMS difference in cents over frames voiced in both; gross errors are
  those frames off by more than 20%; voicing errors are frames voiced in
  one and not the other, over all frames.

Prints the median over sentences of each figure for each TEST.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import copysynth  # noqa: E402
import features  # noqa: E402
import prepare  # noqa: E402

SR = features.SAMPLE_RATE
N_MEL, N_CEP, NFFT = 40, 24, 1024


def mel_filters():
    top = features.mel(8000.0)
    edges = 700.0 * (10.0 ** (np.linspace(0.0, top, N_MEL + 2) / 2595.0) - 1.0)
    f = np.arange(NFFT // 2 + 1) * SR / NFFT
    w = np.zeros((N_MEL, f.size))
    for i in range(N_MEL):
        lo, c, hi = edges[i], edges[i + 1], edges[i + 2]
        w[i] = np.clip(np.minimum((f - lo) / (c - lo), (hi - f) / (hi - c)), 0.0, None)
    return w


def cepstra(x, filt):
    fr = features.frames(x.astype(np.float64))  # 1024-sample frames at hop 256
    spec = np.abs(np.fft.rfft(fr * np.hanning(fr.shape[1]), NFFT)) ** 2
    # log amplitude, and c_d such that log|X| = c0 + 2 sum c_d cos(...): the
    # convention of mel-cepstra in the MCD literature
    logmel = 0.5 * np.log(np.maximum(spec @ filt.T, 1e-10))
    k = np.arange(N_MEL)
    dct = np.cos(np.pi / N_MEL * (k[None, :] + 0.5) * np.arange(1, N_CEP + 1)[:, None])
    return logmel @ dct.T / N_MEL


def warp(a, b):
    """Frame pairs (i, j) of the cheapest path from (0, 0) to the ends,
    steps (1,1), (1,2), (2,1), cost the Euclidean distance of cepstra."""
    n, m = len(a), len(b)
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    inf = np.inf
    d = np.full((n, m), inf)
    step = np.zeros((n, m), dtype=np.int8)
    d[0, 0] = cost[0, 0]
    for i in range(1, n):
        c11 = np.full(m, inf)
        c12 = np.full(m, inf)
        c21 = np.full(m, inf)
        c11[1:] = d[i - 1, :-1]
        c12[2:] = d[i - 1, :-2] + cost[i, 1:-1]  # (1,2): passes (i, j-1)
        if i >= 2:
            c21[1:] = d[i - 2, :-1] + cost[i - 1, 1:]  # (2,1): passes (i-1, j)
        best = np.minimum(np.minimum(c11, c12), c21)
        step[i] = np.where(best == c11, 0, np.where(best == c12, 1, 2))
        d[i] = cost[i] + best
    if not np.isfinite(d[-1, -1]):
        return None
    i, j, path = n - 1, m - 1, []
    while i > 0 or j > 0:
        path.append((i, j))
        s = step[i, j]
        if s == 0:
            i, j = i - 1, j - 1
        elif s == 1:
            path.append((i, j - 1))
            i, j = i - 1, j - 2
        else:
            path.append((i - 1, j))
            i, j = i - 2, j - 1
    path.append((0, 0))
    return np.array(path[::-1])


def analyze(path, filt):
    x = prepare.normalize_loudness(prepare.load_audio(path))
    with np.errstate(all="ignore"):
        f0, _ = features.pitch(features.frames(x.astype(np.float64)))
    return cepstra(x, filt), f0


def compare(ref, test):
    path = warp(ref[0], test[0])
    if path is None:
        return None
    i, j = path[:, 0], path[:, 1]
    diff = ref[0][i] - test[0][j]
    mcd = float(np.mean(10.0 / np.log(10.0) * np.sqrt(2.0 * (diff ** 2).sum(axis=1))))
    fa, fb = ref[1][i], test[1][j]
    both = (fa > 0) & (fb > 0)
    cents = 1200.0 * np.log2(fb[both] / fa[both]) if both.any() else np.zeros(0)
    f0_rms = float(np.sqrt(np.mean(cents ** 2))) if cents.size else float("nan")
    gross = float(np.mean(np.abs(fb[both] / fa[both] - 1.0) > 0.2)) if both.any() else float("nan")
    vde = float(np.mean((fa > 0) != (fb > 0)))
    return mcd, f0_rms, gross, vde


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref")
    ap.add_argument("tests", nargs="+")
    ap.add_argument("--sentences", required=True, help="UID<TAB>TEXT file (bench/data/*.tsv)")
    a = ap.parse_args()
    sentences = copysynth.read_sentences(a.sentences)
    filt = mel_filters()
    refs = [(uid, analyze(p, filt)) for uid, _, p in copysynth.jobs(a.ref, sentences)]
    print(f"{'speech':<40} {'sentences':>9} {'MCD dB':>7} {'F0 RMS cents':>13} "
          f"{'F0 gross':>9} {'voicing err':>12}")
    for t in a.tests:
        rows = []
        for (uid, ref), (_, _, p) in zip(refs, copysynth.jobs(t, sentences)):
            r = compare(ref, analyze(p, filt))
            if r is None:
                print(f"distortion: {p}: more than twice as long or short as the reference; "
                      "left out", file=sys.stderr)
                continue
            rows.append(r)
        if not rows:
            sys.exit(f"distortion: {t}: no sentence could be compared")
        m = np.nanmedian(np.array(rows), axis=0)
        print(f"{t[-40:]:<40} {len(rows):>9} {m[0]:>7.2f} {m[1]:>13.0f} {100 * m[2]:>8.1f}% "
              f"{100 * m[3]:>11.1f}%")


if __name__ == "__main__":
    main()
