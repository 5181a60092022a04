#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Compares the timbre and pitch of sets of recordings: does a trained voice
still sound like its speaker?

    /usr/bin/python3 tools/train/timbre.py NAME=FILE_OR_FOLDER ... [--limit 40]

Each set is a folder of .wav/.flac files (or one file). For each set it
prints the number of voiced frames, the median F0 and the spread of log F0
(intonation); then, for every pair of sets, the distance between their
long-term average spectral envelopes over voiced frames: the RMS difference,
in dB, of the 48 mean log band energies of tools/train/features.py, after
removing the overall level. Two sets of Kathleen's recordings came out
1.2 dB apart, Kathleen and Festival's SLT voice 3.1 to 3.6 dB
(tools/train/README.md).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features  # noqa: E402
import prepare  # noqa: E402

AUDIO = (".wav", ".flac")


def files_of(path, limit):
    if os.path.isfile(path):
        return [path]
    if not os.path.isdir(path):
        sys.exit(f"timbre: {path}: no such file or folder")
    found = sorted(os.path.join(path, f) for f in os.listdir(path) if f.lower().endswith(AUDIO))
    if not found:
        sys.exit(f"timbre: {path}: no .wav or .flac files")
    return found[:limit]


def profile(paths):
    """Mean log band energies and log F0 of the voiced frames of the files."""
    env, lf0 = [], []
    for p in paths:
        try:
            x = prepare.normalize_loudness(prepare.load_audio(p))
        except RuntimeError as e:
            sys.exit(f"timbre: {e}")
        with np.errstate(invalid="ignore", divide="ignore"):
            f = features.analyze(x)
        voiced = f[:, -1] > 0
        env.append(f[voiced, :features.N_BANDS])
        lf0.append(f[voiced, features.N_BANDS])
    env, lf0 = np.concatenate(env), np.concatenate(lf0)
    return env, lf0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="+", metavar="NAME=PATH")
    ap.add_argument("--limit", type=int, default=40, help="files per set, in name order (default 40)")
    a = ap.parse_args()
    if a.limit < 1:
        sys.exit("timbre: --limit wants at least 1 file")
    names, means = [], []
    for s in a.sets:
        name, sep, path = s.partition("=")
        if not sep or not name or not path:
            sys.exit(f"timbre: want NAME=PATH, not {s!r}")
        env, lf0 = profile(files_of(path, a.limit))
        if len(env) == 0:
            sys.exit(f"timbre: {path}: no voiced frames")
        names.append(name)
        means.append(env.mean(axis=0))
        print(f"{name}: {len(env)} voiced frames, median F0 {np.exp(np.median(lf0)):.0f} Hz, "
              f"log-F0 spread (std) {lf0.std():.3f}")
    width = max(8, max(len(n) for n in names))
    print("long-term envelope distance, dB:")
    print(" " * width + "".join(f"{n[:width]:>{width + 1}}" for n in names))
    for i, n in enumerate(names):
        row = []
        for j in range(len(names)):
            d = means[i] - means[j]
            d = d - d.mean()
            row.append(f"{np.sqrt((d ** 2).mean()) * 10 / np.log(10):>{width + 1}.2f}")
        print(f"{n:>{width}}" + "".join(row))


if __name__ == "__main__":
    main()
