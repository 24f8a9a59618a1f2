"""`integrity-signals score` of 1M cases against the Python `model.score` call, same run.

    python benchmarks/score_cli.py [--cases 1000000] [--repeats 3]

The baseline is `model.score(data)` in this process, on cases already read and
validated, with the model already loaded. The command line runs as a new process
and its time includes everything a batch job pays: interpreter start and
imports, loading and checking the model, reading and validating the Parquet
file, scoring, and writing the flags (CSV with formula neutralisation, or
Parquet). The acceptance bound is 1.5x the baseline.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from _harness import interleaved, machine
from features import OUT, province

import integrity_signals as isig


def model_for(path: Path) -> Path:
    """A model fitted on the province (cached next to it; refitted when unusable)."""
    target = OUT / f"{path.stem}.model.joblib"
    try:
        isig.RiskModel.load(target)
    except isig.ModelFileError:
        data = isig.read_cases(path)
        catalog = pd.read_parquet(path.with_suffix(".catalog.parquet"))
        isig.RiskModel(random_state=0).fit(data, catalog=catalog).save(target)
    return target


def cli(args: list[str]) -> None:
    cmd = [sys.executable, "-m", "integrity_signals.cli", "score", *args, "--quiet"]
    subprocess.run(cmd, check=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    path = province(args.cases)
    model_path = model_for(path)
    data = isig.read_cases(path)
    tmp = Path(tempfile.mkdtemp())
    common = [str(path), "--model", str(model_path)]

    model = isig.RiskModel.load(model_path)

    def python_score():
        # a new frame object each call, so that the model's per-batch cache never hits
        batch = isig.CaseData(data.cases.copy(deep=False), data.rejects, data.n_input)
        model.score(batch)

    times = interleaved(
        {
            "python: model.score(data)": python_score,
            "cli: score --out flags.csv": lambda: cli([*common, "--out", str(tmp / "f.csv")]),
            "cli: score --out flags.parquet": lambda: cli(
                [*common, "--out", str(tmp / "f.parquet")]
            ),
            "cli: score --out flags.csv --entities handler_id,unit_id": lambda: cli(
                [*common, "--out", str(tmp / "g.csv"), "--entities", "handler_id,unit_id"]
            ),
        },
        args.repeats,
    )
    baseline = times["python: model.score(data)"]
    print(f"machine: {machine()}; cases: {args.cases:,}; repeats: {args.repeats} (medians)")
    print(f"baseline: model.score in Python = {baseline:.2f} s")
    print("| step | median s | ratio to model.score |")
    print("| --- | --- | --- |")
    for k, v in times.items():
        print(f"| {k} | {v:.2f} | {v / baseline:.2f}x |")


if __name__ == "__main__":
    main()
