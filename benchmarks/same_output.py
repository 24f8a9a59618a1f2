"""Speed changes must not move a figure: every output of the model, written once and compared.

    python benchmarks/same_output.py --write DIR [--cases 20000] [--seeds 0,1,2]
    python benchmarks/same_output.py --compare DIR

For each simulated province: a model fitted on the validated cases and one
fitted on the plain DataFrame, their case scores, officer and unit scores and
the explanation of the riskiest case; then a later batch (fitted on months
1-9, scoring months 10-12). ``--write`` pickles every table; ``--compare``
recomputes them with the code installed now and checks that each is
identical: same columns, dtypes, index and values, bit for bit (NaN equal to
NaN; floats within ``--rtol`` when given, every other column exactly), and
exits 1 when any table differs (every differing column is reported).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def outputs(n: int, seed: int) -> dict[str, pd.DataFrame]:
    import integrity_signals as isig

    sim = isig.simulate(n_cases=n, random_state=seed)
    data = isig.validate_cases(sim.cases)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for how, given in (("data", data), ("frame", sim.cases)):
            model = isig.RiskModel(random_state=seed).fit(given, catalog=sim.catalog)
            flags = model.score(given)
            out[f"{how}/cases"] = flags
            out[f"{how}/officers"] = model.score_entities(given)
            out[f"{how}/units"] = model.score_entities(given, level="unit_id")
            out[f"{how}/explain"] = model.explain(flags["case_id"].iloc[0], given)
        out["data/cases_vi"] = model.score(data, lang="vi")
        month = sim.cases["submitted_at"].dt.month
        early, late = sim.cases[month <= 9], sim.cases[month > 9]
        model = isig.RiskModel(random_state=seed).fit(early, catalog=sim.catalog)
        out["later/cases"] = model.score(late)
        out["later/officers"] = model.score_entities(late)
        out["later/units"] = model.score_entities(late, level="unit_id")
    return out


def same(a: pd.DataFrame, b: pd.DataFrame, rtol: float = 0.0) -> str | None:
    """None when ``a`` and ``b`` are identical (floats within ``rtol``, 0: bit for bit); else
    what differs."""
    if list(a.columns) != list(b.columns):
        return f"columns {list(a.columns)} != {list(b.columns)}"
    if not a.index.equals(b.index):
        return "index differs"
    found = []
    for col in a.columns:
        x, y = a[col], b[col]
        if x.dtype != y.dtype:
            found.append(f"{col}: dtype {x.dtype} != {y.dtype}")
            continue
        if x.dtype.kind == "f":
            u, v = x.to_numpy(), y.to_numpy()
            differ = ~((u == v) | (np.isnan(u) & np.isnan(v)))
            differ |= np.signbit(u) != np.signbit(v)
            if rtol:
                with np.errstate(invalid="ignore"):
                    differ &= ~(np.abs(u - v) <= rtol * np.maximum(np.abs(u), np.abs(v)))
        else:
            differ = ~(x.isna().to_numpy() & y.isna().to_numpy()) & (
                x.astype(object).to_numpy() != y.astype(object).to_numpy()
            )
        if differ.any():
            i = int(np.flatnonzero(differ)[0])
            found.append(
                f"{col}: {int(differ.sum())} rows differ, first at {i}: {x.iloc[i]!r} != {y.iloc[i]!r}"
            )
    return "; ".join(found) or None


def main() -> None:
    ap = argparse.ArgumentParser()
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path)
    mode.add_argument("--compare", type=Path)
    ap.add_argument("--cases", type=int, default=20_000)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument(
        "--rtol", type=float, default=0.0, help="relative tolerance of floats (0: bit for bit)"
    )
    args = ap.parse_args()
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for seed in (int(s) for s in args.seeds.split(",")):
            path = args.write / f"outputs_{args.cases}_{seed}.pkl"
            path.write_bytes(pickle.dumps(outputs(args.cases, seed)))
            print("wrote", path)
        return
    bad = 0
    for path in sorted(args.compare.glob("outputs_*.pkl")):
        _, n, seed = path.stem.split("_")
        before = pickle.loads(path.read_bytes())
        after = outputs(int(n), int(seed))
        for key, table in before.items():
            diff = same(table, after[key], args.rtol)
            print(f"{path.name} {key}: {'identical' if diff is None else diff}")
            bad += diff is not None
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
