"""Shared benchmark helpers: interleaved median timing and peak memory in a fresh process.

The machine is shared and noisy, so every figure is reported as a ratio
against a baseline measured in the same run, with runs interleaved.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np


def machine() -> str:
    import os

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def interleaved(fns: dict[str, Callable[[], object]], repeats: int = 3) -> dict[str, float]:
    """Median wall time of each callable, run round-robin ``repeats`` times."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {k: float(np.median(v)) for k, v in times.items()}


def stage(setup: str, timed: str, after: str = "") -> tuple[float, float]:
    """Run ``setup``, then ``timed``, then ``after`` in a fresh interpreter.

    Returns (the process's peak resident MB over all three, the wall seconds of
    ``timed`` alone): imports and reading the input are not timed, but their
    memory counts, as it does for a user who holds the data.
    """
    code = f"{setup}\n_t0 = time.perf_counter()\n{timed}\n_s = time.perf_counter() - _t0\n{after}"
    wrapper = (
        "import json, time\n"
        "open('/proc/self/clear_refs', 'w').write('5')\n"
        f"{code}\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(json.dumps({'s': _s, 'kb': int(hwm)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"stage failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["kb"] / 1024.0, report["s"]


def peak_mb(code: str) -> tuple[float, float]:
    """Run ``code`` in a fresh interpreter; return (its peak resident MB, its wall seconds).

    The child resets its high-water mark first (``/proc/self/clear_refs``):
    ``ru_maxrss`` of a child started from a large parent would include the
    parent's memory at fork time.
    """
    wrapper = (
        "import json, time\n"
        "open('/proc/self/clear_refs', 'w').write('5')\n"
        "t0 = time.perf_counter()\n"
        f"{code}\n"
        "seconds = time.perf_counter() - t0\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(json.dumps({'s': seconds, 'kb': int(hwm)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper], capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["kb"] / 1024.0, report["s"]
