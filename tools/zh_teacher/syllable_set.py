#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The real syllable recordings as an LJSpeech-format data set, for
fine-tuning a Mandarin voice trained on the teacher's speech.

    /usr/bin/python3 tools/zh_teacher/syllable_set.py TEACHER_DIR... OUT_DIR
        [--shuzi build/shuzi] [--data ../shared/data/zh-syllables]

Each toned recording (huan1.flac ...) gets a text: a character the teacher's
sentences (their timings.jsonl) said with that syllable and tone, checked
through the engine's frontend alone ("欢。" must come out as the recording's
phones and its citation tone). Recordings no character fits are left out and
counted; the -old and neutral takes are not used. The audio is the
recording with its hiss taken down as the teacher does (analysis.py),
trimmed to 100 ms before the syllable and after its voiced part.
"""
import argparse
import json
import os
import subprocess
import sys
from collections import Counter

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from analysis import SR, Inventory  # noqa: E402
from prosody import TONE_LETTERS  # noqa: E402

CITATION = {1: "˥", 2: "˧˥", 3: "˨˩˦", 4: "˥˩"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", help="teacher output folders, then OUT_DIR")
    ap.add_argument("--shuzi", default=os.path.join(ROOT, "build", "shuzi"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "zh-syllables"))
    ap.add_argument("--per-syllable", type=int, default=3, help="characters tried per recording")
    a = ap.parse_args()
    if len(a.dirs) < 2:
        sys.exit("syllable_set: give at least one teacher folder and the output folder")
    *teachers, out = a.dirs
    try:
        inv = Inventory(a.data)
    except (OSError, FileNotFoundError) as e:
        sys.exit(f"syllable_set: {e}")
    seen = {}
    for d in teachers:
        try:
            with open(os.path.join(d, "timings.jsonl"), encoding="utf-8") as f:
                for line in f:
                    for s in json.loads(line)["syllables"]:
                        tone = 3 if s["tone"] == 6 else s["tone"]
                        if 1 <= tone <= 4:
                            seen.setdefault((s["pinyin"], tone), Counter())[s["char"]] += 1
        except (OSError, ValueError, KeyError) as e:
            sys.exit(f"syllable_set: {d}/timings.jsonl: {e}")
    phones_of = {py: ph for ph, py in inv.by_phones.items()}
    tries = []
    for (base, tone) in sorted(inv.files):
        if tone == 0 or (base, tone) not in seen or base not in phones_of:
            continue
        for ch, _ in seen[(base, tone)].most_common(a.per_syllable):
            tries.append((base, tone, ch))
    r = subprocess.run([a.shuzi, "tts", "--dry-run", "--lines", "-", "-q"],
                       input="".join(f"{ch}。\n" for _, _, ch in tries), capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"syllable_set: {a.shuzi} tts --dry-run failed: {r.stderr.strip()[-300:]}")
    said = {}
    for line in r.stdout.splitlines():
        o = json.loads(line)
        said[o["line"]] = o["phones"]
    chosen = {}
    for n, (base, tone, ch) in enumerate(tries, 1):
        ph = said.get(n)
        if (base, tone) in chosen or not ph or len(ph) != 1:
            continue
        if " ".join(ph[0][:-1]) == phones_of[base] and ph[0][-1] == CITATION[tone]:
            chosen[(base, tone)] = ch
    os.makedirs(os.path.join(out, "wavs"), exist_ok=True)
    rows, total = [], 0.0
    for (base, tone), ch in sorted(chosen.items()):
        try:
            _, an, x = inv.get(base, tone)
        except ValueError:
            continue
        a0 = max(0, an["start"] - SR // 10)
        a1 = min(len(x), an["v1"] + SR // 10)
        y = x[a0:a1]
        y = y / max(np.abs(y).max(), 1e-6) * 0.5
        uid = f"syl_{base}{tone}"
        sf.write(os.path.join(out, "wavs", uid + ".wav"),
                 np.clip(np.round(y * 32767), -32768, 32767).astype(np.int16), SR, subtype="PCM_16")
        rows.append((uid, f"{ch}。"))
        total += len(y) / SR
    with open(os.path.join(out, "metadata.csv"), "w", encoding="utf-8") as f:
        f.writelines(f"{u}|{t}|{t}\n" for u, t in rows)
    toned = sum(1 for k in inv.files if k[1])
    print(f"syllable_set: {len(rows)} of {toned} toned recordings ({total / 60:.1f} min) in {out}; "
          f"{toned - len(rows)} without a character the frontend reads that way")


if __name__ == "__main__":
    main()
