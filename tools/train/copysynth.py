#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Copy synthesis: analyzes recordings into the diffusion voice's acoustic
features (features.py) and renders them back through its C vocoder
(build/vocode), so that a speech recognizer can score what the features and
the vocoder alone keep of a voice, with no model in between.

    /usr/bin/python3 tools/train/copysynth.py SRC OUT [--sentences TSV] [--bands N]
        [--refiner VOICE.safetensors]
        [--voice VOICE.safetensors --from-voice none|envelope|source|all [--timing voice]]
    build/bench_voice --data OUT --data-label "copy synthesis" --sentences TSV --sections wer

SRC is either an LJSpeech-format folder (metadata.csv + wavs/UID.wav or
.flac) or a folder of NNN.wav written by `bench_voice --dump` (one system's
folder: festival/, ours/ ...), whose files follow the distinct texts of
--sentences in order. OUT becomes an LJSpeech-format folder (metadata.csv +
wavs/UID.flac) that `bench_voice --data` reads as its recordings.

With --sentences only those sentences' recordings are synthesized.
--bands N analyzes with N envelope bands instead of the voice's 48 (to try
other feature sets: the vocoder takes any band count).

--refiner VOICE.safetensors renders through the vocoder with that voice
file's envelope refiner, as the voice itself is rendered (refiner.py).

--voice VOICE.safetensors --from-voice PART puts a diffusion voice's own
features in the copies: the voice decodes each recording's text on the
recording's timing (aligned.py), and PART of the copy's features comes from
the voice: `envelope` (the band energies), `source` (F0 and voicing) or
`all`. Side by side with plain copies, this says which features cost the
voice intelligibility (tools/train/README.md, "Where the voice loses").
--timing voice decodes on the voice's own durations instead and resamples
each phone of the recording to them; `--from-voice none --timing voice` is
then the plain copy on the voice's timing.
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


PARTS = ("none", "envelope", "source", "all")


def load_voice(a, texts):
    """The voice of --voice, and each text's tokens from shuzi's frontend."""
    if not os.access(a.shuzi, os.X_OK):
        sys.exit(f"copysynth: {a.shuzi} not found: build it with "
                 "cmake -S . -B build && cmake --build build")
    try:
        import aligned  # PyTorch, only for --voice
    except ImportError as e:
        sys.exit(f"copysynth: --voice needs Debian's python3-torch ({e}); "
                 "tools/train/setup.sh installs it")
    try:
        voice = aligned.Voice(a.voice)
        tokens = prepare.phonemize_all(a.shuzi, texts, 2)
    except RuntimeError as e:
        sys.exit(f"copysynth: {e}")
    return voice, tokens


def with_voice(voice, a, tokens, f, path):
    """f with the parts of --from-voice replaced by the voice's features."""
    kw = {} if a.temperature is None else {"temperature": a.temperature}
    try:
        g, f = voice.decode_aligned(tokens, f.astype(np.float64), seed=a.seed,
                                    timing=a.timing, **kw)
    except RuntimeError as e:
        sys.exit(f"copysynth: {path}: {e}")
    nb = voice.bands
    out = f  # the recording's frames on the chosen timing: a new array
    if a.from_voice in ("envelope", "all"):
        out[:, :nb] = g[:, :nb]
    if a.from_voice in ("source", "all"):
        out[:, nb:] = g[:, nb:]
    return out.astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--sentences", help="UID<TAB>TEXT file (bench/data/*.tsv)")
    ap.add_argument("--bands", type=int, default=None,
                    help=f"envelope bands (default {features.N_BANDS}, or the voice's; 2 to 256)")
    ap.add_argument("--seed", type=int, default=1, help="the noise seed of the vocoder and of --voice (default 1)")
    ap.add_argument("--vocode", default=os.path.join(ROOT, "build", "vocode"),
                    help="the vocode program (default build/vocode)")
    ap.add_argument("--refiner", metavar="VOICE",
                    help="render with this voice file's envelope refiner (as the voice does)")
    ap.add_argument("--voice", help="a diffusion voice file whose features go into the copies")
    ap.add_argument("--from-voice", choices=PARTS,
                    help="which features come from --voice: " + ", ".join(PARTS))
    ap.add_argument("--timing", choices=("recording", "voice"), default="recording",
                    help="with --voice: the recording's timing (default), or the voice's "
                         "predicted durations with each phone's recorded frames resampled to them")
    ap.add_argument("--temperature", type=float, default=None,
                    help="the voice's sampling noise (default the engine's, 0.2)")
    ap.add_argument("--shuzi", default=os.path.join(ROOT, "build", "shuzi"),
                    help="the shuzi program that phonemizes the texts for --voice "
                         "(default build/shuzi)")
    a = ap.parse_args()
    if a.bands is not None and not 2 <= a.bands <= 256:
        sys.exit("copysynth: --bands must be from 2 to 256")
    if (a.voice is None) != (a.from_voice is None):
        sys.exit("copysynth: --voice and --from-voice go together")
    if a.timing != "recording" and a.voice is None:
        sys.exit("copysynth: --timing needs --voice")
    if a.from_voice == "none" and a.timing != "voice":
        sys.exit("copysynth: --from-voice none needs --timing voice (it is then a copy on the voice's timing)")
    if a.refiner is not None and not os.path.isfile(a.refiner):
        sys.exit(f"copysynth: {a.refiner}: no such voice file (--refiner)")
    if a.temperature is not None and (a.voice is None or not 0 <= a.temperature <= 2):
        sys.exit("copysynth: --temperature needs --voice and must be from 0 to 2")
    if not os.access(a.vocode, os.X_OK):
        sys.exit(f"copysynth: {a.vocode} not found: build it with "
                 "cmake -S . -B build && cmake --build build --target vocode")
    todo = jobs(a.src, read_sentences(a.sentences) if a.sentences else None)
    voice, tokens = None, None
    if a.voice:
        voice, tokens = load_voice(a, [text for _, text, _ in todo])
        if a.bands not in (None, voice.bands):
            sys.exit(f"copysynth: {a.voice} has {voice.bands} bands, not --bands {a.bands}")
        a.bands = voice.bands
    elif a.bands is None:
        a.bands = features.N_BANDS
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
            if voice is not None:
                f = with_voice(voice, a, tokens[k], f, path)
            f.astype("<f4").tofile(fin)
            extra = ["--refiner", a.refiner] if a.refiner else []
            r = subprocess.run([a.vocode, "--bands", str(a.bands), "--seed", str(a.seed)] + extra
                               + [fin, fout], capture_output=True, text=True)
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
