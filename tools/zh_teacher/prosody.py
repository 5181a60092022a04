# SPDX-License-Identifier: Apache-2.0
"""Sentence prosody for the Mandarin teacher: which recording each syllable
uses (the frontend's tone after sandhi), prosodic words, durations, pauses
and the F0 target (tone contours of the speaker, the half third, neutral
tones after each tone, declination, final lowering)."""
import json
import os

import numpy as np
from scipy.signal import lfilter

from analysis import SR

HERE = os.path.dirname(os.path.abspath(__file__))

# The frontend's Chao tone letters (after sandhi) -> tone: 1-4, 5 neutral, 6 half third.
TONE_LETTERS = {"˥": 1, "˧˥": 2, "˨˩˦": 3, "˥˩": 4, "˩": 5, "˨˩": 6}

# Punctuation -> pause after the syllable before it (seconds).
PAUSES = {"，": 0.2, ",": 0.2, "、": 0.15, "；": 0.28, ";": 0.28, "：": 0.25, ":": 0.25,
          "。": 0.4, ".": 0.4, "！": 0.4, "!": 0.4, "？": 0.4, "?": 0.4, "…": 0.35,
          "—": 0.2, "（": 0.15, "）": 0.15, "“": 0.0, "”": 0.0, "《": 0.1, "》": 0.1}
LEAD, TAIL = 0.15, 0.25
# initials said without voice: stretched apart from the voiced part
VOICELESS = {"p", "pʰ", "f", "t", "tʰ", "k", "kʰ", "x", "tɕ", "tɕʰ", "ɕ", "ʈʂ", "ʈʂʰ", "ʂ", "ts", "tsʰ", "s"}  # silence before and after the sentence

# Voiced-part length as a share of the isolated recording's, by position.
K_INNER, K_WORD_END, K_PHRASE_END, K_NEUTRAL = 0.42, 0.52, 0.85, 0.45
K_CONSONANT, K_CONSONANT_END = 0.75, 0.9  # the initial's share
MIN_VOICED = 0.06

RANGE = 0.8  # tone contours of isolated syllables are wider than in sentences
DECLINATION = 1.6  # semitones per second within a phrase
PHRASE_STEP = 0.7  # each later phrase starts this much lower (semitones)
FINAL_LOWERING = 1.0
QUESTION_RISE = 2.5
TONE_EARLY = 0.8  # a contour is laid over this share of the voiced part
F0_TAU = 0.02  # seconds: how fast F0 follows the tone targets
LOUDNESS_RMS = 0.08  # per-syllable target, about -22 dBFS
NEUTRAL_GAIN = 0.7


def load_tones():
    with open(os.path.join(HERE, "tones.json"), encoding="utf-8") as f:
        t = json.load(f)
    return t["ref_hz"], {k: np.array(t[str(k)]) for k in range(5)}


def _contour(tpl, u):
    return np.interp(u, np.linspace(0, 1, len(tpl)), tpl)


def tone_contour(tone, u, tpl, prev_end=None):
    """F0 in semitones re the speaker's tone-1 level at normalized times u
    (0..1) of the voiced part, before declination. prev_end: the contour's
    value at the end of the syllable before (for the neutral tone)."""
    u = np.asarray(u, dtype=float)
    if tone in (1, 2, 3, 4):  # reach the end of the contour early: F0 lags it (f0_target)
        u = np.minimum(u / TONE_EARLY, 1.0)
    if tone in (1, 2, 4):
        c = _contour(tpl[tone], u)
    elif tone == 3:  # full third (before a pause): the low part, then the rise
        c = _contour(tpl[3], u) + 5.0 * np.clip((u - 0.6) / 0.4, 0, 1) ** 1.5
    elif tone == 6:  # half third: only the falling low part, held low, no rise
        t3 = tpl[3]
        umin = float(np.argmin(t3)) / (len(t3) - 1)
        c = _contour(t3, np.minimum(u / 0.75, 1.0) * umin)
    else:  # neutral: a short fall from a level set by the tone before (Chao)
        lo = float(tpl[3].min())
        level = {1: 0.55, 2: 0.65, 3: 0.85, 6: 0.85, 4: 0.15, 5: 0.3}
        start = lo * (1 - level.get(prev_end[1], 0.45)) if prev_end else lo * 0.6
        c = start - 1.0 * u
        return c
    return c * RANGE + (1 - RANGE) * float(np.mean(tpl[1]))


def choose_recording(inv, base, tone):
    """(recording tone, neutral made from a toned take?) for a syllable
    spoken with the frontend's tone: the sandhi'd tone's own take (2 for a
    third turned second, 3 for the half third), the neutral take for tone 5
    when there is one, else a toned take shortened and lowered."""
    want = {6: 3, 5: 0}.get(tone, tone)
    if (base, want) in inv.files:
        return want, False
    for t in (1, 4, 2, 3, 0):
        if (base, t) in inv.files:
            return t, tone == 5
    return None, False


