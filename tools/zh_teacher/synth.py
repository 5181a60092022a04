# SPDX-License-Identifier: Apache-2.0
"""Renders a planned sentence from the syllable recordings by TD-PSOLA
(Moulines and Charpentier 1990): the voiced part of each syllable is cut
into two-period Hann grains at its pitch marks, and the grains are laid
again at synthesis marks that follow the sentence's F0 target, with the
analysis position mapped linearly onto the syllable's new duration. Near a
join between two voiced syllables each grain is a mix of both syllables'
grains (a pitch-synchronous crossfade of their spectral envelopes). The
voiceless initials are stretched by plain overlap-add. No randomness: the
same plan gives the same samples."""
import numpy as np

from analysis import SR
from prosody import LEAD, TAIL, f0_target

HOP = 110
CROSSFADE = 0.03  # seconds each side of a voiced-voiced join
OLA_N = 256

# phones that start a syllable before its final (initials and the glides
# that pinyin spells y/w; ";" is the frontend's mark before ü)
INITIALS = {"p", "pʰ", "m", "f", "t", "tʰ", "n", "l", "k", "kʰ", "x", "tɕ", "tɕʰ", "ɕ",
            "ʈʂ", "ʈʂʰ", "ʂ", "ʐ", "ts", "tsʰ", "s", "j", "w", ";"}
SONORANTS = {"m", "n", "l", "ʐ"}


def _grain(x, marks, k, gain):
    m = int(marks[k])
    lo = int(marks[k - 1]) if k > 0 else m - (int(marks[k + 1]) - m)
    hi = int(marks[k + 1]) if k + 1 < len(marks) else m + (m - int(marks[k - 1]))
    p = max(8, (hi - lo) // 2)
    w = np.hanning(2 * p + 3)[1:-1]
    seg = np.zeros(2 * p + 1)
    a, b = m - p, m + p + 1
    sa, sb = max(a, 0), min(b, len(x))
    seg[sa - a : sb - a] = x[sa:sb]
    return seg * w * gain, p


def _analysis_index(an, pos):
    """Nearest pitch mark to a position (0..1) through the voiced part."""
    ta = an["v0"] + pos * (an["v1"] - an["v0"])
    marks = an["marks"]
    k = int(np.searchsorted(marks, ta))
    if k >= len(marks):
        return len(marks) - 1
    if k > 0 and ta - marks[k - 1] < marks[k] - ta:
        return k - 1
    return k


def render(sylls, inv, ref_hz, tpl, question=False):
    """Returns (float samples, syllable timings)."""
    # the timeline
    t = int(LEAD * SR)
    spans, layout = [], []
    for s in sylls:
        s0 = t
        t += s["dur_initial"]
        a = t
        t += s["dur_voiced"]
        spans.append((a, t))
        layout.append((s0, a, t))
        t += int(round(s["pause_after"] * SR))
    total = t + int(TAIL * SR)
    out = np.zeros(total + 4 * OLA_N)
    f0 = f0_target(sylls, spans, total, ref_hz, tpl, question, HOP)
    recs = [inv.get(s["pinyin"], s["rec_tone"]) for s in sylls]

    # voiceless initials: overlap-add, 50% overlap of periodic Hann windows
    win = np.hanning(OLA_N + 1)[:-1]
    half = OLA_N // 2
    for i, s in enumerate(sylls):
        s0, a, _ = layout[i]
        if a <= s0:
            continue
        _, an, x = recs[i]
        lu = an["v0"] - an["start"]
        for c in range(s0, a, half):
            src = int(an["start"] + (c - s0) / (a - s0) * lu)
            seg = np.zeros(OLA_N)
            lo, hi = src - half, src + half
            sa, sb = max(lo, 0), min(hi, len(x))
            seg[sa - lo : sb - lo] = x[sa:sb]
            out[c - half + 2 * OLA_N : c + half + 2 * OLA_N] += seg * win * s["gain"]

    # voiced stretches: syllables whose voiced parts touch make one stretch
    stretches = []
    for i, (a, b) in enumerate(spans):
        if stretches and stretches[-1][1] == a:
            stretches[-1][1] = b
            stretches[-1][2].append(i)
        else:
            stretches.append([a, b, [i]])
    cf = int(CROSSFADE * SR)
    for a, b, members in stretches:
        ts = float(a)
        j = 0
        while ts < b:
            while j + 1 < len(members) and ts >= spans[members[j + 1]][0]:
                j += 1
            i = members[j]
            hz = f0[min(int(ts) // HOP, len(f0) - 1)]
            ps = SR / hz
            parts = []
            sa, sb = spans[i]
            parts.append((i, (ts - sa) / (sb - sa), 1.0))
            # crossfade with the neighbour within cf of a join
            if j + 1 < len(members) and sb - ts < cf:
                w = 0.5 * (1 - (sb - ts) / cf)
                nxt = members[j + 1]
                parts = [(i, (ts - sa) / (sb - sa), 1 - w), (nxt, 0.0, w)]
            elif j > 0 and ts - sa < cf:
                w = 0.5 * (1 - (ts - sa) / cf)
                prv = members[j - 1]
                parts = [(i, (ts - sa) / (sb - sa), 1 - w), (prv, 1.0, w)]
            grains = []
            for k_syl, pos, w in parts:
                _, an, x = recs[k_syl]
                k = _analysis_index(an, min(max(pos, 0.0), 1.0))
                g, p = _grain(x, an["marks"], k, sylls[k_syl]["gain"] * w)
                grains.append((g * min(2.0, ps / p), p))
            p = max(pp for _, pp in grains)
            mix = np.zeros(2 * p + 1)
            for g, pp in grains:
                mix[p - pp : p + pp + 1] += g
            c = int(round(ts)) + 2 * OLA_N
            out[c - p : c + p + 1] += mix
            ts += ps
    out = out[2 * OLA_N : 2 * OLA_N + total]
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    if peak > 0.95:
        out *= 0.95 / peak

    timings = []
    for i, s in enumerate(sylls):
        s0, a, b = layout[i]
        _, an, _ = recs[i]
        ph = s["phones"]
        phones = []
        if len(ph) >= 2 and ph[0] in INITIALS:
            if a > s0:
                cut = a
            elif ph[0] in SONORANTS and an["onset"] is not None:
                cut = a + int((an["onset"] - an["v0"]) / (an["v1"] - an["v0"]) * (b - a))
            else:
                cut = a + (b - a) // 5
            phones = [[ph[0], s0, cut], [" ".join(ph[1:]), cut, b]]
        else:
            phones = [[" ".join(ph), s0, b]]
        timings.append({
            "char": s.get("char", ""), "pinyin": s["pinyin"], "tone": s["tone"],
            "recording": s["recording"], "start": s0, "end": b, "voiced_start": a,
            "phones": phones,
        })
    return out, timings
