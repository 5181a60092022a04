#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# train_voice.sh: trains a diffusion voice from an LJSpeech-format folder and
# writes it as a shuzi voice file, for example:
#
#   tools/train/train_voice.sh --teacher 14000 ../shared/data/kathleen kathleen 6000
#
# (how the shipped default voice was made: tools/train/README.md)
# Usage: tools/train/train_voice.sh [--teacher T_STEPS] [--bands N] DATA_DIR NAME [STEPS] [WORK_DIR]
#   --teacher T_STEPS  first pretrain T_STEPS steps on speech of a teacher voice
#             (Festival's SLT HTS voice reading public-domain sentences; needs
#             festival and festvox-us-slt-hts), then train STEPS on DATA_DIR
#   --bands N envelope bands per frame (default 48, 4 to 256; copy synthesis
#             keeps more of a voice with 80: tools/train/README.md)
#   DATA_DIR  metadata.csv (id|text[|normalized text]) + wavs/ (.wav or .flac)
#   NAME      the voice name: writes assets/voices/NAME.safetensors
#   STEPS     training steps (default 12000: about 70 minutes on 2 CPU cores)
#   WORK_DIR  features and checkpoints (default out/train/NAME; resumable)
#   TEACHER_TEXTS (environment) the sentences the teacher reads (default the
#             shared public-domain LJ Speech texts, ../shared/data/text/)
# Needs Debian's python3-torch and python3-numpy (tools/train/setup.sh) and a
# built shuzi (its text frontend phonemizes the texts).
set -eu
usage() { sed -n '2,21p' "$0"; exit 2; }
teacher=0
bands=""
while [ $# -ge 1 ]; do
  case $1 in
    --teacher)
      [ $# -ge 2 ] || usage
      teacher=$2
      shift 2
      case $teacher in ''|*[!0-9]*) echo "train_voice: --teacher wants a step count, not '$teacher'" >&2; exit 2;; esac;;
    --bands)
      [ $# -ge 2 ] || usage
      bands=$2
      shift 2
      case $bands in ''|*[!0-9]*) echo "train_voice: --bands wants a number of bands, not '$bands'" >&2; exit 2;; esac;;
    *) break;;
  esac
done
[ $# -ge 2 ] || usage
data=$1
name=$2
steps=${3:-12000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${4:-$root/out/train/$name}
texts=${TEACHER_TEXTS:-$root/../shared/data/text/ljspeech-LJ001-LJ039.csv}
py=/usr/bin/python3
[ -x "$root/build/shuzi" ] || { echo "train_voice: build shuzi first (cmake -S . -B build && cmake --build build)" >&2; exit 1; }
[ -f "$data/metadata.csv" ] || { echo "train_voice: $data/metadata.csv not found" >&2; exit 1; }
mkdir -p "$work"
if [ -f "$work/data.npz" ] && [ -n "$bands" ]; then
  have=$($py -c 'import sys, numpy as np; sys.path.insert(0, sys.argv[1]); import prepare; print(prepare.bands_of(np.load(sys.argv[2])))' "$here" "$work/data.npz")
  [ "$have" = "$bands" ] || { echo "train_voice: $work/data.npz has $have bands, not $bands: give another WORK_DIR" >&2; exit 1; }
fi
if [ ! -f "$work/data.npz" ]; then
  echo "train_voice: preparing $data (phones and features)"
  $py "$here/prepare.py" "$data" "$work" --shuzi "$root/build/shuzi" ${bands:+--bands "$bands"}
fi
init=""
blend=""
teacher_arg=""
teacher_note=none
if [ "$teacher" -gt 0 ]; then
  [ -f "$texts" ] || { echo "train_voice: teacher texts $texts not found (set TEACHER_TEXTS)" >&2; exit 1; }
  echo "train_voice: the teacher voice reads $texts"
  $py "$here/teacher.py" "$texts" "$work/teacher"
  if [ ! -f "$work/teacher/data.npz" ]; then
    echo "train_voice: preparing the teacher's speech"
    $py "$here/prepare.py" "$work/teacher" "$work/teacher" --shuzi "$root/build/shuzi" --symbols "$work/data.npz"
  fi
  echo "train_voice: pretraining $teacher steps on the teacher's speech (log: $work/teacher/train.log)"
  $py "$here/train.py" "$work/teacher" "$work/teacher/ckpt" --steps "$teacher" 2>&1 | tee -a "$work/teacher/train.log"
  init="--init $work/teacher/ckpt/ckpt.pt"
  # The voice keeps 30% of the pretrained weights (export.py --pretrained):
  # clearer than the fine-tuned weights alone, and still the data's voice
  # (tools/train/README.md).
  blend="--pretrained $work/teacher/ckpt/ckpt.pt --pretrained-share 0.3"
  teacher_arg="--teacher $teacher "
  teacher_note="pretrained $teacher steps on Festival's CMU ARCTIC SLT HTS voice (festvox-us-slt-hts) reading $(wc -l < "$work/teacher/metadata.csv") sentences of $(basename "$texts") (public domain)"
fi
# the command, as the voice file records it (with the credits it was given)
credits="${VOICE_LICENCE:+VOICE_LICENCE=\"$VOICE_LICENCE\" }${VOICE_SPEAKER:+VOICE_SPEAKER=\"$VOICE_SPEAKER\" }"
recipe="${credits}tools/train/train_voice.sh ${teacher_arg}${bands:+--bands $bands }$data $name $steps"
echo "train_voice: training $steps steps (log: $work/train.log)"
# The voice is the moving average of the weights (decay 0.9995: about the last
# two thousand steps), which is clearer than the last weights of the same run
# (tools/train/README.md).
# shellcheck disable=SC2086
$py "$here/train.py" "$work" "$work/ckpt" --steps "$steps" --ema 0.9995 $init 2>&1 | tee -a "$work/train.log"
# shellcheck disable=SC2086
$py "$here/export.py" "$work/ckpt/ckpt.pt" "$root/assets/voices/$name.safetensors" \
  --name "$name" --language en-us \
  --data "$(basename "$data") ($(wc -l < "$data/metadata.csv") utterances; $(wc -l < "$work/heldout.tsv") held out)" \
  --licence "${VOICE_LICENCE:-as the data set}" --speaker "${VOICE_SPEAKER:-}" \
  --teacher "$teacher_note" --command "$recipe" $blend
echo "train_voice: done; try: build/shuzi tts --voice diffusion:$name \"Hello there.\" -o hello.wav"
