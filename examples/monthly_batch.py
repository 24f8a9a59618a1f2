"""Batch scoring: fit once on a year, save the model, score each month's extract with it.

    python examples/monthly_batch.py [OUT_DIR]      # default integrity-demo/monthly/

The same job on the command line, e.g. from cron on the 2nd of each month::

    integrity-signals fit cases_2025.parquet --catalog catalog.csv \\
        --model models/province-2025.joblib
    integrity-signals score cases_2026-01.csv --model models/province-2025.joblib \\
        --out out/flags_2026-01.csv --entities handler_id,unit_id

A month is scored against the baselines of the reference year, so months
are comparable with each other; refit once a year or after a change of
rules (see models/README.md).
"""

import sys
from pathlib import Path

import pandas as pd

import integrity_signals as isig

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "integrity-demo/monthly")
OUT.mkdir(parents=True, exist_ok=True)

# --- The data: thirteen months of a simulated province, as the case system would export it.
sim = isig.simulate(20_000, months=13, random_state=1)
cases = sim.cases
in_year = cases["submitted_at"] < "2026-01-01"
year_file = OUT / "cases_2025.parquet"
month_file = OUT / "cases_2026-01.csv"
cases[in_year].to_parquet(year_file)
month = cases[~in_year].copy()
month.loc[month.index[:2], "completed_at"] = pd.Timestamp("2025-06-01")  # two broken rows
month.to_csv(month_file, index=False)

# --- Once a year: fit on the reference year and save the model.
year = isig.read_cases(year_file)
model = isig.RiskModel(random_state=0).fit(year, catalog=sim.catalog)
model_file = OUT / "models" / "province-2025.joblib"
model.save(model_file)
print(f"fitted on {len(year.cases):,} dossiers of 2025; model saved to {model_file}")


# --- Each month: load the saved model, score the extract, write the outputs.
def score_month(extract: Path, model_file: Path, out: Path) -> int:
    """Score one month; returns 0, or 1 when rows were quarantined (the CLI's exit codes)."""
    model = isig.RiskModel.load(model_file)  # ModelFileError if missing, damaged or too old
    data = isig.read_cases(extract)  # bad rows go to data.rejects, never lost
    flags = model.score(data)
    officers = model.score_entities(data, level="handler_id")
    stem = extract.stem.replace("cases_", "")
    flags.to_parquet(out / f"flags_{stem}.parquet")
    officers.to_parquet(out / f"officers_{stem}.parquet")
    print(data.summary())
    print(f"{stem}: {flags['flagged'].sum():,} of {len(flags):,} dossiers flagged")
    show = officers[["handler_id", "risk_score", "flagged", "reasons"]].head(5)
    print(show.to_string(index=False, max_colwidth=80))
    if data.n_rejected:
        data.rejects.to_csv(out / f"rejects_{stem}.csv", index=False)
        return 1
    return 0


status = score_month(month_file, model_file, OUT)
print(f"exit status {status}; outputs in {OUT}/")
