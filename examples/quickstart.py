"""Quick start for analysts: a simulated province from dossiers to an inspection plan.

Run it as a script (``python examples/quickstart.py [OUT_DIR]``) or cell by cell
in an editor that knows ``# %%`` cells (VS Code, Spyder, Jupytext). Files go
to OUT_DIR (default ``integrity-demo/quickstart/``).
"""

# %% Setup
import sys
from pathlib import Path

import pandas as pd

import integrity_signals as isig

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "integrity-demo/quickstart")


def show(frame: pd.DataFrame) -> None:
    print(frame.to_string(max_colwidth=70))


# %% A simulated province: one row per dossier, with planted schemes and the truth
sim = isig.simulate(15_000, random_state=0)
print(sim)
show(sim.cases.head(3).T)

# %% Validate: every row ends up in .cases or in .rejects, never lost
data = isig.validate_cases(sim.cases)
print(data.summary())

# %% Fit on the reference period, then score the dossiers (riskiest first)
model = isig.RiskModel(random_state=0).fit(data, catalog=sim.catalog)
flags = model.score(data)
show(flags[["case_id", "risk_score", "flagged", "reasons"]].head(5))
print(f"{flags['flagged'].sum():,} of {len(flags):,} dossiers flagged at FDR {model.fdr:.0%}")

# %% Every flag is traceable: all the evidence about one dossier
top_case = flags["case_id"].iloc[0]
show(model.explain(top_case, data)[["kind", "feature", "value", "baseline", "p_value", "text"]])

# %% Officers and units, ranked with reasons; compare with the planted truth
officers = model.score_entities(data, level="handler_id")
units = model.score_entities(data, level="unit_id")
truth = sim.entity_truth.set_index("handler_id")["scheme"]
top = officers[["handler_id", "risk_score", "flagged", "reasons"]].head(5)
show(top.assign(planted=top["handler_id"].map(truth)))

# %% An inspection plan: the riskiest officers plus a random share, with the dossiers to pull
plan = isig.plan_inspections(officers, budget=6, random_share=0.2, random_state=0, flags=flags)
show(plan[["handler_id", "selected_by", "risk_score", "inclusion_probability", "dossiers"]])

# %% After the inspections: an unbiased estimate of the problem rate among all officers
# In real life the outcomes come from the inspectors: {officer id: problem found?}
found = {officer: truth[officer] != "none" for officer in plan["handler_id"]}
estimate = isig.estimate_problem_rate(plan, found)
print(estimate)

# %% Save the model for monthly scoring, and the tables for others
model.save(OUT / "model.joblib")
for name, table in {"flags": flags, "officers": officers, "units": units, "plan": plan}.items():
    table.to_parquet(OUT / f"{name}.parquet")
print(f"model and tables written to {OUT}/")
