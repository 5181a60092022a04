#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Listening-free checks of a folder the teacher made: F0 measured in the
output by the YIN tracker (analysis.py), per tone, and per sentence.

    /usr/bin/python3 tools/zh_teacher/check.py out/zh_teacher_sample

Prints the total duration; for each tone (1-4, 5 neutral, 6 half third)
the number of syllables and the median F0 rise from the first to the last
third of the voiced part; for the half third, the full third and the
second tone, the rise from the middle fifth to the last quarter (the half
third must not rise there, the others must); the median declination slope over each sentence's first
phrase (a line through the syllables' median F0 against time); and the
largest F0 move in 30 ms across voiced joins (median and 95th percentile
over the joins).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analysis as A  # noqa: E402


def st(hz):
    return 12 * np.log2(hz / 100.0)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check.py OUT_DIR")
    d = sys.argv[1]
    rises = {t: [] for t in range(1, 7)}
    tails = {}
    slopes, joins = [], []
    total = 0
    rows = [json.loads(line) for line in open(os.path.join(d, "timings.jsonl"), encoding="utf-8")]
    for o in rows:
        x = A.load(os.path.join(d, "wavs", o["id"] + ".wav"))
        total += len(x)
        f0 = A.track(x, voicing=0.5)
        pts = []
        for k, s in enumerate(o["syllables"]):
            a, b = s["voiced_start"] // A.HOP, s["end"] // A.HOP
            seg = f0[a:b]
            n = len(seg)
            if n < 6:
                continue
            first, last = seg[: n // 3], seg[-(n // 3):]
            if (first > 0).sum() >= 2 and (last > 0).sum() >= 2:
                rises[s["tone"]].append(np.median(st(last[last > 0])) - np.median(st(first[first > 0])))
            v = seg[seg > 0]
            mid, end = seg[int(0.4 * n) : int(0.6 * n) + 1], seg[-max(2, n // 4):]
            if (mid > 0).sum() and (end > 0).sum() >= 2:
                tails.setdefault(s["tone"], []).append(np.median(st(end[end > 0])) - np.median(st(mid[mid > 0])))
            if len(v) >= 3 and s["tone"] != 5:
                pts.append(((s["voiced_start"] + s["end"]) / 2 / A.SR, np.median(st(v)), k))
            nxt = o["syllables"][k + 1] if k + 1 < len(o["syllables"]) else None
            if nxt and nxt["start"] == s["end"] and nxt["voiced_start"] == s["end"]:
                j = s["end"] // A.HOP
                if f0[j - 3] > 0 and f0[j + 3] > 0:
                    joins.append(abs(st(f0[j + 3]) - st(f0[j - 3])))
        # the first phrase: syllables up to the first pause
        ends = [i for i, s in enumerate(o["syllables"][:-1]) if o["syllables"][i + 1]["start"] - s["end"] > 1000]
        cut = ends[0] if ends else len(o["syllables"]) - 1
        p = [q for q in pts if q[2] <= cut]
        if len(p) >= 4:
            slopes.append(np.polyfit([q[0] for q in p], [q[1] for q in p], 1)[0])
    print(f"{len(rows)} sentences, {total / A.SR / 60:.2f} min ({total / A.SR:.0f} s)")
    names = {1: "tone 1", 2: "tone 2", 3: "full tone 3", 4: "tone 4", 5: "neutral", 6: "half third"}
    for t in range(1, 7):
        r = rises[t]
        if r:
            print(f"{names[t]:>11}: {len(r):4d} syllables, F0 last third minus first third: median "
                  f"{np.median(r):+.1f} st")
    for t in (6, 3, 2):
        if t in tails:
            print(f"{names[t]:>11}: last quarter minus the middle fifth: median {np.median(tails[t]):+.2f} st, "
                  f"{100 * np.mean(np.array(tails[t]) > 1.0):.0f}% rise more than 1 st")
    if slopes:
        print(f"declination: median slope {np.median(slopes):+.2f} st/s over {len(slopes)} first phrases "
              f"({100 * np.mean(np.array(slopes) < 0):.0f}% negative)")
    if joins:
        print(f"voiced joins: F0 moves {np.median(joins):.2f} st in 30 ms (median), "
              f"{np.percentile(joins, 95):.2f} (95th percentile), over {len(joins)} joins")


if __name__ == "__main__":
    main()
