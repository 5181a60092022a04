#!/bin/sh
# train_voice.sh: trains a diffusion voice from an LJSpeech-format folder and
# writes it as a shuzi voice file. The default voice was made with:
#
#   tools/train/train_voice.sh ../shared/data/kathleen kathleen
#
# Usage: tools/train/train_voice.sh DATA_DIR NAME [STEPS] [WORK_DIR]
#   DATA_DIR  metadata.csv (id|text[|normalized text]) + wavs/ (.wav or .flac)
#   NAME      the voice name: writes assets/voices/NAME.safetensors
#   STEPS     training steps (default 12000: about 70 minutes on 2 CPU cores)
#   WORK_DIR  features and checkpoints (default out/train/NAME; resumable)
# Needs Debian's python3-torch and python3-numpy (tools/train/setup.sh) and a
# built shuzi (its text frontend phonemizes the texts).
set -eu
[ $# -ge 2 ] || { sed -n '2,14p' "$0"; exit 2; }
data=$1
name=$2
steps=${3:-12000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${4:-$root/out/train/$name}
py=/usr/bin/python3
[ -x "$root/build/shuzi" ] || { echo "train_voice: build shuzi first (cmake -S . -B build && cmake --build build)" >&2; exit 1; }
[ -f "$data/metadata.csv" ] || { echo "train_voice: $data/metadata.csv not found" >&2; exit 1; }
mkdir -p "$work"
if [ ! -f "$work/data.npz" ]; then
  echo "train_voice: preparing $data (phones and features)"
  $py "$here/prepare.py" "$data" "$work" --shuzi "$root/build/shuzi"
fi
echo "train_voice: training $steps steps (log: $work/train.log)"
$py "$here/train.py" "$work" "$work/ckpt" --steps "$steps" 2>&1 | tee -a "$work/train.log"
$py "$here/export.py" "$work/ckpt/ckpt.pt" "$root/assets/voices/$name.safetensors" \
  --name "$name" --language en-us \
  --data "$(basename "$data") ($(wc -l < "$data/metadata.csv") utterances; $(wc -l < "$work/heldout.tsv") held out)" \
  --licence "${VOICE_LICENCE:-as the data set}" --speaker "${VOICE_SPEAKER:-}" \
  --command "tools/train/train_voice.sh $data $name $steps"
echo "train_voice: done; try: build/shuzi tts --voice diffusion:$name \"Hello there.\" -o hello.wav"
