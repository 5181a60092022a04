#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""bench_zh_voice: how well a Mandarin voice says its tones, beside
espeak-ng's Mandarin, against the Mandarin teacher's speech of held-out
sentences (what the voice was trained to say; texts it never saw).

    /usr/bin/python3 bench/bench_zh_voice.py [--voice diffusion:hantts]
        [--sentences bench/data/hantts_heldout.tsv] [--limit 80] [--seed 1]
        [--shuzi build/shuzi] [--baseline espeak:cmn]

For each sentence the teacher (tools/zh_teacher/teacher.py) makes its
speech and syllable timings; each voice says it with `shuzi tts --marks`
(one word event per character). F0 is tracked every 5 ms (YIN, the
teacher's own analysis.py) and each syllable's contour is read in
semitones against the sentence's median. Printed per voice:
  contour   median RMS difference (semitones) of the syllables' contours
            from the teacher's, 10 points over each syllable's voiced part
  shape     per tone, the share of syllables whose F0 moves the way the
            teacher's does (tone 2 rises by more than 1 semitone from its
            first to its last third, tone 4 falls by more than 1, tone 1
            moves less than 2, the half third (6) does not rise by more
            than 1)
  duration  correlation of syllable durations with the teacher's, and the
            ratio of the sentences' total durations
  speed     wall-clock seconds of shuzi per second of audio (whole process,
            one thread, model loading included)
Needs Debian's python3-numpy, -scipy, -soundfile and a built shuzi.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "zh_teacher"))
from analysis import HOP, SR, track  # noqa: E402

POINTS = 10
TONE_NAMES = {1: "tone 1 (level)", 2: "tone 2 (rising)", 3: "tone 3 (full)", 4: "tone 4 (falling)",
              5: "neutral", 6: "half third"}


def read_sentences(path, limit):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                uid, text = line.rstrip("\n").split("\t", 1)
                rows.append((uid, text))
    return rows[:limit] if limit else rows


def f0_semitones(wav):
    x, sr = sf.read(wav, dtype="float64", always_2d=True)
    x = x.mean(axis=1)
    if sr != SR:
        raise RuntimeError(f"{wav}: {sr} Hz, expected {SR}")
    f0 = track(x)
    st = np.where(f0 > 0, 12 * np.log2(np.maximum(f0, 1e-6) / 100.0), np.nan)
    med = np.nanmedian(st) if np.any(~np.isnan(st)) else 0.0
    return st - med, len(x)


