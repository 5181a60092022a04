#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_spdx.sh: every source of the project says its licence in an SPDX line
# near its top (Apache-2.0 for our code; CC-BY-4.0 for data derived from the
# CC BY composites), so a file copied out of the tree still carries it.
set -u
SRC=${SHUZI_SOURCE_DIR:?}
cd "$SRC" || exit 1
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files -- '*.c' '*.h' '*.py' '*.sh' '*.cu' 'CMakeLists.txt' '.ci/run')
else
  files=$(find . -path ./build\* -prune -o \( -name '*.c' -o -name '*.h' -o -name '*.py' -o -name '*.sh' \) -print)
fi
missing=0
n=0
for f in $files; do
  n=$((n+1))
  if ! head -c 400 "$f" | grep -qE 'SPDX-License-Identifier: (Apache-2\.0|CC-BY-4\.0)'; then
    echo "FAIL: $f has no SPDX-License-Identifier line at its top"
    missing=$((missing+1))
  fi
done
echo "$((n-missing)) passed, $missing failed"
[ "$missing" -eq 0 ]
