#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Makes a pretraining data set spoken by a teacher voice: Festival's CMU
ARCTIC SLT HTS voice reading public-domain sentences.

    /usr/bin/python3 tools/train/teacher.py TEXTS.csv OUT_DIR [--count N]
    /usr/bin/python3 tools/train/teacher.py TEXTS.csv --count N --list-unused M > TEST.tsv

TEXTS.csv is LJSpeech-format metadata (id|text|normalized text), for example
../shared/data/text/ljspeech-LJ001-LJ039.csv. The normalized column is read,
and only sentences of 4 to 30 words made of letters and plain punctuation are
kept, so Festival and shuzi's frontend read the same words (and only ids
that are plain file names). Texts in
bench/data/lj_dev.tsv (the development sentences voice settings are chosen
on) are never used. Of the rest, N are picked in a fixed pseudo-random order
(by a hash of the id) so they spread over all the chapters.

OUT_DIR gets wavs/ID.wav and metadata.csv: an LJSpeech-format folder that
prepare.py reads like any other. Everything is synthesized by one Festival
process. Needs Debian's festival and festvox-us-slt-hts.

--list-unused M prints, as UID<TAB>TEXT lines for bench_voice --sentences,
the M usable sentences that come next in the same order after the N a run
with --count N uses, each text once: sentences that neither the teacher's
speech nor the development set holds (bench/data/lj_test.tsv is the first 160 after the
default 4,000). It runs no Festival and writes no folder.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEV = os.path.join(HERE, "..", "..", "bench", "data", "lj_dev.tsv")
sys.path.insert(0, HERE)
from metadata import read_metadata  # noqa: E402

PLAIN = re.compile(r"^[A-Za-z][A-Za-z ,.;:!?'\-]*$")
SAFE_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")  # a file name, no path


def dev_texts(path):
    try:
        with open(path, encoding="utf-8") as f:
            return {line.rstrip("\n").split("\t")[-1].strip() for line in f if line.strip()}
    except (OSError, UnicodeDecodeError) as e:
        sys.exit(f"teacher: cannot read the development sentences to leave out: {e}")


def usable(uid, text, dev):
    return SAFE_ID.match(uid) and PLAIN.match(text) and 4 <= len(text.split()) <= 30 and text not in dev


def ordered(a):
    """The usable sentences of a.texts, in the fixed order they are used in."""
    dev = dev_texts(a.exclude)
    rows = [(u, t) for u, t in read_metadata(a.texts) if usable(u, t, dev)]
    rows.sort(key=lambda r: hashlib.sha1(r[0].encode()).hexdigest())
    return rows


def list_unused(a):
    """Prints the next a.list_unused sentences after the a.count used, each
    text once and none that a used sentence also reads."""
    ordered_rows = ordered(a)
    seen = {t for _, t in ordered_rows[: a.count]}
    rows = []
    for u, t in ordered_rows[a.count:]:
        if len(rows) == a.list_unused:
            break
        if t not in seen:
            seen.add(t)
            rows.append((u, t))
    if not rows:
        sys.exit(f"teacher: {a.texts} has no usable sentence after the first {a.count}")
    for u, t in rows:
        print(f"{u}\t{t}")
    if len(rows) < a.list_unused:
        print(f"teacher: only {len(rows)} usable sentences after the first {a.count}", file=sys.stderr)


def scheme_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("texts")
    ap.add_argument("out_dir", nargs="?")
    ap.add_argument("--count", type=int, default=4000, help="sentences to synthesize (default 4000)")
    ap.add_argument("--exclude", default=DEV, help="texts never to use (default bench/data/lj_dev.tsv)")
    ap.add_argument("--list-unused", type=int, metavar="M",
                    help="print the next M usable sentences after the --count used ones, and stop")
    a = ap.parse_args()
    if a.count < 1 or (a.list_unused is not None and a.list_unused < 1):
        sys.exit("teacher: --count and --list-unused must be at least 1")
    if a.list_unused is not None:
        list_unused(a)
        return
    if a.out_dir is None:
        sys.exit("teacher: give OUT_DIR (or --list-unused M)")
    if not shutil.which("festival"):
        sys.exit("teacher: festival not found (apt-get install festival festvox-us-slt-hts)")
    rows = ordered(a)[: a.count]
    if not rows:
        sys.exit(f"teacher: no usable sentences in {a.texts}")
    wavs = os.path.join(a.out_dir, "wavs")
    os.makedirs(wavs, exist_ok=True)
    todo = [(u, t) for u, t in rows if not os.path.exists(os.path.join(wavs, u + ".wav"))]
    print(f"teacher: {len(rows)} sentences, {len(todo)} to synthesize", flush=True)
    script = ["(voice_cmu_us_slt_arctic_hts)"]
    for u, t in todo:
        out = os.path.join(wavs, u + ".wav")
        move = f"mv '{out}.part' '{out}'"
        script.append(f"(utt.save.wave (SynthText {scheme_string(t)}) {scheme_string(out + '.part')} 'riff)")
        script.append(f"(system {scheme_string(move)})")
    if todo:
        scm = os.path.join(a.out_dir, "teacher.scm")
        with open(scm, "w", encoding="utf-8") as f:
            f.write("\n".join(script) + "\n")
        p = subprocess.Popen(["festival", "-b", scm])
        last = time.time()
        while p.poll() is None:
            time.sleep(1)
            if time.time() - last < 15:
                continue
            last = time.time()
            done = sum(1 for u, _ in todo if os.path.exists(os.path.join(wavs, u + ".wav")))
            print(f"teacher: {done}/{len(todo)} synthesized", flush=True)
        if p.returncode != 0:
            sys.exit(f"teacher: festival failed (exit {p.returncode})")
    missing = [u for u, _ in rows if not os.path.exists(os.path.join(wavs, u + ".wav"))]
    if missing:
        sys.exit(f"teacher: festival wrote no audio for {len(missing)} sentences, e.g. {missing[0]}")
    with open(os.path.join(a.out_dir, "metadata.csv"), "w", encoding="utf-8") as f:
        for u, t in rows:
            f.write(f"{u}|{t}\n")
    print(f"teacher: wrote {len(rows)} utterances to {a.out_dir}", flush=True)


if __name__ == "__main__":
    main()
