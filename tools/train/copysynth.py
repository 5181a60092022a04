#!/usr/bin/python3
"""Copy synthesis: analyzes recordings into the diffusion voice's acoustic
features (features.py) and renders them back through its C vocoder
(build/vocode), so that a speech recognizer can score what the features and
the vocoder alone keep of a voice, with no model in between.

    /usr/bin/python3 tools/train/copysynth.py SRC OUT [--sentences TSV] [--bands N]
    build/bench_voice --data OUT --data-label "copy synthesis" --sentences TSV --sections wer

SRC is either an LJSpeech-format folder (metadata.csv + wavs/UID.wav or
.flac) or a folder of NNN.wav written by `bench_voice --dump` (one system's
folder: festival/, ours/ ...), whose files follow the distinct texts of
--sentences in order. OUT becomes an LJSpeech-format folder (metadata.csv +
wavs/UID.flac) that `bench_voice --data` reads as its recordings.

With --sentences only those sentences' recordings are synthesized.
--bands N analyzes with N envelope bands instead of the voice's 48 (to try
other feature sets: the vocoder takes any band count).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features  # noqa: E402
import prepare  # noqa: E402
from metadata import read_fields, read_metadata  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_sentences(path):
    """[(uid, text)] of a bench_voice sentence file, its distinct texts in
    order (bench_voice's rule: a repeated text keeps its first uid)."""
    out, seen = [], set()
    for n, parts in read_fields(path, "\t", "copysynth: "):
        if len(parts) != 2 or not parts[0] or not parts[1]:
            sys.exit(f"copysynth: {path}:{n}: expected UID<TAB>TEXT")
        if parts[1] not in seen:
            seen.add(parts[1])
            out.append((parts[0], parts[1]))
    if not out:
        sys.exit(f"copysynth: {path}: no sentences")
    return out


def jobs(src, sentences):
    """[(uid, text, audio path)] to synthesize."""
    if not os.path.isdir(src):
        sys.exit(f"copysynth: {src}: no such folder")
    if os.path.exists(os.path.join(src, "metadata.csv")):
        rows = read_metadata(os.path.join(src, "metadata.csv"))
        if sentences is not None:
            known = dict(rows)
            missing = [u for u, _ in sentences if u not in known]
            if missing:
                sys.exit(f"copysynth: {src}/metadata.csv has no {missing[0]} "
                         f"({len(missing)} of the sentences are missing)")
            rows = sentences
        out = []
        for uid, text in rows:
            try:
                out.append((uid, text, prepare.audio_path(src, uid)))
            except RuntimeError as e:
                sys.exit(f"copysynth: {e}")
        return out
    if sentences is None:
        sys.exit(f"copysynth: {src} has no metadata.csv; a folder of bench_voice's "
                 "NNN.wav needs --sentences")
    out = []
    for i, (uid, text) in enumerate(sentences):
        p = os.path.join(src, f"{i:03d}.wav")
        if not os.path.exists(p):
            sys.exit(f"copysynth: {p} is missing ({len(sentences)} sentences in --sentences)")
        out.append((uid, text, p))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--sentences", help="UID<TAB>TEXT file (bench/data/*.tsv)")
    ap.add_argument("--bands", type=int, default=features.N_BANDS,
                    help=f"envelope bands (default {features.N_BANDS}, 2 to 256)")
    ap.add_argument("--seed", type=int, default=1, help="the vocoder's noise seed (default 1)")
    ap.add_argument("--vocode", default=os.path.join(ROOT, "build", "vocode"),
                    help="the vocode program (default build/vocode)")
    a = ap.parse_args()
    if not 2 <= a.bands <= 256:
        sys.exit("copysynth: --bands must be from 2 to 256")
    if not os.access(a.vocode, os.X_OK):
        sys.exit(f"copysynth: {a.vocode} not found: build it with "
                 "cmake -S . -B build && cmake --build build --target vocode")
    todo = jobs(a.src, read_sentences(a.sentences) if a.sentences else None)
    wavs = os.path.join(a.out, "wavs")
    os.makedirs(wavs, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fin, fout = os.path.join(tmp, "in.f32"), os.path.join(tmp, "out.f32")
        for k, (uid, _, path) in enumerate(todo):
            try:
                x = prepare.normalize_loudness(prepare.load_audio(path))
            except RuntimeError as e:
                sys.exit(f"copysynth: {e}")
            with np.errstate(all="ignore"):
                f = features.analyze(x, a.bands)
            f.astype("<f4").tofile(fin)
            r = subprocess.run([a.vocode, "--bands", str(a.bands), "--seed", str(a.seed), fin, fout],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"copysynth: {path}: {r.stderr.strip()}")
            dst = os.path.join(wavs, uid + ".flac")
            part = os.path.join(wavs, uid + ".part.flac")
            r = subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "f32le", "-ar",
                                str(features.SAMPLE_RATE), "-ac", "1", "-i", fout, part],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"copysynth: ffmpeg could not write {part}: {r.stderr.strip()}")
            os.replace(part, dst)
            if (k + 1) % 20 == 0 or k + 1 == len(todo):
                print(f"copysynth: {k + 1}/{len(todo)}", file=sys.stderr, flush=True)
    with open(os.path.join(a.out, "metadata.csv.part"), "w", encoding="utf-8") as f:
        for uid, text, _ in todo:
            f.write(f"{uid}|{text.replace('|', ' ')}\n")
    os.replace(os.path.join(a.out, "metadata.csv.part"), os.path.join(a.out, "metadata.csv"))
    print(f"copysynth: {len(todo)} recordings in {a.out} (score them with "
          f"bench_voice --data {a.out} --data-label \"copy synthesis\")")


if __name__ == "__main__":
    main()
