#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# demo.sh: set up, build, and render the demo video out/demo.mp4 from text.
set -eu
cd "$(dirname "$0")"
./setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
mkdir -p out
./build/shuzi say "Hello, and welcome to our bank. I am your digital assistant. How can I help you today?" \
  -o out/demo.mp4 --marks out/demo.jsonl
echo "demo: the video is $(pwd)/out/demo.mp4 (speech marks: $(pwd)/out/demo.jsonl)"