def contour(st, a, b):
    """POINTS semitone values over the voiced frames of samples [a, b), or None."""
    fa, fb = int(a // HOP), int(b // HOP)
    seg = st[fa:fb]
    seg = seg[~np.isnan(seg)]
    if len(seg) < 4:
        return None
    u = np.linspace(0, len(seg) - 1, POINTS)
    return np.interp(u, np.arange(len(seg)), seg)


def slope(c):
    k = max(1, POINTS // 3)
    return float(np.mean(c[-k:]) - np.mean(c[:k]))


def shape_ok(tone, s_voice):
    if tone == 2:
        return s_voice > 1.0
    if tone == 4:
        return s_voice < -1.0
    if tone == 1:
        return abs(s_voice) < 2.0
    if tone == 6:
        return s_voice < 1.0
    return None


def say(shuzi, voice, text, wav, marks, seed):
    t = time.time()
    r = subprocess.run([shuzi, "tts", "--voice", voice, "--seed", str(seed), "--threads", "1", "-q",
                        text, "-o", wav, "--marks", marks], capture_output=True, text=True)
    dt = time.time() - t
    if r.returncode != 0:
        raise RuntimeError(f"shuzi tts --voice {voice}: {r.stderr.strip()[-200:]}")
    words = []
    with open(marks, encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            if m["type"] == "word":
                words.append((m["value"], m["time_ms"] * SR / 1000, m["end_ms"] * SR / 1000))
    return words, dt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--voice", default="diffusion:hantts")
    ap.add_argument("--baseline", default="espeak:cmn")
    ap.add_argument("--sentences", default=os.path.join(ROOT, "bench", "data", "hantts_heldout.tsv"))
    ap.add_argument("--limit", type=int, default=80)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shuzi", default=os.path.join(ROOT, "build", "shuzi"))
    a = ap.parse_args()
    rows = read_sentences(a.sentences, a.limit)
    print(f"bench_zh_voice: {a.voice} beside {a.baseline}, against the Mandarin teacher, on "
          f"{len(rows)} sentences of {os.path.relpath(a.sentences, ROOT)}")
    print(f"reproduce: /usr/bin/python3 bench/bench_zh_voice.py --voice {a.voice} --baseline "
          f"{a.baseline} --limit {a.limit} --seed {a.seed}")
    with tempfile.TemporaryDirectory(prefix="shuzi-bench-zh-") as tmp:
        src = os.path.join(tmp, "texts.txt")
        with open(src, "w", encoding="utf-8") as f:
            f.writelines(f"{u}|{t}\n" for u, t in rows)
        r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tools", "zh_teacher", "teacher.py"), src,
                            os.path.join(tmp, "teacher"), "--shuzi", a.shuzi], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"bench_zh_voice: the teacher failed: {r.stderr.strip()[-300:]}")
        teacher = {}
        with open(os.path.join(tmp, "teacher", "timings.jsonl"), encoding="utf-8") as f:
            for line in f:
                o = json.loads(line)
                teacher[o["id"]] = o
        systems = [a.voice, a.baseline]
        stats = {s: {"rms": [], "shape": {}, "slopes": {}, "dur": [], "total": [], "wall": 0.0, "audio": 0.0,
                     "skipped": 0} for s in systems}
        teacher_slopes = {}
        for uid, text in rows:
            if uid not in teacher:
                continue
            t = teacher[uid]
            st_t, _ = f0_semitones(os.path.join(tmp, "teacher", "wavs", uid + ".wav"))
            sylls = t["syllables"]
            for s in systems:
                wav, marks = os.path.join(tmp, "v.wav"), os.path.join(tmp, "v.jsonl")
                try:
                    words, dt = say(a.shuzi, s, text, wav, marks, a.seed)
                except RuntimeError as e:
                    print(f"  {s}: {uid}: {e}")
                    stats[s]["skipped"] += 1
                    continue
                st_v, n = f0_semitones(wav)
                stats[s]["wall"] += dt
                stats[s]["audio"] += n / SR
                if [w[0] for w in words] != [y["char"] for y in sylls]:
                    stats[s]["skipped"] += 1
                    continue
                stats[s]["total"].append((words[-1][2] - words[0][1]) / (sylls[-1]["end"] - sylls[0]["start"]))
                for (ch, va, vb), y in zip(words, sylls):
                    stats[s]["dur"].append((vb - va, y["end"] - y["start"]))
                    ct, cv = contour(st_t, y["voiced_start"], y["end"]), contour(st_v, va, vb)
                    if ct is None or cv is None:
                        continue
                    stats[s]["rms"].append(float(np.sqrt(np.mean((ct - cv) ** 2))))
                    tone = y["tone"]
                    ok = shape_ok(tone, slope(cv))
                    if s == a.voice:
                        teacher_slopes.setdefault(tone, []).append(slope(ct))
                    stats[s]["slopes"].setdefault(tone, []).append(slope(cv))
                    if ok is not None:
                        stats[s]["shape"].setdefault(tone, []).append(ok)
        print(f"\n  {'':28s} " + "".join(f"{s:>22s}" for s in systems))
        print(f"  {'contour RMS vs teacher (st)':28s} " +
              "".join(f"{np.median(stats[s]['rms']) if stats[s]['rms'] else float('nan'):22.2f}" for s in systems))
        for tone in (1, 2, 4, 6):
            ts = teacher_slopes.get(tone, [])
            tshape = [shape_ok(tone, v) for v in ts]
            row = f"  {TONE_NAMES[tone] + ' shape':28s} "
            for s in systems:
                v = stats[s]["shape"].get(tone, [])
                row += f"{(100.0 * np.mean(v) if v else float('nan')):19.0f} % "
            print(row + f"  (teacher {100.0 * np.mean(tshape) if tshape else float('nan'):.0f} %, "
                        f"{len(ts)} syllables)")
        for tone in (1, 2, 4, 6):
            row = f"  {TONE_NAMES[tone] + ' median move st':28s} "
            for s in systems:
                v = stats[s]["slopes"].get(tone, [])
                row += f"{(np.median(v) if v else float('nan')):+22.2f}"
            ts = teacher_slopes.get(tone, [])
            print(row + f"  (teacher {np.median(ts) if ts else float('nan'):+.2f})")
        row = f"  {'syllable duration corr.':28s} "
        for s in systems:
            d = np.array(stats[s]["dur"]) if stats[s]["dur"] else np.zeros((2, 2))
            row += f"{np.corrcoef(d[:, 0], d[:, 1])[0, 1]:22.2f}"
        print(row)
        print(f"  {'length / teacher (median)':28s} " +
              "".join(f"{np.median(stats[s]['total']) if stats[s]['total'] else float('nan'):22.2f}" for s in systems))
        print(f"  {'wall s per audio s':28s} " +
              "".join(f"{stats[s]['wall'] / max(stats[s]['audio'], 1e-9):22.3f}" for s in systems))
        print(f"  {'sentences left out':28s} " + "".join(f"{stats[s]['skipped']:22d}" for s in systems))


if __name__ == "__main__":
    main()
