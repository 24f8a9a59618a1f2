"""Regenerate the null table of the truncated Cauchy combination shipped with the package.

    python benchmarks/cauchy_null_table.py

Writes ``src/integrity_signals/detectors/cauchy_null.csv``: for k = 1..48 terms,
the probability that the truncated mean of k independent null terms is at least
the statistic of each raw p-value of ``combine.GRID`` (4,194,304 draws each,
fixed seed: the same file every time). See ``detectors/combine.py``.
"""

from __future__ import annotations

import time

import numpy as np

from integrity_signals.detectors.combine import NULL_TABLE, build_null_table

if __name__ == "__main__":
    t0 = time.perf_counter()
    table = build_null_table()
    np.savetxt(NULL_TABLE, table, delimiter=",", fmt="%.6e")
    print(
        f"wrote {NULL_TABLE} ({table.shape[0]} x {table.shape[1]}) in {time.perf_counter() - t0:.1f} s"
    )
