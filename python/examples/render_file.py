#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Render text to a video file with shuzi and print the speech marks.

    PYTHONPATH=python python3 python/examples/render_file.py hello.mp4 \\
        --voice espeak:en-us --size 320x180 "Hello there." "A second line."

The marks are printed from the mark callback, which runs on an engine thread,
as they are produced: "mark word 1234-1500 hello (utterance 0)".
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import List

import shuzi


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("output", help="output file: .mp4, .mkv, .webm, .wav...")
    ap.add_argument("text", nargs="*", help="lines to say, one utterance each",
                    default=["Hello from Python. This video was made with shuzi."])
    ap.add_argument("--voice", default=None, help="e.g. espeak:en-us (default: the library's)")
    ap.add_argument("--avatar", default=None, help="e.g. presenter (default: the library's)")
    ap.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT, even numbers")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ssml", action="store_true", help="the lines are SSML documents")
    ap.add_argument("--types", default="sentence,word,mark",
                    help="mark types to print (sentence,word,phoneme,viseme,mark or all)")
    args = ap.parse_intermixed_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    show = set(shuzi.MarkType) if args.types == "all" else \
        {shuzi.MarkType[t.strip().upper()] for t in args.types.split(",") if t.strip()}

    lock = threading.Lock()
    counts = {t: 0 for t in shuzi.MarkType}

    def on_mark(m: shuzi.Mark) -> None:  # an engine thread
        with lock:
            counts[m.type] += 1
            if m.type in show:
                print(f"mark {m.type.name.lower()} {m.time_ms}-{m.end_ms} {m.value} "
                      f"(utterance {m.utterance_id})", flush=True)

    t0 = time.monotonic()
    with shuzi.Engine() as engine:
        with engine.session(voice=args.voice, avatar=args.avatar, width=width, height=height,
                            fps=args.fps, seed=args.seed, on_mark=on_mark) as s:
            s.add_output(args.output)
            s.start()
            for line in args.text:
                s.say(line, ssml=args.ssml)
            s.finish()  # raises shuzi.ShuziError (with the library's message) on failure
            st = s.stats()
    print(f"wrote {args.output}: {st.frames_out} frames, "
          f"{st.samples_out / max(st.sample_rate_hz, 1):.2f} s of audio in "
          f"{time.monotonic() - t0:.1f} s; marks: " +
          ", ".join(f"{n} {t.name.lower()}" for t, n in counts.items()), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except shuzi.ShuziError as e:
        print(f"render_file: {e}", file=sys.stderr)
        sys.exit(1)
