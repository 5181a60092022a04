#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# setup.sh: installs what shuzi needs to build and test, from Debian 12
# packages. Idempotent: when everything is installed it only checks, fast.
set -eu

PACKAGES="build-essential cmake pkg-config
  libavcodec-dev libavformat-dev libavutil-dev libswresample-dev libswscale-dev
  libcairo2-dev libespeak-ng-dev espeak-ng-data libcjson-dev libopenblas-dev
  libfreetype-dev libharfbuzz-dev libjpeg-dev fonts-noto-cjk
  libcurl4-openssl-dev libmicrohttpd-dev
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us festival festvox-us-slt-hts
  libsdl2-dev portaudio19-dev libspeexdsp-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-base
  nginx-light libnginx-mod-rtmp libnginx-mod-stream openssl srt-tools ffmpeg xvfb xauth
  clang libclang-rt-14-dev
  dpkg-dev file strace python3 python3-yaml"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "setup: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "setup: missing packages:$missing; run this script as root" >&2
    exit 1
  fi
fi
echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
echo "setup: done"
