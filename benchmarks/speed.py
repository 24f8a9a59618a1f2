"""Speed and memory of every stage, each in a fresh process, against a bare IsolationForest.

    python benchmarks/speed.py [--cases 100000 1000000 10000000] [--repeats 1]
                               [--stages all] [--dir benchmarks/out]

For each size a simulated province (cached as Parquet in ``--dir``) is read
in a fresh interpreter, and one stage is timed there (imports and reading the
file are not timed; their memory counts, as it does for a user who holds the
data). Peak memory is the process's high-water mark. The baselines run in the
same run, interleaved with the stages:

- ``bare``: scikit-learn's ``IsolationForest`` (100 trees) fit + ``score_samples``
  on the raw fields (duration in days, fee, supplement count), as in
  ``benchmarks/quality.py``; the ratio of the analyst path and of every stage
  is against it;
- ``score_samples``: the same forest's ``score_samples`` alone, the baseline of
  scoring with a saved model.

Stages: ``validate``; ``fit``, ``score``, ``officers``, ``units`` (the last
three with a model saved by ``fit`` and loaded first, untimed); ``analyst``,
the README's path from a DataFrame (``fit``, ``score``, ``score_entities`` for
officers and units, in one process); ``saved``, a saved model in a fresh
process (load it, score the cases and the officers); and, when PyOD is
installed (the ``bench`` extra), its ``IForest``, ``ECOD`` and ``HBOS`` fitted
on our isolation-forest feature matrix (their fit scores the training rows;
HBOS includes numba's compilation, as every new process pays it). Every
figure is a median over ``--repeats`` runs; the model file's size is printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
from pathlib import Path

from _harness import machine, stage
from features import OUT, province

#: Setup of every stage: imports and the cases (and catalog) read from Parquet.
READ = """
import warnings
warnings.simplefilter("ignore")
import numpy as np, pandas as pd, integrity_signals as isig
cases = pd.read_parquet({path!r})
catalog = pd.read_parquet({catalog!r})
"""
RAW = """
from sklearn.ensemble import IsolationForest
took = (cases["completed_at"] - cases["submitted_at"]).dt.total_seconds() / 86_400
x = np.column_stack([took.fillna(took.median()).to_numpy(), cases["fee_charged"].fillna(0).to_numpy(),
                     cases["supplement_requests"].fillna(0).to_numpy(dtype=float)])
"""
LOAD = "model = isig.RiskModel.load({model!r})\n"
MATRIX = """
from integrity_signals.detectors.isolation import _matrix
features = isig.CaseFeatures(catalog=catalog).fit_transform(isig.validate_cases(cases))
x = _matrix(features)
del features
x = np.where(np.isnan(x), np.nanmedian(x, axis=0), x)
"""

#: name: (setup, timed, after, baseline of the ratio)
STAGES = {
    "bare": (RAW, "IsolationForest(n_estimators=100, random_state=0).fit(x).score_samples(x)", "", None),
    "score_samples": (
        RAW + "forest = IsolationForest(n_estimators=100, random_state=0).fit(x)\n",
        "forest.score_samples(x)", "", None,
    ),
    "validate": ("", "isig.validate_cases(cases)", "", "bare"),
    "fit": (
        "", "model = isig.RiskModel(random_state=0).fit(cases, catalog=catalog)",
        "model.save({model!r})", "bare",
    ),
    "score": (LOAD, "model.score(cases)", "", "bare"),
    "officers": (LOAD, "model.score_entities(cases)", "", "bare"),
    "units": (LOAD, "model.score_entities(cases, level='unit_id')", "", "bare"),
    "analyst": (
        "",
        "model = isig.RiskModel(random_state=0).fit(cases, catalog=catalog)\n"
        "flags = model.score(cases)\n"
        "officers = model.score_entities(cases, level='handler_id')\n"
        "units = model.score_entities(cases, level='unit_id')",
        "", "bare",
    ),
    "saved": (
        "",
        LOAD + "flags = model.score(cases)\nofficers = model.score_entities(cases)",
        "", "score_samples",
    ),
    "pyod IForest": (MATRIX + "from pyod.models.iforest import IForest\n", "IForest(random_state=0).fit(x)", "", "bare"),
    "pyod ECOD": (MATRIX + "from pyod.models.ecod import ECOD\n", "ECOD().fit(x)", "", "bare"),
    "pyod HBOS": (MATRIX + "from pyod.models.hbos import HBOS\n", "HBOS().fit(x)", "", "bare"),
}  # fmt: skip
#: Stages that need the model file written by "fit".
NEEDS_MODEL = ("score", "officers", "units", "saved")


def run(n: int, names: list[str], repeats: int, out: Path) -> dict[str, tuple[float, float]]:
    """Median (seconds, peak MB) of each stage at ``n`` cases, stages interleaved per repeat."""
    path = province(n, out=out)
    fmt = {
        "path": str(path),
        "catalog": str(path.with_suffix(".catalog.parquet")),
        "model": str(path.with_suffix(".model.joblib")),
    }
    seconds: dict[str, list[float]] = {k: [] for k in names}
    peaks: dict[str, list[float]] = {k: [] for k in names}
    for _ in range(repeats):
        for name in names:
            setup, timed, after, _ = STAGES[name]
            mb, s = stage(
                READ.format(**fmt) + setup.format(**fmt), timed.format(**fmt), after.format(**fmt)
            )
            seconds[name].append(s)
            peaks[name].append(mb)
    return {k: (statistics.median(seconds[k]), statistics.median(peaks[k])) for k in names}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--stages", default="all", help="comma-separated stage names, or all")
    ap.add_argument("--dir", type=Path, default=OUT, help="where the provinces are cached")
    args = ap.parse_args(argv)
    wanted = list(STAGES) if args.stages == "all" else args.stages.split(",")
    unknown = sorted(set(wanted) - set(STAGES))
    if unknown:
        ap.error(f"unknown stages {unknown}; choose from {list(STAGES)}")
    if importlib.util.find_spec("pyod") is None:
        wanted = [k for k in wanted if not k.startswith("pyod")]
    # the baselines always run; "fit" writes the model the later stages load
    names = list(dict.fromkeys(["bare", "score_samples", *wanted]))
    if any(k in names for k in NEEDS_MODEL) and "fit" not in names:
        names.insert(2, "fit")
    print(f"machine: {machine()}; repeats: {args.repeats}")
    print("| cases | stage | s | ratio | baseline | us per case | peak MB | MB per 1k cases |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in args.cases:
        got = run(n, names, args.repeats, args.dir)
        for name, (s, mb) in got.items():
            base = STAGES[name][3]
            ratio = f"{s / got[base][0]:.2f}x" if base else ""
            print(
                f"| {n:,} | {name} | {s:.2f} | {ratio} | {base or ''} | {s / n * 1e6:.1f} | "
                f"{mb:,.0f} | {mb / n * 1e3:.2f} |",
                flush=True,
            )
        model = province(n, out=args.dir).with_suffix(".model.joblib")
        if model.exists() and "fit" in got:
            print(f"| {n:,} | model file | {model.stat().st_size / 2**20:,.1f} MB | | | | | |")


if __name__ == "__main__":
    main()
