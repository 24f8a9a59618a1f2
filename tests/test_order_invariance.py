"""The same dossiers give byte-identical answers whatever the row order, the index, an unrelated
column, a duplicated row or the file's encoding: `score`, `score_entities` and the report's
tables, fitted or scored (hypothesis over a simulated province)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import integrity_signals as isig
from _fuzzing import count_example, examples
from integrity_signals.features import CaseFeatures


@pytest.fixture(scope="module")
def province():
    sim = isig.simulate(n_cases=3_000, random_state=3, officers_per_scheme=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the small province's flag-rate warning
        model = isig.RiskModel(random_state=0, n_estimators=30).fit(sim.cases, catalog=sim.catalog)
        tables = _tables(model, sim.cases)
    return sim, model, tables


def _tables(model, cases) -> dict[str, bytes]:
    """Every table a user gets, as the bytes of its CSV: the flags, the officers, the units
    and the report's plan."""
    if not isinstance(cases, isig.CaseData):
        cases = isig.validate_cases(cases)  # validated once: the three tables share the evidence
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flags = model.score(cases)
        officers = model.score_entities(cases, level="handler_id")
        units = model.score_entities(cases, level="unit_id", lang="vi")
    plan = isig.plan_inspections(officers, budget=5, random_share=0.2, random_state=0, flags=flags)
    out = {"flags": flags, "officers": officers, "units": units, "plan": plan}
    return {k: v.to_csv(index=False).encode() for k, v in out.items()}


variants = st.fixed_dictionaries({
    "seed": st.integers(0, 2**32 - 1),
    "index": st.sampled_from(["range", "shuffled", "strings", "reversed"]),
    "extra": st.booleans(),
    "duplicate": st.booleans(),
})  # fmt: skip


def _variant(cases: pd.DataFrame, v: dict) -> pd.DataFrame:
    """The same dossiers in another order, on another index, maybe with an unrelated column and
    an exact repeat of one row."""
    rng = np.random.default_rng(v["seed"])
    out = cases.iloc[rng.permutation(len(cases))]
    if v["index"] == "shuffled":
        out.index = rng.permutation(len(out)) * 7 + 100
    elif v["index"] == "strings":
        out.index = [f"r{i}" for i in rng.permutation(len(out))]
    elif v["index"] == "reversed":
        out = out.reset_index(drop=True).iloc[::-1]
    else:
        out = out.reset_index(drop=True)
    if v["extra"]:
        out = out.assign(ghi_chu=rng.choice(["", "gọi lại", "khẩn"], len(out)))
    return out


@examples(6)
@given(variants)
def test_scoring_the_same_dossiers_in_any_order_gives_identical_bytes(province, v):
    count_example("property: scored in another order")
    sim, model, expected = province
    batch = _variant(sim.cases, v)
    if v["duplicate"]:  # an exact repeat of a row is quarantined: the valid rows are the same
        batch = isig.validate_cases(pd.concat([batch, batch.iloc[[0]]]))
        assert batch.n_rejected == 1 and len(batch.cases) == len(sim.cases)
    assert _tables(model, batch) == expected


@examples(2)
@given(variants)
def test_fitting_on_the_same_dossiers_in_any_order_gives_identical_bytes(province, v):
    count_example("property: fitted in another order")
    sim, _, expected = province
    batch = _variant(sim.cases, v)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = isig.RiskModel(random_state=0, n_estimators=30).fit(batch, catalog=sim.catalog)
    assert _tables(model, sim.cases) == expected


def test_the_features_alone_do_not_depend_on_the_row_order(province):
    """The issue's finding in features: fast_p / slow_p and pair_x_fast moved with the order."""
    sim, _, _ = province
    order = np.random.default_rng(1).permutation(len(sim.cases))
    a = CaseFeatures(catalog=sim.catalog).fit_transform(sim.cases)
    b = CaseFeatures(catalog=sim.catalog).fit(sim.cases.iloc[order]).transform(sim.cases)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_a_re_encoded_file_gives_identical_bytes(province, tmp_path):
    count_example("property: re-encoded file")
    sim, model, expected = province
    frame = sim.cases.assign(
        submitted_at=sim.cases["submitted_at"].dt.strftime("%d/%m/%Y %H:%M:%S"),
        completed_at=sim.cases["completed_at"].dt.strftime("%d/%m/%Y %H:%M:%S"),
        due_at=sim.cases["due_at"].dt.strftime("%d/%m/%Y %H:%M:%S"),
    )
    read = []
    for encoding, sep in (("utf-8", ","), ("utf-16", "\t"), ("utf-8-sig", ";")):
        path = tmp_path / f"cases-{encoding}.csv"
        frame.to_csv(path, index=False, encoding=encoding, sep=sep)
        read.append(isig.read_cases(path))
    for data in read:
        assert _tables(model, data) == expected
