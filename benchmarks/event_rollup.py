"""Speed of the event-log roll-up and readers on synthetic logs.

    python benchmarks/event_rollup.py [--events 1000000] [--repeats 3]

A synthetic log of ``--events`` events (one per step: 7 activities, about 6.7
events per case, 3,000 officers, a fee and a procedure as case attributes)
is rolled up with :func:`integrity_signals.cases_from_events`:

- with datetime time stamps, and with ISO text time stamps (parsed);
- ``read_event_log`` of the same log written as CSV (read, parse, quarantine,
  roll up, validate the cases);
- ``read_event_log`` of a tenth of it written as XES (streamed XML);
- baseline in the same run: a plain pandas ``groupby`` on the string case ids
  computing only first / last time stamp and the event count.

Medians of ``--repeats`` interleaved runs (the machine is noisy). Acceptance
(issue 12): 1M events roll up in under 5 s.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from _harness import interleaved, machine

import integrity_signals as isig

ACTIVITIES = ["receive", "check", "assign", "request documents", "decide", "return", "archive"]
ROLES = {
    "case": "case", "activity": "activity", "timestamp": "time", "resource": "who",
    "start_activities": "receive", "end_activities": "return",
    "supplement_activities": "request documents",
    "case_attributes": {"fee_charged": "fee", "procedure_id": "procedure"},
    "constants": {"unit_id": "U1"},
}  # fmt: skip


def synthetic_log(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_cases = max(n * 3 // 20, 1)
    case = rng.integers(0, n_cases, n)
    start = np.datetime64("2025-01-01", "s") + rng.integers(0, 300 * 86_400, n_cases)
    time_ = start[case] + rng.integers(0, 40 * 86_400, n).astype("timedelta64[s]")
    return pd.DataFrame({
        "case": pd.array([f"HS{c:08d}" for c in case], dtype="str"),
        "activity": np.asarray(ACTIVITIES, dtype=object)[rng.integers(0, len(ACTIVITIES), n)],
        "time": time_.astype("datetime64[ns]"),
        "who": pd.array([f"cb{k}" for k in rng.integers(0, 3_000, n)], dtype="str"),
        "fee": rng.choice(["50000", "100000", None], n),
        "procedure": rng.choice([f"P{k:03d}" for k in range(500)], n),
    })  # fmt: skip


def write_xes(events: pd.DataFrame, path: Path) -> None:
    parts = [
        '<?xml version="1.0" encoding="UTF-8" ?>\n<log xmlns="http://www.xes-standard.org/">\n'
    ]
    for case, group in events.groupby("case", sort=False):  # benchmark set-up only
        parts.append(f'<trace><string key="concept:name" value="{case}"/>\n')
        for a, t, w in zip(group["activity"], group["time"].astype(str), group["who"], strict=True):
            parts.append(
                f'<event><string key="concept:name" value="{a}"/>'
                f'<string key="org:resource" value="{w}"/>'
                f'<date key="time:timestamp" value="{t.replace(" ", "T")}"/></event>\n'
            )
        parts.append("</trace>\n")
    parts.append("</log>\n")
    path.write_text("".join(parts), encoding="utf-8")


def baseline(events: pd.DataFrame) -> pd.DataFrame:
    g = events.groupby("case", sort=True)["time"]
    return pd.DataFrame({"first": g.min(), "last": g.max(), "n": g.size()})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    events = synthetic_log(args.events)
    text = events.assign(time=events["time"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "events.csv"
        pacsv.write_csv(pa.Table.from_pandas(text, preserve_index=False), csv_path)
        xes_path = Path(tmp) / "events.xes"
        small = events.iloc[: args.events // 10]
        write_xes(small, xes_path)
        n_cases = len(isig.cases_from_events(events, **ROLES))
        times = interleaved(
            {
                "baseline: pandas groupby first/last/count": lambda: baseline(events),
                "cases_from_events, datetime stamps": lambda: isig.cases_from_events(
                    events, **ROLES
                ),
                "cases_from_events, text stamps": lambda: isig.cases_from_events(text, **ROLES),
                "read_event_log, CSV": lambda: isig.read_event_log(csv_path, **ROLES),
                f"read_event_log, XES ({len(small):,} events)": lambda: isig.read_event_log(
                    xes_path, constants={"procedure_id": "P", "unit_id": "U"}
                ),
            },
            repeats=args.repeats,
        )
    print(f"{machine()}; {args.events:,} events in {n_cases:,} cases; medians of {args.repeats}")
    for name, seconds in times.items():
        print(f"  {name:<48} {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
