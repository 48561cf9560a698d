"""How the speech stack computes on the CPU: one way on every x86 machine (see `CPU_BACKEND`).

Stdlib only: the ASR identity reads it on a cached re-run, which imports no decoder.
"""

from __future__ import annotations

import functools
import os
import platform
import sys
from pathlib import Path
from typing import Final

__all__ = ["CPU_BACKEND", "cpu_backend", "pin_cpu_backend"]

CPU_BACKEND: Final = {
    "CT2_USE_MKL": "0",
    "CT2_FORCE_CPU_ISA": "AVX2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    "OPENBLAS_CORETYPE": "Haswell",
}
"""How the speech stack computes on an x86 CPU, the same on every such machine unless the user
says otherwise in the environment.

CTranslate2, left to itself, multiplies with Intel MKL on Intel CPUs and with oneDNN elsewhere,
each with the widest instructions the CPU has, and the int8 kernels round differently: on one AMD
machine, MKL instead of oneDNN changed the words of 7 of the 8 English sample visits. NumPy and
the OpenBLAS it bundles compute Whisper's input features (the FFT, the mel filter product, the
log) with AVX-512 where there is one: on an AVX-512 machine that changed every English sample
transcript ("four days" became "4 days") and the demo's figures with them. Both are held to AVX2,
which runs on every x86 CPU of the last decade (OpenBLAS's "Haswell" kernels only where the CPU
has AVX2: forced on an older one they would not run). NumPy reads its setting when imported, so
`pin_cpu_backend` runs first thing in the emulator's process (``emulator serve``). A feature
name this NumPy does not know is ignored with an ImportWarning, never an error."""


@functools.cache
def _has_avx2() -> bool:
    """Whether the CPU has AVX2 (Linux reads /proc/cpuinfo; elsewhere assumed, as for CT2)."""
    if not sys.platform.startswith("linux"):
        return True
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return "avx2" in line.split()
    except OSError:
        pass
    return True


def cpu_backend() -> dict[str, str]:
    """The settings this process computes with: `CPU_BACKEND`, where the environment does not set
    them (on x86 only; other CPUs have one backend). OpenBLAS's core is only given where the CPU
    has AVX2 (or the environment names one)."""
    if platform.machine().lower() not in {"x86_64", "amd64", "i686", "x86"}:
        return {}
    backend = {name: os.environ.get(name, default) for name, default in CPU_BACKEND.items()}
    if "OPENBLAS_CORETYPE" not in os.environ and not _has_avx2():
        del backend["OPENBLAS_CORETYPE"]
    return backend


def pin_cpu_backend() -> None:
    """Apply `cpu_backend` before NumPy and CTranslate2 are first imported (each reads its
    settings once); later calls change nothing that was read already."""
    for name, value in cpu_backend().items():
        os.environ.setdefault(name, value)
