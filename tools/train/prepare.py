#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Prepares an LJSpeech-format voice data set for training.

    /usr/bin/python3 tools/train/prepare.py DATA_DIR OUT_DIR [--shuzi build/shuzi]

DATA_DIR holds metadata.csv (id|text[|normalized text]) and wavs/ (the audio:
.wav or .flac, any rate; it is resampled to 22,050 Hz mono with ffmpeg).
Texts go through shuzi's own text frontend (`shuzi tts --dry-run --lines`,
one process per job), so the voice is trained on exactly the phones the
engine will give it. A fixed set of texts (about 1 in 19, picked by a hash
of the text, every recording of them) is held out for evaluation and
written to OUT_DIR/heldout.tsv.

OUT_DIR/data.npz gets token ids, features, and the symbol table.

--symbols OTHER/data.npz uses another data set's symbol table instead of this
one's, so a model trained on one can be fine-tuned on the other (train.py
--init); utterances with a phone outside that table are left out and counted.

--bands N computes N envelope bands per frame instead of 48 (the voice file
records the number; the engine loads 4 to 256). With --symbols the other
data set's number is taken, and another one is refused.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features  # noqa: E402
from metadata import read_metadata  # noqa: E402
import symbols  # noqa: E402


def heldout(text):
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 19 == 0


def dry_run_lines(shuzi, texts):
    """The frontend's sentences for each text, in one shuzi process
    (`shuzi tts --dry-run --lines -`): a list of sentence objects per text."""
    texts = [" ".join(t.split()) for t in texts]  # one line each
    r = subprocess.run([shuzi, "tts", "--dry-run", "--lines", "-"], input="\n".join(texts) + "\n",
                       capture_output=True, text=True)
    if r.returncode != 0:
        msg = r.stderr.strip()
        m = re.search(r"line (\d+):", msg)
        where = f" on {texts[int(m.group(1)) - 1]!r}" if m and 0 < int(m.group(1)) <= len(texts) else ""
        raise RuntimeError(f"shuzi tts --dry-run failed{where}: {msg}")
    out = [[] for _ in texts]
    for line in r.stdout.splitlines():
        if line.strip():
            s = json.loads(line)
            out[s["line"] - 1].append(s)
    return out


def dry_run_batched(shuzi, texts, jobs):
    """dry_run_lines over `jobs` processes at once, in order."""
    if not texts:
        return []
    n = max(1, min(jobs, len(texts)))
    step = (len(texts) + n - 1) // n
    chunks = [texts[i:i + step] for i in range(0, len(texts), step)]
    with concurrent.futures.ThreadPoolExecutor(n) as ex:
        return [s for part in ex.map(lambda c: dry_run_lines(shuzi, c), chunks) for s in part]


def phonemize_all(shuzi, texts, jobs):
    """Tokens for each text. A sentence with inner punctuation is phonemized
    again clause by clause, the way the engine gives the voice one clause at
    a time; both passes are batched."""
    sentences = dry_run_batched(shuzi, texts, jobs)
    parts = {s["text"]: symbols.clauses_of(s["text"]) for ss in sentences for s in ss}
    multi = sorted({c for p in parts.values() if len(p) > 1 for c, _ in p})
    clause_phones = {c: [w for s in ss for w in s["phones"]]
                     for c, ss in zip(multi, dry_run_batched(shuzi, multi, jobs))}
    out = []
    for ss in sentences:
        clauses = []
        for s in ss:
            p = parts[s["text"]]
            if len(p) == 1:
                clauses.append((s["phones"], p[0][1]))
            else:
                clauses.extend((clause_phones[c], punct) for c, punct in p)
        out.append(symbols.tokens_of_clauses(clauses))
    return out


def load_audio(path):
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "f32le", "-ac", "1", "-ar",
                        str(features.SAMPLE_RATE), "-"], capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"ffmpeg could not read {path}: {r.stderr.decode().strip()}")
    x = np.frombuffer(r.stdout, dtype=np.float32)
    if x.size < features.WIN:
        raise RuntimeError(f"{path}: too short")
    return x


def normalize_loudness(x, target_rms=0.06):
    """Scales so the RMS of the active part (frames within 35 dB of the
    loudest) is target_rms; the voice speaks at one level."""
    n = len(x) // features.HOP
    fr = x[: n * features.HOP].reshape(n, features.HOP)
    rms = np.sqrt((fr.astype(np.float64) ** 2).mean(axis=1) + 1e-12)
    active = rms[rms > rms.max() * 10 ** (-35 / 20)]
    g = target_rms / max(np.sqrt((active ** 2).mean()), 1e-6)
    return np.clip(x * g, -1.0, 1.0)


