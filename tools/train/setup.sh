#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# setup.sh (training): installs what training a voice needs, from Debian:
# PyTorch and NumPy for /usr/bin/python3. Idempotent.
set -eu
pkgs="python3-torch python3-numpy python3-scipy python3-soundfile ffmpeg"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && { echo "train setup: all packages present"; exit 0; }
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
