#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Drive a live room from a Python loop: push to an RTMP URL (or a file).

    PYTHONPATH=python python3 python/examples/live_room.py rtmp://host/live/KEY --duration 60
    PYTHONPATH=python python3 python/examples/live_room.py room.mkv --duration 10

A live session runs on the real-time clock: idle frames and silence between
lines. The loop says the next line every --interval seconds, interrupts the
second one a second after it starts speaking (holding the next line back
until then, as an interrupt drops what is queued too), prints every state change (from the state
callback, on an engine thread) and stops after --duration seconds.
"""
from __future__ import annotations

import argparse
import queue
import sys
import time
from typing import List, Tuple

import shuzi

LINES = [
    "Welcome to the live room, everyone.",
    "This line will be interrupted before it ends, because it goes on and on for quite a while.",
    "Our new savings account pays three percent a year.",
    "Ask me anything in the comments.",
    "Thanks for watching, see you tomorrow.",
]


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("url", help="rtmp://... srt://... or a file (.mkv, .ts, .mp4, .flv)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds to run (bounded)")
    ap.add_argument("--interval", type=float, default=4.0, help="seconds between lines")
    ap.add_argument("--voice", default="espeak:en-us")
    ap.add_argument("--avatar", default=None)
    ap.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT")
    ap.add_argument("--fps", type=int, default=30)
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    # The callback only queues; the loop below prints, on the main thread.
    events: "queue.Queue[Tuple[shuzi.State, int, int]]" = queue.Queue()

    def on_state(state: shuzi.State, utterance_id: int, time_ms: int) -> None:  # engine thread
        events.put((state, utterance_id, time_ms))

    def drain() -> List[Tuple[shuzi.State, int, int]]:
        got = []
        while True:
            try:
                state, utt, ms = events.get_nowait()
            except queue.Empty:
                return got
            got.append((state, utt, ms))
            print(f"{time.monotonic() - t0:6.2f} s  state {state.name.lower():11s} "
                  f"utterance {utt} at {ms} ms", flush=True)

    with shuzi.Engine() as engine, engine.session(
            voice=args.voice, avatar=args.avatar, width=width, height=height, fps=args.fps,
            pacing=shuzi.Pacing.LIVE, on_state=on_state) as s:
        s.add_output(args.url)
        s.start()
        t0 = time.monotonic()
        next_say, i = 0.0, 0
        victim, interrupt_at = -1, None  # the utterance to cut short, and when
        while time.monotonic() - t0 < args.duration:
            now = time.monotonic() - t0
            for state, utt, _ms in drain():
                if state == shuzi.State.SPEAKING and utt == victim:
                    interrupt_at = now + min(1.0, args.interval / 2)
            if interrupt_at is not None and now >= interrupt_at:
                s.interrupt()  # drops the rest of the victim and anything queued after it
                print(f"{now:6.2f} s  interrupt", flush=True)
                victim, interrupt_at = -1, None
            if now >= next_say and i < len(LINES) and victim < 0:
                uid = s.say(LINES[i])
                print(f"{now:6.2f} s  say #{uid}: {LINES[i]}", flush=True)
                if i == 1:
                    victim = uid  # interrupted once it has been speaking a while
                i += 1
                next_say = now + args.interval
            time.sleep(0.05)
        s.interrupt()  # bounded: drop what is left, then close the outputs
        s.finish()
        drain()
        st, out = s.stats(), s.output_stats(0)
    print(f"done: {st.frames_out} frames out, {st.frames_dropped} dropped, "
          f"{st.underruns} underruns; output {out.url}: {out.frames_written} frames written"
          + (f", error: {out.error}" if out.error else ""), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except shuzi.ShuziError as e:
        print(f"live_room: {e}", file=sys.stderr)
        sys.exit(1)
