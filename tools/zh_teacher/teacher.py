#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The Mandarin teacher: makes spoken Mandarin sentences out of recordings of
isolated syllables, as training speech for a voice (tools/train).

    /usr/bin/python3 tools/zh_teacher/teacher.py TEXTS OUT_DIR [--count N]
        [--shuzi build/shuzi] [--data ../shared/data/zh-syllables]

TEXTS holds one sentence per line (../shared/data/text/zh/tatoeba-cmn.txt;
its ids come from the .ids file beside it when there is one) or ID|TEXT
lines. The sentences go through the engine's own text frontend in one
batch (`shuzi tts --dry-run --lines`), which gives each syllable's phones
and its tone after sandhi. Lines with anything the recordings cannot say
(Latin words, a syllable without a recording) are left out and counted.

OUT_DIR gets an LJSpeech-format folder: wavs/ID.wav (22,050 Hz, 16-bit),
metadata.csv (ID|text|text), timings.jsonl (one JSON object per sentence:
per syllable its character, pinyin, tone, recording, start and end sample,
and its initial and final), and NOTICE (the recordings' MIT notice and the
texts' licence). README.md beside this file explains the method.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from analysis import SR, Inventory  # noqa: E402
from prosody import PAUSES, TONE_LETTERS, plan  # noqa: E402
from synth import render  # noqa: E402

HAN = re.compile(r"[\u3400-\u9fff]")
SAFE_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
TATOEBA = ("Mandarin example sentences from Tatoeba (https://tatoeba.org), licensed under "
           "CC BY 2.0 FR; authors credited at https://tatoeba.org/en/sentences/show/ID "
           "(ids in tatoeba-cmn.ids).")


def read_texts(path):
    """[(id, text)] from ID|TEXT lines or plain lines (+ PATH.ids)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line.rstrip("\n") for line in f]
    except (OSError, UnicodeDecodeError) as e:
        sys.exit(f"zh_teacher: cannot read {path}: {e}")
    ids = None
    idpath = os.path.splitext(path)[0] + ".ids"
    if os.path.exists(idpath):
        with open(idpath, encoding="utf-8") as f:
            ids = [line.strip() for line in f]
        if len(ids) != len(lines):
            sys.exit(f"zh_teacher: {idpath} has {len(ids)} lines, {path} {len(lines)}")
    rows = []
    stem = "zh" if ids is None else "tatoeba"
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if "|" in line:
            uid, text = line.split("|", 1)
            if not SAFE_ID.match(uid) or not text.strip():
                sys.exit(f"zh_teacher: {path}:{n}: expected ID|TEXT with a plain id")
        else:
            uid, text = f"{stem}_{ids[n - 1] if ids else n:0>6}", line
        rows.append((uid, text.strip()))
    return rows


def frontend(shuzi, texts):
    """The frontend's JSON objects for each text, by one shuzi process."""
    try:
        r = subprocess.run([shuzi, "tts", "--dry-run", "--lines", "-", "-q"], input="\n".join(texts) + "\n",
                           capture_output=True, text=True, check=False)
    except OSError as e:
        sys.exit(f"zh_teacher: cannot run {shuzi}: {e} (build it: cmake --build build --target shuzi)")
    if r.returncode != 0:
        sys.exit(f"zh_teacher: {shuzi} tts --dry-run failed: {r.stderr.strip()[-300:]}")
    out = [[] for _ in texts]
    for line in r.stdout.splitlines():
        o = json.loads(line)
        out[o["line"] - 1].append(o)
    return out


def syllables(objs, inv):
    """The syllables of one text from its frontend objects, or (None, why)."""
    sylls = []
    for o in objs:
        if o.get("lang") != "zh":
            return None, "not Mandarin throughout (Latin words)"
        chars = [c for c in o["text"] if HAN.match(c) or c in PAUSES]
        han = [k for k, c in enumerate(chars) if HAN.match(c)]
        phones = o["phones"]
        if len(han) != len(phones):
            return None, "characters and syllables differ"
        for j, ph in enumerate(phones):
            tone = TONE_LETTERS.get(ph[-1])
            key = " ".join(ph[:-1])
            if tone is None or key not in inv.by_phones:
                return None, "a syllable without a recording"
            k = han[j]
            end = han[j + 1] if j + 1 < len(han) else len(chars)
            pause = max([PAUSES[c] for c in chars[k + 1 : end]], default=0.0)
            if j + 1 == len(phones):
                pause = max(pause, PAUSES["。"])  # a sentence ends
            sylls.append({"phones": ph[:-1], "tone": tone, "char": chars[k], "pinyin": inv.by_phones[key],
                          "pause_after": pause})
    if not sylls:
        return None, "no syllable"
    sylls[-1]["pause_after"] = 0.0
    return sylls, None


def synthesize(text, sylls, inv):
    ref_hz, tpl = plan(sylls, inv)
    question = text.rstrip().endswith(("？", "?"))
    return render(sylls, inv, ref_hz, tpl, question)


def write_wav(path, audio):
    tmp = path + ".part"
    pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype(np.int16)
    sf.write(tmp, pcm, SR, subtype="PCM_16", format="WAV")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("texts")
    ap.add_argument("out_dir")
    ap.add_argument("--count", type=int, default=0, help="sentences to make (default: all usable)")
    ap.add_argument("--shuzi", default=os.path.join(ROOT, "build", "shuzi"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "zh-syllables"))
    ap.add_argument("--min-syllables", type=int, default=4)
    ap.add_argument("--max-syllables", type=int, default=40)
    a = ap.parse_args()
    if a.count < 0:
        sys.exit("zh_teacher: --count must be at least 0")
    try:
        inv = Inventory(a.data)
    except (OSError, FileNotFoundError) as e:
        sys.exit(f"zh_teacher: {e}")
    t0 = time.time()
    rows = read_texts(a.texts)
    made, skipped, total_s = [], {}, 0.0
    os.makedirs(os.path.join(a.out_dir, "wavs"), exist_ok=True)
    pos, chunk = 0, max(64, int((a.count or len(rows)) * 1.3))
    with open(os.path.join(a.out_dir, "timings.jsonl.part"), "w", encoding="utf-8") as tf:
        while pos < len(rows) and (a.count == 0 or len(made) < a.count):
            batch = rows[pos : pos + chunk]
            pos += len(batch)
            for (uid, text), objs in zip(batch, frontend(a.shuzi, [t for _, t in batch])):
                if a.count and len(made) >= a.count:
                    break
                sylls, why = syllables(objs, inv)
                if sylls and not a.min_syllables <= len(sylls) <= a.max_syllables:
                    sylls, why = None, "too short or too long"
                if sylls is None:
                    skipped[why] = skipped.get(why, 0) + 1
                    continue
                try:
                    audio, timings = synthesize(text, sylls, inv)
                except ValueError as e:
                    why = f"a recording could not be analysed ({e})"
                    skipped[why] = skipped.get(why, 0) + 1
                    continue
                write_wav(os.path.join(a.out_dir, "wavs", uid + ".wav"), audio)
                tf.write(json.dumps({"id": uid, "text": text, "sample_rate": SR, "samples": len(audio),
                                     "syllables": timings}, ensure_ascii=False) + "\n")
                made.append((uid, text))
                total_s += len(audio) / SR
    os.replace(os.path.join(a.out_dir, "timings.jsonl.part"), os.path.join(a.out_dir, "timings.jsonl"))
    with open(os.path.join(a.out_dir, "metadata.csv"), "w", encoding="utf-8") as f:
        for uid, text in made:
            f.write(f"{uid}|{text}|{text}\n")
    with open(os.path.join(a.data, "LICENSE-HanTTS"), encoding="utf-8") as f:
        notice = f.read()
    with open(os.path.join(a.out_dir, "NOTICE"), "w", encoding="utf-8") as f:
        f.write("Speech made by shuzi's tools/zh_teacher from the HanTTS syllable recordings\n"
                "(public repository junzew/HanTTS), under this licence:\n\n" + notice +
                "\nTexts: " + (TATOEBA if "tatoeba" in os.path.basename(a.texts) else
                               f"from {os.path.basename(a.texts)}; see its licence.") + "\n")
    dt = time.time() - t0
    print(f"zh_teacher: {len(made)} sentences, {total_s / 60:.1f} min of speech in {dt:.1f} s "
          f"({len(made) / max(dt, 1e-9) * 60:.0f} sentences per minute); left out: "
          + (", ".join(f"{v} {k}" for k, v in sorted(skipped.items())) or "none"))


if __name__ == "__main__":
    main()
