"""The hot paths of issue 13, one by one, on synthetic inputs of a 1M-case province.

    python benchmarks/hot_paths.py [--cases 1000000] [--repeats 3]

Run it with two installs (before and after a change) to read each change's
gain; every figure is a median of interleaved runs, with the peak of traced
allocations (``tracemalloc``) where memory is the point. The baseline in the
same run is one pass of ``np.bincount`` with weights over the cases.
"""

from __future__ import annotations

import argparse
import tracemalloc

import numpy as np
from _harness import interleaved, machine

from integrity_signals.detectors.combine import cauchy_combine
from integrity_signals.detectors.digits import DigitTest
from integrity_signals.detectors.entity import entity_counts
from integrity_signals.detectors.pairs import pair_threshold
from integrity_signals.features.peers import GroupedReference


def inputs(n: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    p = rng.random((n, 29)) ** 3
    p[rng.random((n, 29)) < 0.6] = np.nan
    fees = rng.choice([50_000, 100_000, 150_000, 1_500_000, np.nan], n)
    return {
        "p": p,
        "officer": rng.integers(0, 3_000, n),
        "procedure": rng.integers(0, 500, n),
        "fees": fees,
        "duration": np.round(rng.lognormal(2, 1, n), 2),
        # applicants' dossiers and shares as the handler features give them: a few thousand
        # distinct (n, share) pairs
        "pair_n": rng.integers(2, 60, n).astype(float),
        "pair_q": np.round(rng.beta(2, 5, n), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    x = inputs(args.cases)
    digits = DigitTest().fit(x["fees"], x["procedure"], 500)
    fns = {
        "baseline: one weighted bincount": lambda: np.bincount(x["officer"], x["duration"]),
        "pair_threshold": lambda: pair_threshold(x["pair_n"], x["pair_q"], 0.05),
        "cauchy_combine (cases x 29)": lambda: cauchy_combine(x["p"]),
        "GroupedReference (500 groups)": lambda: GroupedReference(
            x["procedure"], x["duration"], 500
        ),
        "entity_counts (cases x 29)": lambda: entity_counts(x["officer"], x["p"], 3_000),
        "DigitTest.apply (3,000 officers)": lambda: digits.apply(
            x["officer"], x["fees"], x["procedure"], 3_000
        ),
    }
    times = interleaved(fns, args.repeats)
    print(f"machine: {machine()}; cases: {args.cases:,}")
    print("| step | median s | ratio to baseline | traced peak MB |")
    print("| --- | --- | --- | --- |")
    for name, fn in fns.items():
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        ratio = times[name] / times["baseline: one weighted bincount"]
        print(f"| {name} | {times[name]:.3f} | {ratio:.1f}x | {peak:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
