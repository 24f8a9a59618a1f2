"""Fee levels learned per period (no catalog) against levels learned over the whole period.

    python benchmarks/fee_levels.py [--cases 50000] [--seeds 0,1,2]

Simulated provinces (a mid-year fee schedule change, value-based fees,
exemptions, overcharging and waivers among the planted schemes) with the
posted fee column removed, so that every fee reference is learned from the
cases. Two fits of the same model in the same run:

- ``per period``: ``fit(cases)``, no catalog: levels per procedure and period
  (:class:`~integrity_signals.features.fee_levels.FeeLevels`);
- ``whole period``: ``fit(cases, catalog=<a catalog that lists no procedure>)``:
  the levels of the whole reference period, as before issue 12 (only the fee
  features differ between the two; checked below).

Reported: case average precision, the fee schemes' average precision (cases
of the overcharging scheme), change points found, and on an honest province
(``corruption=0``) the cases flagged and the round fee excesses (events of the
excess-fee signal's gate).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from _harness import machine
from sklearn.metrics import average_precision_score

import integrity_signals as isig

NO_PROCEDURE = pd.DataFrame({"procedure_id": ["(none)"], "fee_official": [np.nan]})


def run(cases: pd.DataFrame, truth: pd.DataFrame | None, seed: int, catalog) -> dict:
    model = isig.RiskModel(random_state=seed).fit(cases, catalog=catalog)
    flags = model.score(cases)
    features = model.features_.transform(cases)
    out = {
        "flagged": float(flags["flagged"].mean()),
        "round_excess": int(features["fees__excess_round"].sum()),
        "changes": len(model.features_.fees_.fee_changes_),
    }
    if truth is not None:
        t = truth.set_index("case_id").loc[flags["case_id"]]
        out["ap"] = average_precision_score(t["is_corrupt"], flags["risk_score"])
        fee = t["scheme"].astype(str).str.contains("overcharg").to_numpy()
        out["ap_overcharge"] = average_precision_score(fee, flags["risk_score"])
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args(argv)
    rows = []
    warnings.simplefilter("ignore")
    for seed in (int(s) for s in args.seeds.split(",")):
        for corruption in (1.0, 0.0):
            sim = isig.simulate(args.cases, corruption=corruption, random_state=seed)
            cases = sim.cases.drop(columns=["fee_official"])
            truth = sim.truth if corruption else None
            for name, catalog in (("per period", None), ("whole period", NO_PROCEDURE)):
                rows.append({"seed": seed, "province": "schemes" if corruption else "honest",
                             "levels": name, **run(cases, truth, seed, catalog)})  # fmt: skip
    table = pd.DataFrame(rows)
    print(f"{machine()}; {args.cases:,} cases, posted fees removed")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    print(table.groupby(["province", "levels"]).mean(numeric_only=True).drop(columns="seed")
          .to_string(float_format=lambda x: f"{x:.4f}"))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
