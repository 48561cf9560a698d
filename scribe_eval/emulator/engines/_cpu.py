"""How CTranslate2 computes on the CPU: one way on every x86 machine (see `CPU_BACKEND`).

Stdlib only: the ASR identity reads it on a cached re-run, which imports no decoder.
"""

from __future__ import annotations

import os
import platform
from typing import Final

__all__ = ["CPU_BACKEND", "cpu_backend", "pin_cpu_backend"]

CPU_BACKEND: Final = {"CT2_USE_MKL": "0", "CT2_FORCE_CPU_ISA": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
"""How CTranslate2 computes on an x86 CPU, the same on every such machine unless the user says
otherwise in the environment. Left to itself it multiplies with Intel MKL on Intel CPUs and with
oneDNN elsewhere, each with the widest instructions the CPU has, and the int8 kernels round
differently: on one AMD machine, MKL instead of oneDNN changed the words of 7 of the 8 English
sample visits, so the demo's figures moved from one machine to the next with nothing changed.
oneDNN with AVX2 runs on every x86 CPU of the last decade; AVX-512 would be faster where there is
one, and could give other words."""


def cpu_backend() -> dict[str, str]:
    """The CTranslate2 settings this process computes with: `CPU_BACKEND`, where the environment
    does not set them (on x86 only; other CPUs have one backend)."""
    if platform.machine().lower() not in {"x86_64", "amd64", "i686", "x86"}:
        return {}
    return {name: os.environ.get(name, default) for name, default in CPU_BACKEND.items()}


def pin_cpu_backend() -> None:
    """Apply `cpu_backend` before CTranslate2 is first imported (it reads them once)."""
    for name, value in cpu_backend().items():
        os.environ.setdefault(name, value)
