"""Re-imported exports: the reference scored once, re-imported with its dates shifted by 52
weeks (same case ids), and re-keyed (new case ids: the overlap guard cannot recognise them).

    python benchmarks/reimport.py

prints the flagged dossiers and officers of each (docs/reliability.md). Every public holiday is a
working day and the quarter has one fee schedule, so that the shift itself adds no evidence.
"""

from __future__ import annotations

import warnings

import holidays
import pandas as pd

import integrity_signals as isig


def main() -> None:
    sim = isig.simulate(n_cases=4_000, months=3, random_state=0)
    days = [d for year in range(2024, 2028) for d in holidays.VN(years=year)]
    calendar = isig.WorkCalendar(extra_workdays=days)
    warnings.simplefilter("ignore")
    model = isig.RiskModel(random_state=0, calendar=calendar).fit(sim.cases, catalog=sim.catalog)
    shifted = sim.cases.copy()
    for column in ("submitted_at", "due_at", "completed_at"):
        shifted[column] += pd.Timedelta(weeks=52)
    rekeyed = shifted.assign(case_id="R" + shifted["case_id"])
    print("batch                 flagged dossiers  flagged officers")
    for name, batch in (("reference, once", sim.cases), ("re-imported, shifted", shifted),
                        ("re-keyed, shifted", rekeyed)):  # fmt: skip
        flags = model.score(batch, force=True)
        officers = model.score_entities(batch, force=True)
        print(f"{name:<21} {int(flags['flagged'].sum()):>16}  {int(officers['flagged'].sum()):>16}")


if __name__ == "__main__":
    main()
