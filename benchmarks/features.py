"""Feature extraction on a simulated province: CaseFeatures fit and transform.

    python benchmarks/features.py [--cases 1000000] [--repeats 3]

The baseline in the same run is one pass of `pandas.factorize` over the four
id columns plus a group-by median of the raw duration: the cheapest honest
"features" one could compute, to read the ratio against on a noisy machine.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from _harness import interleaved, machine, peak_mb

OUT = Path(__file__).parent / "out"


def province(n: int, seed: int = 0, out: Path = OUT) -> Path:
    """A cached simulated province (Parquet) with its catalog."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"province_{n}_{seed}.parquet"
    if not path.exists():
        from integrity_signals.simulation import simulate

        sim = simulate(n, random_state=seed)
        sim.cases.to_parquet(path)
        sim.catalog.to_parquet(path.with_suffix(".catalog.parquet"))
        sim.truth.to_parquet(path.with_suffix(".truth.parquet"))
        sim.entity_truth.to_parquet(path.with_suffix(".entities.parquet"))
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    path = province(args.cases)
    import integrity_signals as isig
    from integrity_signals.features import CaseFeatures

    cases = pd.read_parquet(path)
    catalog = pd.read_parquet(path.with_suffix(".catalog.parquet"))
    data = isig.validate_cases(cases)
    assert data.n_rejected == 0

    def baseline():
        for col in ("procedure_id", "unit_id", "handler_id", "applicant_id"):
            pd.factorize(cases[col])
        took = (cases["completed_at"] - cases["submitted_at"]).dt.total_seconds()
        took.groupby([cases["procedure_id"], cases["unit_id"]], observed=True).transform("median")

    model = CaseFeatures(catalog=catalog).fit(data)
    times = interleaved(
        {
            "baseline": baseline,
            "fit_transform (extraction on the reference data)": lambda: CaseFeatures(
                catalog=catalog
            ).fit_transform(data),
            "transform (a fitted model on a batch)": lambda: model.transform(data),
        },
        args.repeats,
    )
    code = (
        "import pandas as pd, integrity_signals as isig\n"
        "from integrity_signals.features import CaseFeatures\n"
        f"cases = pd.read_parquet({str(path)!r}); cat = pd.read_parquet({str(path.with_suffix('.catalog.parquet'))!r})\n"
        "data = isig.CaseData(cases, isig.validate_cases(cases.head(0)).rejects, len(cases))\n"
        "import resource; base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "CaseFeatures(catalog=cat).fit_transform(data)\n"
    )
    load_only = peak_mb(
        f"import pandas as pd, integrity_signals as isig\ncases = pd.read_parquet({str(path)!r})\n"
    )[0]
    peak = peak_mb(code)[0]
    n_features = len(model.get_feature_names_out())
    print(f"machine: {machine()}; cases: {args.cases:,}; features: {n_features}")
    print("| step | median s | ratio to baseline |")
    print("| --- | --- | --- |")
    for k, v in times.items():
        print(f"| {k} | {v:.2f} | {v / times['baseline']:.1f}x |")
    print(
        f"peak resident memory: {peak:.0f} MB for fit_transform (reading the cases alone: {load_only:.0f} MB)"
    )


if __name__ == "__main__":
    main()
