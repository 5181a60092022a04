# SPDX-License-Identifier: Apache-2.0
"""Analysis of the syllable recordings: a pitch tracker (YIN, de Cheveigné and
Kawahara 2002), the voiced part of a syllable and its pitch marks (one per
glottal period, at the period's main peak), and the speaker's tone contours
fitted from the recordings. Pure numpy; the same tracker measures the
teacher's output in the checks."""
import json
import os
import re

import numpy as np
import soundfile as sf
from scipy.signal import butter, sosfiltfilt

SR = 22050
HOP = 110  # analysis frames every 5 ms
WIN = 512  # YIN integration window (23 ms)
F0_MIN, F0_MAX = 60.0, 400.0
_LOW = butter(4, [80, 900], btype="band", fs=SR, output="sos")
_HIGH = butter(4, 2500, btype="high", fs=SR, output="sos")


def load(path):
    x, sr = sf.read(path, dtype="float64", always_2d=True)
    if sr != SR:
        raise ValueError(f"{path}: {sr} Hz, the teacher reads {SR} Hz recordings")
    return x.mean(axis=1)


def denoise(x, speech, n=512, hop=128, over=2.0, floor=0.1):
    """Spectral subtraction (Boll 1979) with a gain floor: the noise
    spectrum is the mean power of the frames outside `speech` (a sample
    range); each bin keeps sqrt(max(1 - over * noise / power, floor^2)) of
    its amplitude, the gain smoothed over 3 frames. Returns x unchanged
    when fewer than 4 frames lie outside the speech."""
    if len(x) < 4 * n:
        return x
    pad = np.concatenate([np.zeros(n), x, np.zeros(n)])
    win = np.hanning(n + 1)[:-1]
    idx = np.arange(0, len(pad) - n, hop)
    fr = np.stack([pad[i : i + n] * win for i in idx])
    spec = np.fft.rfft(fr, axis=1)
    power = np.abs(spec) ** 2
    centre = idx + n // 2 - n  # frame centres in x's samples
    quiet = (centre + n // 2 < speech[0]) | (centre - n // 2 > speech[1])
    if quiet.sum() < 4:
        return x
    noise = np.mean(power[quiet], axis=0)
    gain = np.sqrt(np.maximum(1 - over * noise / np.maximum(power, 1e-20), floor * floor))
    gain[1:-1] = 0.25 * gain[:-2] + 0.5 * gain[1:-1] + 0.25 * gain[2:]
    out_fr = np.fft.irfft(spec * gain, n, axis=1) * win
    out = np.zeros(len(pad))
    norm = np.zeros(len(pad))
    for j, i in enumerate(idx):
        out[i : i + n] += out_fr[j]
        norm[i : i + n] += win * win
    out = out / np.maximum(norm, 1e-3)
    return out[n : n + len(x)]


def frame_db(x, hop=HOP, win=2 * HOP):
    """Frame energy in dB (frame k centred at k * hop)."""
    n = max(1, len(x) // hop)
    pad = np.concatenate([np.zeros(win // 2), x, np.zeros(win)])
    idx = np.arange(n)[:, None] * hop + np.arange(win)[None, :]
    e = np.mean(pad[idx] ** 2, axis=1)
    return 10 * np.log10(e + 1e-12)


def yin(x, sr=SR, hop=HOP, fmin=F0_MIN, fmax=F0_MAX, threshold=0.15):
    """F0 in Hz per frame (0 where unvoiced) and the aperiodicity (YIN's
    cumulative mean normalized difference at the chosen lag)."""
    tmax = int(sr / fmin) + 1
    tmin = int(sr / fmax)
    n = max(1, len(x) // hop)
    total = WIN + tmax
    pad = np.concatenate([np.zeros(WIN // 2), x, np.zeros(total)])
    idx = np.arange(n)[:, None] * hop + np.arange(total)[None, :]
    fr = pad[idx]
    nfft = 1 << int(np.ceil(np.log2(total + WIN)))
    a = np.zeros((n, nfft))
    a[:, :WIN] = fr[:, :WIN]
    r = np.fft.irfft(np.conj(np.fft.rfft(a, nfft)) * np.fft.rfft(fr, nfft), nfft)[:, : tmax + 1]
    c = np.concatenate([np.zeros((n, 1)), np.cumsum(fr ** 2, axis=1)], axis=1)
    e0 = c[:, WIN][:, None]
    lags = np.arange(tmax + 1)
    et = c[:, lags + WIN] - c[:, lags]
    d = np.maximum(e0 + et - 2 * r, 0)
    d[:, 0] = 0
    cs = np.cumsum(d[:, 1:], axis=1)
    dn = np.ones_like(d)
    dn[:, 1:] = d[:, 1:] * np.arange(1, tmax + 1) / np.maximum(cs, 1e-12)
    f0 = np.zeros(n)
    ap = np.ones(n)
    for k in range(n):
        row = dn[k]
        seg = row[tmin : tmax]
        below = np.nonzero(seg < threshold)[0]
        if len(below):
            t = below[0] + tmin
            while t + 1 < tmax and row[t + 1] < row[t]:
                t += 1
        else:
            t = int(np.argmin(seg)) + tmin
        ap[k] = row[t]
        if 1 <= t < tmax:
            a0, b0, c0 = row[t - 1], row[t], row[t + 1]
            den = a0 - 2 * b0 + c0
            shift = 0.5 * (a0 - c0) / den if den > 1e-12 else 0.0
            tt = t + float(np.clip(shift, -1, 1))
        else:
            tt = float(t)
        f0[k] = sr / tt
    return f0, ap


def track(x, sr=SR, voicing=0.3, floor_db=-35.0):
    """F0 in Hz per 5 ms frame, 0 where unvoiced or quiet."""
    f0, ap = yin(x, sr)
    db = frame_db(x)[: len(f0)]
    voiced = (ap < voicing) & (db > db.max() + floor_db)
    return np.where(voiced, f0, 0.0)


def _runs(mask):
    """(start, end) of each run of True."""
    m = np.concatenate([[False], mask, [False]]).astype(int)
    d = np.diff(m)
    return list(zip(np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]))


def analyze(x):
    """The parts of one syllable recording the synthesis uses:
    start (first sample of the syllable), v0/v1 (its voiced part), the
    pitch marks in [v0, v1), the F0 per frame there, the RMS of the voiced
    part, and onset (the sample where a sonorant initial gives way to the
    final, by the steepest energy rise; None where there is none)."""
    f0, ap = yin(x)
    n = len(f0)
    db = frame_db(x)[:n]
    low = frame_db(sosfiltfilt(_LOW, x))[:n]  # 80-900 Hz: where voicing is
    lmax = low.max()
    # voiced: strong low band, periodic unless very strong (creak is loud
    # but aperiodic), and not a fricative (whose energy is mostly high)
    voiced = (low > lmax - 20) & ((ap < 0.5) | (low > lmax - 10)) & (low - db > -6)
    runs = _runs(voiced)
    if not runs:
        raise ValueError("no voiced part")
    # join runs split by creak or a short dip (the third tone's low part)
    merged = [list(runs[0])]
    for a, b in runs[1:]:
        if a - merged[-1][1] <= 14:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    a, b = max(merged, key=lambda r: r[1] - r[0])
    f0v = f0[a:b].copy()
    ok = voiced[a:b] & (ap[a:b] < 0.3)
    if ok.sum() < 2:
        ok = voiced[a:b]
    # octave errors: pull each frame to the run's median octave
    med = np.median(f0v[ok])
    f0v = np.where(f0v > 1.6 * med, f0v / 2, np.where(f0v < 0.62 * med, f0v * 2, f0v))
    if ok.sum() >= 2:
        f0v = np.interp(np.arange(len(f0v)), np.nonzero(ok)[0], f0v[ok])
    # median smoothing
    k = 2
    f0s = np.array([np.median(f0v[max(0, i - k) : i + k + 1]) for i in range(len(f0v))])
    v0, v1 = a * HOP, min(len(x), b * HOP)
    # the start: the first frame with high-band energy (a burst or a
    # fricative) 10 dB above the recording's floor, at most 200 ms early
    high = frame_db(sosfiltfilt(_HIGH, x))[:n]
    starts = np.nonzero(high[:a] > np.percentile(high, 5) + 10)[0]
    start = int(max(0, (starts[0] if len(starts) else a) * HOP - HOP, a * HOP - SR // 5))
    marks = pitch_marks(x, v0, v1, f0s, a)
    if len(marks) < 3:
        raise ValueError("too few pitch marks")
    v0, v1 = int(marks[0]), int(marks[-1])
    seg = x[v0:v1]
    rms = float(np.sqrt(np.mean(seg ** 2)))
    # the sonorant initial's end: steepest rise of energy in the first 40%
    n40 = max(8, int(0.4 * (b - a)))
    rise = db[a + 6 : a + n40] - db[a + 4 : a + n40 - 2]
    onset = int((a + 5 + int(np.argmax(rise))) * HOP) if len(rise) and rise.max() > 2.0 else None
    if onset is not None and not (v0 < onset < v1):
        onset = None
    return {
        "start": start,
        "v0": v0,
        "v1": v1,
        "marks": marks,
        "f0": f0s,
        "f0_frame0": a,
        "rms": rms,
        "onset": onset,
    }


def pitch_marks(x, v0, v1, f0, frame0):
    """One mark per period in [v0, v1): at the biggest peak of a smoothed
    signal (polarity chosen by its larger extreme), stepping by the local
    period from the loudest peak outward."""
    k = 9
    lp = np.convolve(x, np.hanning(k) / np.hanning(k).sum(), mode="same")
    seg = lp[v0:v1]
    if len(seg) < 8:
        return np.array([], dtype=int)
    sign = 1.0 if seg.max() >= -seg.min() else -1.0
    y = sign * lp

    def period(s):
        i = int(np.clip(s // HOP - frame0, 0, len(f0) - 1))
        return SR / max(f0[i], F0_MIN)

    def best(c, p):
        lo, hi = int(c - 0.25 * p), int(c + 0.25 * p) + 1
        lo, hi = max(lo, v0), min(hi, v1)
        if hi <= lo:
            return None
        return lo + int(np.argmax(y[lo:hi]))

    first = v0 + int(np.argmax(y[v0:v1]))
    marks = [first]
    c = first
    while True:
        p = period(c)
        n = best(c + p, p)
        if n is None or n <= c + 0.5 * p:
            break
        marks.append(n)
        c = n
    c = first
    while True:
        p = period(c)
        n = best(c - p, p)
        if n is None or n >= c - 0.5 * p:
            break
        marks.insert(0, n)
        c = n
    return np.array(marks, dtype=int)


NAME = re.compile(r"^([a-z]+)([1-4]?)$")


class Inventory:
    """The recordings by toneless pinyin and tone (0: the neutral take),
    and the frontend's phones of each syllable (syllables.tsv)."""

    def __init__(self, data_dir):
        self.dir = os.path.join(data_dir, "flac")
        if not os.path.isdir(self.dir):
            raise FileNotFoundError(f"{data_dir}: no flac/ folder of syllable recordings")
        self.files = {}
        for f in sorted(os.listdir(self.dir)):
            m = NAME.match(f[:-5]) if f.endswith(".flac") else None
            if m:  # the -old takes are left out
                self.files[(m.group(1), int(m.group(2) or 0))] = f
        self.by_phones = {}
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "syllables.tsv"), encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#") or not line.strip():
                    continue
                py, ph = line.rstrip("\n").split("\t")
                self.by_phones.setdefault(ph, py)
        self._cache = {}

    def get(self, base, tone):
        """(file name, analysis, samples) of a recording, cached."""
        key = (base, tone)
        if key not in self._cache:
            x = load(os.path.join(self.dir, self.files[key]))
            an = analyze(x)
            # the hiss (15-25 dB below the vowels), measured around the syllable
            x = denoise(x, (an["start"], an["v1"] + SR // 20))
            an["rms"] = float(np.sqrt(np.mean(x[an["v0"] : an["v1"]] ** 2)))
            self._cache[key] = (self.files[key], an, x)
        return self._cache[key]


def fit_tones(inv, points=20):
    """The speaker's contour of each tone: the median over the recordings
    of F0 (semitones re the tone-1 median) at `points` instants across the
    voiced part; tone 0 is the neutral takes."""
    curves = {t: [] for t in range(5)}
    for (base, tone), _ in sorted(inv.files.items()):
        try:
            _, an, _ = inv.get(base, tone)
        except ValueError:
            continue
        f0 = an["f0"]
        if len(f0) < 4:
            continue
        u = np.linspace(0, len(f0) - 1, points)
        curves[tone].append(12 * np.log2(np.interp(u, np.arange(len(f0)), f0) / 100.0))
        inv._cache.pop((base, tone), None)
    ref = float(np.median(np.array(curves[1])))
    out = {"ref_hz": 100.0 * 2 ** (ref / 12), "points": points, "count": {}}
    for t in range(5):
        arr = np.array(curves[t])
        out[str(t)] = [round(float(v) - ref, 3) for v in np.median(arr, axis=0)]
        out["count"][str(t)] = len(arr)
    return out


def main():
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: analysis.py ZH_SYLLABLES_DIR > tools/zh_teacher/tones.json")
    print(json.dumps(fit_tones(Inventory(sys.argv[1])), indent=1))


if __name__ == "__main__":
    main()
