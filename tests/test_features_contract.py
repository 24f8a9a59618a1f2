"""Contract checks run over every feature transformer (the house's tests/test_common)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from integrity_signals.features import CaseFeatures, FeeFeatures, HandlerFeatures, TimingFeatures
from integrity_signals.simulation import simulate

TRANSFORMERS = [TimingFeatures, FeeFeatures, HandlerFeatures, CaseFeatures]


@pytest.fixture(scope="module")
def sim():
    return simulate(4_000, random_state=7)


@pytest.fixture(scope="module")
def cases(sim):
    return sim.cases


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_clone_and_params(cls):
    t = cls()
    assert clone(t).get_params() == t.get_params()
    with pytest.raises(NotFittedError, match=f"This {cls.__name__} instance is not fitted yet"):
        t.transform(pd.DataFrame())


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_names_index_sources_and_dtypes(cls, cases):
    shuffled = cases.sample(frac=1.0, random_state=1)
    shuffled.index = shuffled.index * 10 + 3  # any index is kept
    t = cls().fit(shuffled)
    out = t.transform(shuffled)
    names = t.get_feature_names_out()
    assert list(out.columns) == list(names)
    assert all(n.split("__")[0] in {"timing", "fees", "handlers"} for n in names)
    assert out.index.equals(shuffled.index)
    assert all(out[c].dtype == np.float64 for c in out.columns)
    assert set(t.feature_sources_) == set(names)
    known_inputs = set(cases.columns) | {"catalog"}
    assert all(set(src) <= known_inputs for src in t.feature_sources_.values())
    for feature, indicators in t.na_indicators_.items():  # every NaN is explained by an indicator
        assert set(indicators) <= set(out.columns)
        explained = out[indicators].eq(1).any(axis=1)
        assert not (out[feature].isna() & ~explained).any(), feature


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_row_order_does_not_change_features(cls, cases):
    t = cls().fit(cases)
    a = t.transform(cases).set_index(cases["case_id"])
    order = np.random.default_rng(0).permutation(len(cases))
    shuffled = cases.iloc[order]
    b = cls().fit(shuffled).transform(shuffled).set_index(shuffled["case_id"])
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index(), check_exact=False, rtol=1e-10)


@pytest.mark.parametrize("cls", TRANSFORMERS)
def test_later_batch_uses_fitted_baselines(cls, cases):
    months = cases["submitted_at"].dt.month
    train, later = cases[months <= 9], cases[months > 9]
    t = cls().fit(train)
    before = {k: v for k, v in t.__dict__.items() if k.endswith("_")}
    out = t.transform(later)
    assert len(out) == len(later)
    after = {k: v for k, v in t.__dict__.items() if k.endswith("_")}
    assert before.keys() == after.keys()  # transform does not refit
    if cls in (TimingFeatures, CaseFeatures):
        # the peer median of a later case is the one learned from the training months
        full = TimingFeatures().fit(train).transform(later)["timing__peer_median_wd"]
        refit = TimingFeatures().fit(later).transform(later)["timing__peer_median_wd"]
        assert np.allclose(out["timing__peer_median_wd"], full, equal_nan=True)
        assert not np.allclose(full, refit, equal_nan=True)


def test_missing_optional_columns_are_not_applicable_not_zero(cases):
    bare = cases.drop(columns=["applicant_id", "receiver_id", "supplement_requests", "fee_charged"])
    t = CaseFeatures().fit(bare)
    out = t.transform(bare)
    assert out["handlers__applicant_na"].eq(1).all() and out["handlers__pair_p"].isna().all()
    assert (
        out["handlers__receiver_na"].eq(1).all()
        and out["handlers__receiver_is_handler"].isna().all()
    )
    assert out["timing__supplements_na"].eq(1).all() and out["timing__supplements_p"].isna().all()
    assert out["fees__fee_na"].eq(1).all() and out["fees__excess_p"].isna().all()
    assert t.coverage_["handlers__pair_p"] == "not applicable: no applicant_id"
    assert t.coverage_["fees__excess_vnd"] == "not applicable: no fee_charged"
    assert t.coverage_["timing__fast_p"] == "ok"


def test_fit_rejects_invalid_frames_and_parameters(cases):
    bad = cases.head(20).copy()
    bad.loc[bad.index[0], "handler_id"] = None
    with pytest.raises(
        Exception, match="1 of 20 rows passed to CaseFeatures break the data contract"
    ):
        CaseFeatures().fit(bad)
    with pytest.raises(
        ValueError, match="The 'shrinkage' parameter of TimingFeatures must be a number >= 0"
    ):
        TimingFeatures(shrinkage=-1).fit(cases)
    with pytest.raises(
        ValueError, match="The 'top_k' parameter of HandlerFeatures must be an int >= 1"
    ):
        HandlerFeatures(top_k=0).fit(cases)
    with pytest.raises(ValueError, match="The 'level_share' parameter of FeeFeatures"):
        FeeFeatures(level_share=2).fit(cases)
    with pytest.raises(
        ValueError, match="The 'calendar' parameter of TimingFeatures must be a WorkCalendar"
    ):
        TimingFeatures(calendar="VN").fit(cases)
