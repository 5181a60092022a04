#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_blas_kernels.sh: on a CPU with AVX2 and FMA, shuzi runs OpenBLAS's
# kernels for them even where OpenBLAS does not know the CPU's model (Debian
# 12's 0.3.21 falls back to its generic "Prescott" kernels on Sapphire
# Rapids, at a third of the voice's speed); a user's OPENBLAS_CORETYPE is
# kept; and the restart that sets the kernels keeps every argument as it
# was; the training scripts choose the same way. Skips on a CPU without
# AVX2 and FMA.
set -u
BIN=${SHUZI_BIN:?SHUZI_BIN must point at the shuzi binary}
SRC=${SHUZI_SOURCE_DIR:?SHUZI_SOURCE_DIR must point at the source tree}
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
if ! grep -qw avx2 <<<"$flags" || ! grep -qw fma <<<"$flags"; then
  echo "SKIP: this CPU has no AVX2 and FMA"; exit 77
fi
# shellcheck source=tests/testlib.sh
. "$SRC/tests/testlib.sh" blas

k=$(env -u OPENBLAS_CORETYPE -u SHUZI_OPENBLAS_CHOSEN "$BIN" --version | tail -1)
name=$(sed -n 's/^matrix products: OpenBLAS, \([A-Za-z0-9]*\) kernels.*/\1/p' <<<"$k")
case "$name" in
  Haswell|Zen|SkylakeX|Cooperlake|SapphireRapids) ok "$k" ;;
  *) fail "generic kernels on a CPU with AVX2 and FMA: $k" ;;
esac
if grep -qw avx512f <<<"$flags" && grep -qw avx512bw <<<"$flags" && grep -qw avx512vl <<<"$flags" \
   && grep -qw avx512dq <<<"$flags"; then
  case "$name" in
    SkylakeX|Cooperlake|SapphireRapids) ok "AVX-512 kernels on a CPU with AVX-512" ;;
    *) fail "no AVX-512 kernels on a CPU with AVX-512: $k" ;;
  esac
fi

# the user's choice is kept, and said to be theirs
k=$(OPENBLAS_CORETYPE=Prescott "$BIN" --version | tail -1)
if [ "$k" = "matrix products: OpenBLAS, Prescott kernels (OPENBLAS_CORETYPE)" ]; then
  ok "OPENBLAS_CORETYPE=Prescott kept: $k"
else fail "OPENBLAS_CORETYPE=Prescott: $k"; fi

# the restarted program sees the same arguments: a text with spaces, quotes
# and non-ASCII letters, an empty argument, and an output path with a space
out="$T/a b.wav"
text="Zoë said: \"it's   fine\" — 3 times."
env -u OPENBLAS_CORETYPE "$BIN" tts --dry-run -- "$text" >"$T/dry1" 2>&1
OPENBLAS_CORETYPE=Prescott "$BIN" tts --dry-run -- "$text" >"$T/dry2" 2>&1
if [ -s "$T/dry1" ] && cmp -s "$T/dry1" "$T/dry2"; then ok "tts --dry-run reads the same text with and without the restart"
else fail "tts --dry-run differs after the restart: $(head -c 300 "$T/dry1") / $(head -c 300 "$T/dry2")"; fi
if [ -f "$SRC/assets/voices/kathleen.safetensors" ]; then
  if env -u OPENBLAS_CORETYPE "$BIN" tts --voice diffusion:kathleen -o "$out" -- "Zoë, it's fine." \
       >"$T/log" 2>&1 && [ -s "$out" ]; then ok "wrote '$out'"
  else fail "tts -o with a space in the path: $(tail -2 "$T/log")"; fi
fi
if env -u OPENBLAS_CORETYPE "$BIN" tts "" -o "$T/e.wav" >"$T/log" 2>&1; then
  fail "an empty text was accepted after the restart"
elif [ "$(grep -c . "$T/log")" = 1 ] && grep -q '^shuzi: ' "$T/log"; then
  ok "an empty text: $(cat "$T/log")"
else fail "an empty text: $(cat "$T/log")"; fi

# the training scripts do the same (tools/train/blas.py), before torch loads
cat >"$T/k.py" <<PY
import ctypes, sys
sys.path.insert(0, "$SRC/tools/train")
import blas
blas.use_cpu_kernels()
lib = ctypes.CDLL("libopenblas.so.0")
lib.openblas_get_corename.restype = ctypes.c_char_p
print(lib.openblas_get_corename().decode(), sys.argv[1:])
PY
k=$(env -u OPENBLAS_CORETYPE /usr/bin/python3 "$T/k.py" "a b" "" 2>&1)
case "$k" in
  "Haswell ['a b', '']"|"Zen ['a b', '']"|"SkylakeX ['a b', '']"|"Cooperlake ['a b', '']"|"SapphireRapids ['a b', '']")
    ok "training scripts: $k" ;;
  *) fail "training scripts: $k" ;;
esac

testlib_end