def prosodic_words(tones):
    """Word index per syllable within a phrase: disyllabic feet from the
    left, a neutral syllable joining the foot before it, a lone last
    syllable joining the foot before it."""
    words = []
    cur, size = -1, 0
    for t in tones:
        if t == 5 and cur >= 0:
            words.append(cur)
            continue
        if cur < 0 or size >= 2:
            cur += 1
            size = 0
        words.append(cur)
        size += 1
    if size == 1 and cur > 0 and len(tones) > 1:
        k = len(tones) - 1
        while k >= 0 and words[k] == cur:
            words[k] = cur - 1
            k -= 1
    return words


def plan(sylls, inv):
    """sylls: [{"phones", "tone", "char", "pause_after" (s), "punct"}] of one
    sentence. Fills in the recording, the durations (samples) and the F0
    target parameters; returns the list."""
    ref_hz, tpl = load_tones()
    # phrases: runs of syllables up to one with a pause after it
    phrase, p = [], 0
    for s in sylls:
        phrase.append(p)
        if s["pause_after"] > 0:
            p += 1
    n_phr = p + (0 if sylls and sylls[-1]["pause_after"] > 0 else 1)
    for ph in range(n_phr):
        idx = [i for i, q in enumerate(phrase) if q == ph]
        words = prosodic_words([sylls[i]["tone"] for i in idx])
        for j, i in enumerate(idx):
            s = sylls[i]
            s["phrase"] = ph
            s["word"] = words[j]
            s["word_end"] = j + 1 == len(idx) or words[j + 1] != words[j]
            s["phrase_end"] = j + 1 == len(idx)
    for i, s in enumerate(sylls):
        rt, from_toned = choose_recording(inv, s["pinyin"], s["tone"])
        s["rec_tone"], s["neutral_from_toned"] = rt, from_toned
        name, an, _ = inv.get(s["pinyin"], rt)
        s["recording"] = name
        lv = (an["v1"] - an["v0"]) / SR
        lu = (an["v0"] - an["start"]) / SR
        if s["tone"] == 5:
            k = K_NEUTRAL * (1.4 if s["phrase_end"] else 1.0) * (0.8 if from_toned else 1.0)
        elif s["phrase_end"]:
            k = K_PHRASE_END
        elif s["word_end"]:
            k = K_WORD_END
        else:
            k = K_INNER
        s["dur_voiced"] = int(round(max(MIN_VOICED, lv * k) * SR))
        kc = K_CONSONANT_END if s["phrase_end"] else K_CONSONANT
        voiceless = len(s["phones"]) >= 2 and s["phones"][0] in VOICELESS
        s["dur_initial"] = int(round(min(lu * kc, 0.12 if s["phrase_end"] else 0.1) * SR)) if voiceless else 0
        s["gain"] = LOUDNESS_RMS / max(an["rms"], 1e-6) * (NEUTRAL_GAIN if s["tone"] == 5 else 1.0)
    return ref_hz, tpl


def f0_target(sylls, spans, total, ref_hz, tpl, question, hop=110):
    """F0 in Hz per `hop` samples over the sentence (interpolated where no
    syllable is voiced), with declination per phrase and smoothed joins.
    spans[i] = (voiced start, voiced end) of syllable i in output samples."""
    n = total // hop + 2
    st = np.full(n, np.nan)
    prev = None
    phrase_t0 = {}
    for i, s in enumerate(sylls):
        a, b = spans[i]
        phrase_t0.setdefault(s["phrase"], a)
        fa, fb = a // hop, max(a // hop + 1, b // hop)
        u = (np.arange(fa, fb) * hop - a) / max(1, b - a)
        c = tone_contour(s["tone"], np.clip(u, 0, 1), tpl, prev)
        if s["tone"] == 5 and s["neutral_from_toned"]:
            c = c - 1.0  # a toned take as a neutral one: lower
        t = (np.arange(fa, fb) * hop - phrase_t0[s["phrase"]]) / SR
        c = c - DECLINATION * t - PHRASE_STEP * s["phrase"]
        if i == len(sylls) - 1:
            c = c + (QUESTION_RISE * np.clip(u, 0, 1) if question else -FINAL_LOWERING * np.clip(u, 0, 1))
        st[fa:fb] = c
        prev = (float(c[-1]), s["tone"])
    # bridge the gaps, then let F0 approach each syllable's contour from
    # where the syllable before left it (Xu's target approximation: the
    # carry-over is strong, anticipation weak): two one-pole filters in
    # cascade, a critically damped approach with time constant F0_TAU
    voiced = ~np.isnan(st)
    idx = np.nonzero(voiced)[0]
    if len(idx) == 0:
        return np.full(n, ref_hz)
    filled = np.interp(np.arange(n), idx, st[idx])
    alpha = float(np.exp(-hop / SR / F0_TAU))
    sm = lfilter([(1 - alpha) ** 2], [1, -2 * alpha, alpha * alpha], filled - filled[0]) + filled[0]
    return ref_hz * 2 ** (sm / 12)
