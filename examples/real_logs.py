"""The library on three real public-service event logs (see docs/real-data.md).

    python examples/real_logs.py [OUT_DIR]      # default integrity-demo/real-logs/

Reads the shared logs of ``../shared/data/real/`` (a Dutch municipality's
environmental-permit receipt log, a Dutch municipality's building-permit log,
an Italian police road-fines log) with the presets of ``examples/presets/``,
rolls each up to cases, fits a model per log (no catalog: the logs have no
fee schedule), scores it, prints the top officers and cases with their
reasons, and writes an HTML report per log. The same on the command line:

    integrity-signals fit receipt.xes.gz --events examples/presets/wabo.toml \\
        --model models/wabo.joblib
    integrity-signals report receipt.xes.gz --events examples/presets/wabo.toml \\
        --model models/wabo.joblib --out wabo.html
"""

import sys
import warnings
from pathlib import Path

import integrity_signals as isig
from integrity_signals.report import write_report

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data" / "real"  # the repository's sibling folder
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "integrity-demo/real-logs")

LOGS = {  # name: (file, preset)
    "wabo": ("wabo_receipt/receipt.xes.gz", "wabo.toml"),
    "bpic15": ("bpic15_municipality1/events.csv.gz", "bpic15.toml"),
    "fines": ("road_traffic_fines/events.csv", "fines.toml"),
}

if not DATA.is_dir():
    sys.exit(f"The shared logs are not in {DATA}: nothing to read.")
OUT.mkdir(parents=True, exist_ok=True)

for name, (file, preset) in LOGS.items():
    # %% Read and roll up: every event ends up in a case or in data.rejects.
    data = isig.read_event_log(DATA / file, HERE / "presets" / preset)
    print(f"\n=== {name}")
    print(data.summary())

    # %% Fit on the log itself, with the country's working days (the preset's [calendar]).
    model = isig.RiskModel(random_state=0, calendar=data.calendar)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(data)
        flags = model.score(data)
        officers = model.score_entities(data, level="handler_id")
    for w in caught:
        print(f"warning: {w.message}")
    changes = model.features_.fees_.fee_changes_
    if len(changes):
        print("fee levels that changed for everyone (no catalog: learned per period):")
        print(changes.to_string(index=False))

    # %% The riskiest officers and cases, with their reasons.
    print(f"{int(flags['flagged'].sum())} of {len(flags):,} cases flagged; "
          f"{int(officers['flagged'].sum())} of {len(officers)} officers flagged")  # fmt: skip
    for r in officers.head(3).itertuples():
        print(f"  officer {r.handler_id}: risk {r.risk_score:.2f}, {r.n_cases} cases; "
              f"{r.reasons or 'nothing notable'}")  # fmt: skip
    for r in flags.head(3).itertuples():
        print(f"  case {r.case_id}: risk {r.risk_score:.2f}; {r.reasons or 'nothing notable'}")

    # %% One self-contained HTML report per log.
    path = write_report(OUT / f"{name}.html", model, data, flags=flags, officers=officers,
                        title=f"{name}: {len(flags):,} cases")  # fmt: skip
    print(f"report: {path}")
