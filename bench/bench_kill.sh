#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench_kill.sh: what a crash leaves behind. Each round starts a run and
# kills it with SIGKILL (no chance to clean up) at a random moment:
#   say     `shuzi say TEXT -o out.mp4 --out out.wav --marks out.jsonl`
#   render  `shuzi render demos/explainer.txt -o out.mkv --subtitles out.vtt`
#   live    `shuzi live --config demos/live.json --out rec.mkv --out rec.mp4`
#           (recordings of a live room are written under their own names)
# and checks: a file under its final name is either absent or complete
# (offline outputs are written under a hidden temporary name and renamed at
# the end), every live recording opens and plays up to about the moment of
# the kill, and how many temporary files a crash leaves (removed by the next
# run that writes the same file, once they are a minute old).
# Usage: bench/bench_kill.sh [--rounds N] [--shuzi PATH]     (default 10 rounds a mode)
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
shuzi=$src/build/shuzi
rounds=10
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2;;
    --shuzi) shuzi=$2; shift 2;;
    *) sed -n '2,17p' "$0"; exit 2;;
  esac
done
case $rounds in ''|*[!0-9]*) echo "bench_kill: --rounds is a number" >&2; exit 2;; esac
[ -x "$shuzi" ] || { echo "bench_kill: no shuzi at $shuzi (build first)" >&2; exit 1; }
command -v ffprobe >/dev/null || { echo "bench_kill: ffprobe (Debian's ffmpeg) is needed" >&2; exit 1; }
T=$(mktemp -d /tmp/shuzi-kill-XXXXXX)
trap 'rm -rf "$T"' EXIT
text="Welcome to the store. Today the red kettle is only 199 yuan, and it ships today. Ask me anything about it."

# how far a file plays (s): the time of its last video or audio packet, or "bad"
# (a recording cut by a crash may have no duration in its header: players read on)
playable() { ffprobe -v error -show_entries packet=pts_time -of csv=p=0 "$1" 2>/dev/null |
             awk -F, '$1 != "" && $1 != "N/A" { if ($1 > d) d = $1; n++ } END { if (!n) print "bad"; else printf "%.2f", d }'; }

echo "bench_kill: $rounds rounds a mode, SIGKILL at a random moment; shuzi $shuzi"
printf '  %-7s %7s %9s %9s %12s %10s %9s\n' mode rounds killed finished "half-written" recordings "left tmp"
for mode in say render live; do
  killed=0 finished=0 half=0 recs_ok=0 recs=0 left=0
  for r in $(seq "$rounds"); do
    d=$T/$mode-$r
    mkdir -p "$d"
    case $mode in
      say)    delay_ms=$((200 + RANDOM % 6000))
              "$shuzi" say "$text" -o "$d/out.mp4" --out "$d/out.wav" --marks "$d/out.jsonl" -q \
                > "$d/log" 2>&1 & ;;
      render) delay_ms=$((200 + RANDOM % 15000))
              "$shuzi" render "$src/demos/explainer.txt" -o "$d/out.mkv" --subtitles "$d/out.vtt" -q \
                > "$d/log" 2>&1 & ;;
      live)   delay_ms=$((3000 + RANDOM % 12000))
              "$shuzi" live --config "$src/demos/live.json" --out "$d/rec.mkv" --out "$d/rec.mp4" \
                --api-port 0 --duration 60 -q > "$d/log" 2>&1 & ;;
    esac
    pid=$!
    t0=$(date +%s.%N)
    sleep "$(awk -v m="$delay_ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    if kill -9 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null
      killed=$((killed + 1)); was_killed=1
    else
      wait "$pid" 2>/dev/null; rc=$?
      finished=$((finished + 1)); was_killed=0
      [ "$rc" -eq 0 ] || echo "  $mode round $r: exited $rc before the kill: $(tail -1 "$d/log")"
    fi
    alive=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    case $mode in
      say|render)
        for f in "$d"/out.*; do
          [ -e "$f" ] || continue
          case $f in *.mp4|*.mkv) dur=$(playable "$f");; *) dur=ok;; esac
          if [ "$was_killed" = 1 ] || [ "$dur" = bad ] || [ ! -s "$f" ]; then
            half=$((half + 1)); echo "  $mode round $r: $(basename "$f") under its final name after the kill ($dur)"
          fi
        done ;;
      live)
        for f in "$d/rec.mkv" "$d/rec.mp4"; do
          recs=$((recs + 1))
          dur=$(playable "$f")
          if [ "$dur" != bad ] && awk -v d="$dur" -v a="$alive" 'BEGIN { exit !(d > 0 && d <= a + 1) }'; then
            recs_ok=$((recs_ok + 1))
          else
            echo "  live round $r: $(basename "$f") after ${alive}s alive: $dur"
          fi
        done ;;
    esac
    left=$((left + $(find "$d" -name '.*partial*' | wc -l)))
  done
  rec_col="-"
  [ "$mode" = live ] && rec_col="$recs_ok/$recs"
  printf '  %-7s %7d %9d %9d %12d %10s %9d\n' "$mode" "$rounds" "$killed" "$finished" "$half" "$rec_col" "$left"
done
echo "  half-written: files under their final name after a kill, or unplayable (must be 0);"
echo "  recordings: live recordings that open and end no later than the kill; left tmp: hidden temporary files"
