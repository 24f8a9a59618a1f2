"""Benchmark: time and peak memory of ``simulate`` at one million dossiers.

Each repeat runs in a fresh subprocess, so that the peak resident memory of
that run alone is read with ``resource.getrusage(RUSAGE_CHILDREN)`` and
import costs are excluded from the timing (measured inside the child around
the call). Prints a Markdown table row: the median wall time of the repeats
and the largest peak resident memory of any of them.

Usage::

    python benchmarks/simulate.py [--cases 1000000] [--repeats 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys

CHILD = """
import json, sys, time
from integrity_signals.simulation import simulate
n, seed = int(sys.argv[1]), int(sys.argv[2])
t0 = time.perf_counter()
sim = simulate(n, random_state=seed)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "rows": len(sim.cases),
                  "corrupt": float(sim.truth["is_corrupt"].mean())}))
"""


def run_once(n_cases: int, seed: int) -> dict:
    """One simulation in a fresh process: its result record (seconds, rows, corrupt share)."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n_cases), str(seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_children_mb() -> float:
    """Largest resident set of any finished child process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, else KiB


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    times = [run_once(args.cases, args.seed)["seconds"] for _ in range(args.repeats)]
    print(f"| benchmark | cases | wall time (median of {args.repeats}) | peak memory | cores |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| simulate | {args.cases:,} | {statistics.median(times):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)}) | {peak_children_mb():,.0f} MB | "
        f"{os.cpu_count()} ({platform.python_implementation()} {platform.python_version()}) |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
