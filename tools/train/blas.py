# SPDX-License-Identifier: Apache-2.0
"""OpenBLAS kernels for this CPU, for the training scripts.

Debian 12's OpenBLAS (0.3.21) picks its kernels from the CPU's model number
and falls back to generic SSE3 ones ("Prescott") on CPUs it does not know,
such as Sapphire Rapids. PyTorch's matrix products go through it. Like the
shuzi command (core/cpu/nn.c), a script that calls use_cpu_kernels() first
thing restarts itself once with OPENBLAS_CORETYPE naming the kernels for
the CPU's features, when OpenBLAS chose generic ones and the user set none.
"""
import ctypes
import os
import sys

GOOD = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"}


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def better_kernels():
    """Kernels this CPU runs faster than the ones OpenBLAS chose, or None."""
    if "OPENBLAS_CORETYPE" in os.environ:
        return None
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        now = (lib.openblas_get_corename() or b"").decode().lower()
    except (OSError, AttributeError):
        return None
    if now in GOOD:
        return None
    flags = cpu_flags()
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


def use_cpu_kernels():
    """Restarts this script (sys.argv) with better kernels, if there are any."""
    if not sys.argv or not os.path.isfile(sys.argv[0]):  # python -c, or an interactive shell
        return
    kernels = better_kernels()
    if kernels:
        os.environ["OPENBLAS_CORETYPE"] = kernels
        os.execv(sys.executable, [sys.executable] + sys.argv)
