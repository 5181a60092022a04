#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# train_voice_zh.sh: trains shuzi's Mandarin diffusion voice from speech the
# Mandarin teacher (tools/zh_teacher) makes out of the HanTTS syllable
# recordings, then fine-tunes it on those recordings themselves, and writes
# assets/voices/NAME.safetensors (language cmn). How the shipped voice was
# made (tools/train/README.md, "The Mandarin voice"):
#
#   tools/train/train_voice_zh.sh hantts 5000 1000
#
# Usage: tools/train/train_voice_zh.sh NAME [STEPS] [FINE_STEPS] [WORK_DIR]
#   NAME        the voice name: writes assets/voices/NAME.safetensors
#   STEPS       training steps on the teacher's sentences (default 5000)
#   FINE_STEPS  fine-tuning steps on the real syllables mixed with the
#               sentences (default 1000; 0 skips the fine-tuning)
#   WORK_DIR    default out/train/NAME; every stage that is done is skipped,
#               and training resumes from its last checkpoint
#   ZH_TATOEBA, ZH_LAW (environment) sentences of each source (4000, 1000)
# Needs Debian's python3-torch, -numpy, -scipy, -soundfile
# (tools/train/setup.sh), a built shuzi (its frontend), ../shared/data/text/zh
# and ../shared/data/zh-syllables.
set -eu
[ $# -ge 1 ] || { sed -n '2,24p' "$0"; exit 2; }
name=$1
steps=${2:-5000}
fine=${3:-1000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${4:-$root/out/train/$name}
zh=$root/tools/zh_teacher
py=/usr/bin/python3
shuzi=$root/build/shuzi
for n in "$steps" "$fine"; do
  case $n in ''|*[!0-9]*) echo "train_voice_zh: step counts are numbers, not '$n'" >&2; exit 2;; esac
done
[ -x "$shuzi" ] || { echo "train_voice_zh: build shuzi first (cmake -S . -B build && cmake --build build)" >&2; exit 1; }
mkdir -p "$work"
if [ ! -f "$work/speech/metadata.csv" ]; then
  echo "train_voice_zh: the texts (log: $work/teacher.log)"
  $py "$zh/corpus.py" "$work/corpus.txt" --tatoeba "${ZH_TATOEBA:-4000}" --law "${ZH_LAW:-1000}" --shards 2
  echo "train_voice_zh: the teacher reads them (two processes)"
  $py "$zh/teacher.py" "$work/corpus.txt.1" "$work/teacher1" > "$work/teacher1.log" 2>&1 &
  p1=$!
  $py "$zh/teacher.py" "$work/corpus.txt.2" "$work/teacher2" > "$work/teacher2.log" 2>&1 || { wait $p1 || true; cat "$work/teacher2.log" >&2; exit 1; }
  wait $p1 || { cat "$work/teacher1.log" >&2; exit 1; }
  tail -n 1 "$work/teacher1.log" "$work/teacher2.log"
  rm -rf "$work/speech.part"
  mkdir -p "$work/speech.part/wavs"
  for t in teacher1 teacher2; do
    for f in "$work/$t"/wavs/*.wav; do ln -s "$f" "$work/speech.part/wavs/"; done
    cat "$work/$t/metadata.csv" >> "$work/speech.part/metadata.csv"
  done
  cp "$work/teacher1/NOTICE" "$work/speech.part/NOTICE"
  mv "$work/speech.part" "$work/speech"
fi
if [ ! -f "$work/data.npz" ]; then
  echo "train_voice_zh: preparing the teacher's speech (phones and features)"
  $py "$here/prepare.py" "$work/speech" "$work" --shuzi "$shuzi" 2>&1 | grep -v "RuntimeWarning\|np.where"
fi
echo "train_voice_zh: training $steps steps on the sentences (log: $work/train.log)"
$py "$here/train.py" "$work" "$work/ckpt" --steps "$steps" --ema 0.9995 2>&1 | tee -a "$work/train.log"
final=$work/ckpt/ckpt.pt
blend=""
fine_note="none"
if [ "$fine" -gt 0 ]; then
  if [ ! -f "$work/syllables/data.npz" ]; then
    $py "$zh/syllable_set.py" "$work/teacher1" "$work/teacher2" "$work/syllables" --shuzi "$shuzi"
    $py "$here/prepare.py" "$work/syllables" "$work/syllables" --shuzi "$shuzi" --symbols "$work/data.npz" 2>&1 \
      | grep -v "RuntimeWarning\|np.where"
  fi
  # the syllables are 8 minutes against four hours of sentences: four
  # copies of them make about one batch item in eight
  $py "$here/merge_data.py" "$work/data.npz" "$work/syllables/data.npz" "$work/fine" --repeat-b 4
  echo "train_voice_zh: fine-tuning $fine steps with the real syllables (log: $work/fine/train.log)"
  $py "$here/train.py" "$work/fine" "$work/fine/ckpt" --steps "$fine" --ema 0.999 --lr 3e-4 \
    --init "$work/ckpt/ckpt.pt" 2>&1 | tee -a "$work/fine/train.log"
  final=$work/fine/ckpt/ckpt.pt
  blend="--pretrained $work/ckpt/ckpt.pt --pretrained-share 0.3"
  fine_note="then $fine steps on its sentences with $(wc -l < "$work/syllables/metadata.csv") of the real syllable recordings (4 copies), from those weights"
fi
sentences=$(wc -l < "$work/speech/metadata.csv")
# shellcheck disable=SC2086
$py "$here/export.py" "$final" "$root/assets/voices/$name.safetensors" \
  --name "$name" --language cmn \
  --data "$sentences sentences ($(wc -l < "$work/heldout.tsv") held out) that shuzi's Mandarin teacher (tools/zh_teacher) made from the HanTTS syllable recordings; texts: $(wc -l < "$work/corpus.txt") lines of corpus.py (Tatoeba, PRC law texts, tools/zh_teacher/service.txt)" \
  --licence "MIT (the HanTTS recordings: Copyright (c) 2017 Junze Wu); texts: Tatoeba sentences CC BY 2.0 FR (authors credited at https://tatoeba.org/en/sentences/show/ID, ids in the data list), PRC law texts (not protected by copyright), shuzi's own sentences (Apache-2.0)" \
  --speaker "the HanTTS syllable set (public repository junzew/HanTTS): one male native Mandarin speaker" \
  --teacher "trained $steps steps on the teacher's sentences; $fine_note" \
  --command "tools/train/train_voice_zh.sh $name $steps $fine" $blend
echo "train_voice_zh: done; try: build/shuzi tts --voice diffusion:$name \"欢迎光临。\" -o hello.wav"
