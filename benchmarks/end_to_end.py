"""End to end on a simulated province: validate, fit, score cases, score officers and units;
then a later batch (fit on months 1-9, score months 10-12).

    python benchmarks/end_to_end.py [--cases 1000000]

Each step runs in a fresh process to read its own peak memory; the baseline
in the same run is reading the Parquet file alone.
"""

from __future__ import annotations

import argparse

from _harness import machine, peak_mb
from features import province


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    args = ap.parse_args()
    path = province(args.cases)
    cat = path.with_suffix(".catalog.parquet")
    load = (
        f"import pandas as pd, integrity_signals as isig\ncases = pd.read_parquet({str(path)!r})\n"
    )
    steps = {
        "read Parquet (baseline)": load,
        "+ validate_cases": load + "data = isig.validate_cases(cases)\n",
        "+ fit": load
        + f"data = isig.validate_cases(cases)\nm = isig.RiskModel(random_state=0).fit(data, catalog=pd.read_parquet({str(cat)!r}))\n",
        "+ fit + score + officers + units": load
        + f"data = isig.validate_cases(cases)\nm = isig.RiskModel(random_state=0).fit(data, catalog=pd.read_parquet({str(cat)!r}))\n"
        "f = m.score(data); o = m.score_entities(data); u = m.score_entities(data, level='unit_id')\n",
        # a later batch: pooled with the reference record (officers, applicant pairs)
        "fit on months 1-9, score months 10-12 + officers + units": load
        + "month = cases['submitted_at'].dt.month\n"
        f"m = isig.RiskModel(random_state=0).fit(cases[month <= 9], catalog=pd.read_parquet({str(cat)!r}))\n"
        "late = cases[month > 9]\n"
        "f = m.score(late); o = m.score_entities(late); u = m.score_entities(late, level='unit_id')\n",
    }
    print(f"machine: {machine()}; cases: {args.cases:,}")
    print("| step (cumulative, one process each) | wall s | peak MB |")
    print("| --- | --- | --- |")
    for name, code in steps.items():
        mb, seconds = peak_mb(code)
        print(f"| {name} | {seconds:.1f} | {mb:.0f} |", flush=True)


if __name__ == "__main__":
    main()
