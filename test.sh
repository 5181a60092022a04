#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test.sh: set up, build (warnings are errors) and run the whole test suite.
set -eu
cd "$(dirname "$0")"
./setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHUZI_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure -j2 "$@"