def audio_path(data_dir, uid):
    for ext in (".wav", ".flac"):
        p = os.path.join(data_dir, "wavs", uid + ext)
        if os.path.exists(p):
            return p
    raise RuntimeError(f"no audio for {uid} in {data_dir}/wavs (.wav or .flac)")


def work(args):
    data_dir, uid, n_bands = args
    x = normalize_loudness(load_audio(audio_path(data_dir, uid)))
    return uid, features.analyze(x, n_bands)


def bands_of(data):
    """The envelope bands per frame of a loaded data.npz (None for a bare
    symbol table). Sets prepared before --bands existed have 48."""
    if "n_bands" in data:
        return int(data["n_bands"])
    return data["feats"].shape[1] - 2 if "feats" in data else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--shuzi", default="build/shuzi", help="the shuzi binary (its text frontend)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--symbols", metavar="DATA.npz", help="use this data set's symbol table")
    ap.add_argument("--bands", type=int,
                    help=f"envelope bands per frame (default {features.N_BANDS}, 4 to 256; with "
                         "--symbols, the other data set's)")
    a = ap.parse_args()
    other_table = None
    if a.symbols:
        try:
            other = np.load(a.symbols)
            other_table = [str(s) for s in other["symbols"]]
            other_bands = bands_of(other)
        except (OSError, ValueError, KeyError, IndexError) as e:
            sys.exit(f"prepare: {a.symbols} is not a data set of prepare.py: {e}")
        if a.bands is None:
            a.bands = other_bands
        elif other_bands is not None and a.bands != other_bands:
            sys.exit(f"prepare: --bands {a.bands} differs from {a.symbols}'s {other_bands}: "
                     "the pretrained weights would not fit")
    if a.bands is None:
        a.bands = features.N_BANDS
    if not 4 <= a.bands <= 256:
        sys.exit(f"prepare: --bands wants 4 to 256 (what the engine loads), not {a.bands}")
    os.makedirs(a.out_dir, exist_ok=True)
    rows = read_metadata(os.path.join(a.data_dir, "metadata.csv"))
    texts = sorted({t for _, t in rows})
    print(f"{len(rows)} utterances, {len(texts)} texts; phonemizing", flush=True)
    toks = dict(zip(texts, phonemize_all(a.shuzi, texts, a.jobs)))
    train_rows = [(u, t) for u, t in rows if not heldout(t)]
    test_rows = [(u, t) for u, t in rows if heldout(t)]
    with open(os.path.join(a.out_dir, "heldout.tsv"), "w", encoding="utf-8") as f:
        for u, t in test_rows:
            f.write(f"{u}\t{t}\n")
    if a.symbols:
        table = other_table
        known = set(table)
        kept = [(u, t) for u, t in train_rows if known.issuperset(toks[t])]
        print(f"{len(train_rows) - len(kept)} utterances left out: a phone outside {a.symbols}'s table",
              flush=True)
        train_rows = kept
        if not train_rows:
            sys.exit(f"prepare: no utterance fits {a.symbols}'s symbol table")
    else:
        table = symbols.symbol_table(toks[t] for _, t in train_rows)
    index = {s: i for i, s in enumerate(table)}
    print(f"{len(train_rows)} for training, {len(test_rows)} held out; {len(table)} symbols", flush=True)
    feats = {}
    with concurrent.futures.ProcessPoolExecutor(a.jobs) as ex:
        for i, (uid, f) in enumerate(ex.map(work, [(a.data_dir, u, a.bands) for u, _ in train_rows], chunksize=8)):
            feats[uid] = f
            if (i + 1) % 200 == 0:
                print(f"features {i + 1}/{len(train_rows)}", flush=True)
    ids, lens, flat, flens = [], [], [], []
    for uid, t in train_rows:
        seq = [index[s] for s in toks[t]]
        ids.extend(seq)
        lens.append(len(seq))
        flat.append(feats[uid])
        flens.append(len(feats[uid]))
    allf = np.concatenate(flat)
    np.savez(os.path.join(a.out_dir, "data.npz"), ids=np.array(ids, np.int32),
             lens=np.array(lens, np.int32), feats=allf, flens=np.array(flens, np.int32),
             symbols=np.array(table), mean=allf.mean(0), std=allf.std(0) + 1e-4, n_bands=a.bands,
             uids=np.array([u for u, _ in train_rows]))
    print(f"{allf.shape[0]} frames ({allf.shape[0] * features.HOP / features.SAMPLE_RATE / 60:.1f} min)",
          flush=True)


if __name__ == "__main__":
    main()
