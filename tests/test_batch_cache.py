"""One batch, one evidence: score, score_entities and explain of the same object compute once,
score of the fit batch reuses fit's features and signals, and a dropped batch frees its evidence."""

from __future__ import annotations

import gc
import weakref

import pandas as pd
import pytest

import integrity_signals as isig
from integrity_signals import model as model_module
from integrity_signals.features import CaseFeatures

pytestmark = pytest.mark.filterwarnings("ignore::integrity_signals.model.FlagRateWarning")


@pytest.fixture(scope="module")
def sim():
    return isig.simulate(6_000, random_state=1, officers_per_scheme=1)


@pytest.fixture
def counted(monkeypatch):
    """Counts of evidence builds and of feature transforms."""
    calls = {"evidence": 0, "transform": 0}
    build, transform = model_module.build_evidence, CaseFeatures.transform

    def counting_build(*args, **kwargs):
        calls["evidence"] += 1
        return build(*args, **kwargs)

    def counting_transform(self, X):
        calls["transform"] += 1
        return transform(self, X)

    monkeypatch.setattr(model_module, "build_evidence", counting_build)
    monkeypatch.setattr(CaseFeatures, "transform", counting_transform)
    return calls


@pytest.mark.parametrize("as_case_data", [False, True], ids=["DataFrame", "CaseData"])
def test_one_batch_is_scored_once(sim, counted, as_case_data):
    data = isig.validate_cases(sim.cases) if as_case_data else sim.cases.copy()
    model = isig.RiskModel(random_state=0).fit(data, catalog=sim.catalog)
    transforms_in_fit = counted["transform"]
    flags = model.score(data)
    model.score_entities(data)
    model.score_entities(data, level="unit_id")
    model.explain(flags["case_id"].iloc[0])
    model.explain(flags["case_id"].iloc[0], data)
    assert counted["evidence"] == 1
    assert counted["transform"] == transforms_in_fit  # fit's features were reused


def test_scoring_the_fit_batch_equals_scoring_a_copy(sim):
    data = sim.cases.copy()
    model = isig.RiskModel(random_state=0).fit(data, catalog=sim.catalog)
    reused = model.score(data), model.score_entities(data)  # from fit's features and signals
    fresh = model.score(data.copy()), model.score_entities(data.copy())  # computed anew
    for a, b in zip(reused, fresh, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_an_equal_but_new_frame_is_a_new_batch(sim, counted):
    model = isig.RiskModel(random_state=0).fit(sim.cases, catalog=sim.catalog)
    batch = sim.cases.iloc[:3000]
    model.score(batch)
    model.score(batch.copy())
    assert counted["evidence"] == 2


def test_a_dropped_batch_frees_its_evidence(sim):
    model = isig.RiskModel(random_state=0).fit(sim.cases, catalog=sim.catalog)
    batch = sim.cases.iloc[:3000].copy()
    model.score(batch)
    evidence = weakref.ref(model._cache.evidence)
    del batch
    gc.collect()
    assert evidence() is None
    with pytest.raises(ValueError, match=r"explain\(case_id\) needs the batch"):
        model.explain("HS000001")


def test_a_new_batch_replaces_the_last_one(sim):
    model = isig.RiskModel(random_state=0).fit(sim.cases, catalog=sim.catalog)
    first, second = sim.cases.iloc[:3000].copy(), sim.cases.iloc[3000:].copy()
    model.score(first)
    evidence = weakref.ref(model._cache.evidence)
    model.score(second)
    assert evidence() is None  # released although the first batch is still held
