#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checks of the Mandarin teacher, on numbers measured in its output (run by
tests/test_zh_teacher.sh; needs the syllable recordings and the shuzi
binary):  test_teacher.py SHUZI DATA_DIR TMP_DIR"""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import analysis as A  # noqa: E402
import prosody as P  # noqa: E402
from teacher import frontend, syllables, synthesize  # noqa: E402

SHUZI, DATA, TMP = sys.argv[1:4]
INV = A.Inventory(DATA)
fails = 0


def check(cond, what):
    global fails
    print(("ok: " if cond else "FAIL: ") + what)
    fails += 0 if cond else 1


def sylls_of(text, inv=INV):
    s, why = syllables(frontend(SHUZI, [text])[0], inv)
    assert s, f"{text}: {why}"
    return s


def make(text, inv=INV):
    s = sylls_of(text, inv)
    audio, tim = synthesize(text, s, inv)
    return s, audio, tim


def st(hz):
    return 12 * np.log2(np.maximum(hz, 1e-9) / 100.0)


def f0_of(audio, t, lo=0.0, hi=1.0):
    """Measured F0 (semitones re 100 Hz, voiced frames only) over a share
    [lo, hi] of a syllable's voiced part, by the YIN tracker."""
    f0 = A.track(audio, voicing=0.5)
    a, b = t["voiced_start"], t["end"]
    fa, fb = int((a + lo * (b - a)) // A.HOP), int((a + hi * (b - a)) // A.HOP)
    seg = f0[fa:fb]
    return st(seg[seg > 0])


# 1. the frontend's sandhi'd tone picks its own recording
cases = {"你好": ["ni2", "hao3"], "一样": ["yi2", "yang4"], "一百": ["yi4", "bai3"],
         "不是": ["bu2", "shi4"], "不好": ["bu4", "hao3"], "欢迎": ["huan1", "ying2"],
         "小说": ["xiao3", "shuo1"], "我们": ["wo3", "men"], "喜欢": ["xi3", "huan"]}
for text, want in cases.items():
    s = sylls_of(text)
    P.plan(s, INV)
    got = [x["recording"][:-5] for x in s]
    check(got == want, f"{text}: recordings {got} (want {want}; tones {[x['tone'] for x in s]})")

# 2. the neutral tone: its own take when there is one, else a toned take
# shortened and lowered
s, audio, tim = make("我们")
check(s[1]["tone"] == 5 and s[1]["recording"] == "men.flac", "们 is neutral and uses men.flac")
no_neutral = A.Inventory(DATA)
del no_neutral.files[("men", 0)], no_neutral.files[("men", 1)]
s2 = sylls_of("他们", no_neutral)
P.plan(s2, no_neutral)
s3 = sylls_of("他闷", no_neutral)  # 闷 mèn: the same take, toned
P.plan(s3, no_neutral)
check(s2[1]["neutral_from_toned"] and s2[1]["recording"] == s3[1]["recording"] == "men4.flac"
      and s2[1]["dur_voiced"] < 0.75 * s3[1]["dur_voiced"],
      f"neutral 们 without a neutral take: men4 shortened ({s2[1]['dur_voiced']} < 0.75 x {s3[1]['dur_voiced']})")
a2, t2 = synthesize("他们", s2, no_neutral)
a3, t3 = synthesize("他闷", s3, no_neutral)
m2, m3 = np.median(f0_of(a2, t2[1], 0, 0.5)), np.median(f0_of(a3, t3[1], 0, 0.5))
check(m2 < m3 - 2, f"... and lowered: F0 over its first half {m2:.1f} st against {m3:.1f} st toned")

# 3. third-tone sandhi measured: 你 of 你好 rises
s, audio, tim = make("你好")
lo_, hi_ = np.median(f0_of(audio, tim[0], 0.0, 0.35)), np.median(f0_of(audio, tim[0], 0.65, 1.0))
check(hi_ - lo_ > 2.0, f"你好: 你 (third tone before a third) rises {hi_ - lo_:.1f} st")

# 4. the half third has no final rise; a full third before a pause does
def end_rise(audio, t):
    """F0 of the last quarter minus that of the middle fifth (semitones)."""
    return float(np.median(f0_of(audio, t, 0.75, 1.0)) - np.median(f0_of(audio, t, 0.4, 0.6)))


s, audio, tim = make("五千")  # 五: a half third
rise_half = end_rise(audio, tim[0])
check(s[0]["tone"] == 6 and rise_half < 0.5, f"五千: 五 is a half third, its end {rise_half:+.1f} st from its middle")
s, audio, tim = make("他很好")
rise_full = end_rise(audio, tim[-1])
check(s[-1]["tone"] == 3 and rise_full > 2.0, f"他很好: the final full third rises {rise_full:+.1f} st at its end")

# 5. declination: a phrase of first tones falls
s, audio, tim = make("他今天真开心")
means = [np.median(f0_of(audio, t, 0.2, 0.8)) for t in tim]
mid = [(t["voiced_start"] + t["end"]) / 2 / A.SR for t in tim]
slope = np.polyfit(mid, means, 1)[0]
check(all(x["tone"] == 1 for x in s) and slope < -0.8,
      f"declination over six first tones: {slope:.2f} st/s ({' '.join(f'{m:.1f}' for m in means)})")

# 6. durations: phrase-final lengthening, shorter inside words, short neutral tones
s, _, tim = make("开心的人很多")
s_end, _, tim_end = make("他很开心")
d_in = tim[1]["end"] - tim[1]["voiced_start"]
d_end = tim_end[-1]["end"] - tim_end[-1]["voiced_start"]
check(d_end > 1.4 * d_in, f"心 lasts {d_end / A.SR * 1000:.0f} ms phrase-final, {d_in / A.SR * 1000:.0f} ms inside")
check(tim[2]["end"] - tim[2]["start"] < 0.8 * (tim[1]["end"] - tim[1]["start"]),
      "the neutral 的 is shorter than the syllable before it")
check(P.prosodic_words([1, 1, 1, 1, 5]) == [0, 0, 1, 1, 1] and P.prosodic_words([4, 2, 3]) == [0, 0, 0],
      "prosodic words: disyllabic feet, neutral and lone syllables join the foot before")
s = sylls_of("明天上午开会")
P.plan(s, INV)
inner = [x for x in s if not x["word_end"] and x["tone"] != 5]
ends = [x for x in s if x["word_end"] and not x["phrase_end"] and x["tone"] != 5]
k_in = np.mean([x["dur_voiced"] / (INV.get(x["pinyin"], x["rec_tone"])[1]["v1"]
                                   - INV.get(x["pinyin"], x["rec_tone"])[1]["v0"]) for x in inner])
k_end = np.mean([x["dur_voiced"] / (INV.get(x["pinyin"], x["rec_tone"])[1]["v1"]
                                    - INV.get(x["pinyin"], x["rec_tone"])[1]["v0"]) for x in ends])
check(k_in < k_end, f"word-internal syllables keep {k_in:.2f} of their length, word-final {k_end:.2f}")

# 7. a pause at a comma: silence between the phrases
s, audio, tim = make("你好，我很好。")
gap = (tim[2]["start"] - tim[1]["end"]) / A.SR
seg = audio[tim[1]["end"] + 600 : tim[2]["start"] - 600]
level = 20 * np.log10(np.sqrt(np.mean(seg ** 2)) + 1e-12)
check(gap >= 0.18 and level < -50, f"a comma gives {gap * 1000:.0f} ms of silence ({level:.0f} dBFS)")

# 8. smooth joins: F0 moves across voiced joins at a bounded speed, and
# less than with the target approach off; the crossfade makes the spectrum
# change less across joins than a cut does
import synth as S  # noqa: E402


def joins_of(text, tau=None, crossfade=None):
    old = P.F0_TAU, S.CROSSFADE
    if tau is not None:
        P.F0_TAU = tau
    if crossfade is not None:
        S.CROSSFADE = crossfade
    try:
        s, audio, tim = make(text)
    finally:
        P.F0_TAU, S.CROSSFADE = old
    f0 = A.track(audio, voicing=0.5)
    jumps, flux = [], []
    for i in range(len(tim) - 1):
        j = tim[i]["end"]
        if tim[i + 1]["start"] != j or tim[i + 1]["voiced_start"] != j:
            continue  # not a voiced-voiced join
        k = j // A.HOP
        if f0[k - 3] > 0 and f0[k + 3] > 0:
            jumps.append(abs(st(f0[k + 3]) - st(f0[k - 3])))
        # log spectra (0-5.5 kHz) of the 20 ms just before and just after the join
        fr = [audio[j + o : j + o + 441] * np.hanning(441) for o in (-441, 0)]
        sp = [10 * np.log10(np.abs(np.fft.rfft(x, 1024))[:256] ** 2 + 1e-10) for x in fr]
        flux.append(float(np.sqrt(np.mean((sp[1] - sp[0]) ** 2))))
    return jumps, flux


text = "我们明天来玩吗"
jumps, flux = joins_of(text)
raw, _ = joins_of(text, tau=1e-4)
_, cut = joins_of(text, crossfade=0.0)
check(jumps and max(jumps) < 3.5 and max(raw) > max(jumps) + 0.5,
      f"F0 across {len(jumps)} voiced joins moves at most {max(jumps):.1f} st in 30 ms "
      f"({max(raw):.1f} without the target approach)")
check(np.mean(flux) < np.mean(cut), f"spectral step across joins: {np.mean(flux):.1f} dB with the crossfade, "
      f"{np.mean(cut):.1f} dB cut")

# 9. loudness: every toned syllable near the target level
s, audio, tim = make("这款手机只要五千九百九十九元")
lv = [20 * np.log10(np.sqrt(np.mean(audio[t["voiced_start"] : t["end"]] ** 2))) for t, x in zip(tim, s)
      if x["tone"] != 5]
target = 20 * np.log10(P.LOUDNESS_RMS)
check(max(abs(v - target) for v in lv) < 3.0, f"syllable levels {min(lv):.1f} to {max(lv):.1f} dBFS "
      f"(target {target:.1f})")

# 10. determinism and the folder: two runs, the same bytes
texts = os.path.join(TMP, "texts.txt")
with open(texts, "w", encoding="utf-8") as f:
    f.write("a1|你好，欢迎光临！\na2|这是一个测试。\na3|Hello 你好。\n")
outs = []
for k in (1, 2):
    d = os.path.join(TMP, f"out{k}")
    r = subprocess.run([sys.executable, os.path.join(HERE, "teacher.py"), texts, d, "--shuzi", SHUZI,
                        "--data", DATA], capture_output=True, text=True)
    check(r.returncode == 0 and "2 sentences" in r.stdout and "left out: 1 " in r.stdout,
          f"teacher.py run {k}: {r.stdout.strip()} {r.stderr.strip()[-200:]}")
    outs.append(d)
same = all(hashlib.sha256(open(os.path.join(outs[0], "wavs", u), "rb").read()).digest()
           == hashlib.sha256(open(os.path.join(outs[1], "wavs", u), "rb").read()).digest()
           for u in ("a1.wav", "a2.wav"))
check(same, "two runs write identical WAV files")
meta = open(os.path.join(outs[0], "metadata.csv"), encoding="utf-8").read().splitlines()
check(meta == ["a1|你好，欢迎光临！|你好，欢迎光临！", "a2|这是一个测试。|这是一个测试。"], f"metadata.csv: {meta}")
x, sr = A.sf.read(os.path.join(outs[0], "wavs", "a1.wav"), dtype="int16")
tim = [json.loads(line) for line in open(os.path.join(outs[0], "timings.jsonl"), encoding="utf-8")]
ok = sr == 22050 and x.ndim == 1 and tim[0]["samples"] == len(x)
prev = 0
for t in tim[0]["syllables"]:
    ok = ok and prev <= t["start"] <= t["voiced_start"] <= t["end"] <= len(x)
    ok = ok and t["phones"][0][1] == t["start"] and t["phones"][-1][2] == t["end"]
    prev = t["end"]
check(ok and [t["pinyin"] + str(t["tone"]) for t in tim[0]["syllables"]] ==
      ["ni2", "hao3", "huan1", "ying2", "guang1", "lin2"],
      "a1: 22,050 Hz mono 16-bit, syllable and phone timings in order, tones ni2 hao3 huan1 ying2 guang1 lin2")
notice = open(os.path.join(outs[0], "NOTICE"), encoding="utf-8").read()
check("Copyright (c) 2017 Junze Wu" in notice, "NOTICE carries the recordings' MIT notice")
r = subprocess.run([sys.executable, os.path.join(HERE, "teacher.py"), os.path.join(TMP, "missing.txt"),
                    os.path.join(TMP, "o"), "--shuzi", SHUZI, "--data", DATA], capture_output=True, text=True)
check(r.returncode != 0 and "missing.txt" in r.stderr and "Traceback" not in r.stderr,
      f"a missing text file is one clear error: {r.stderr.strip()}")

print("all passed" if fails == 0 else f"{fails} failed")
sys.exit(1 if fails else 0)
