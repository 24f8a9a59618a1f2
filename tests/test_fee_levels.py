"""Fee levels per procedure and period without a catalog: a revision for everyone is a change
of level; one officer's departure from the level in force is an excess."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import integrity_signals as isig
from integrity_signals.features.fee_levels import FeeLevels

REVISION = pd.Timestamp("2025-07-01")


def province(
    *, early_officer: str | None = None, habit: float | None = None, officers: int = 4, seed=0
) -> pd.DataFrame:
    """Daily cases of one procedure by ``officers`` officers; the posted fee goes from 50,000
    to 70,000 on 1 July. ``early_officer`` charges 70,000 from 1 May (two months early);
    ``habit`` is an amount officer cb0 charges on 30 % of its cases all year."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-01-02", "2025-12-30", freq="B")
    n = len(days) * officers
    cases = pd.DataFrame({
        "case_id": [f"c{i}" for i in range(n)],
        "procedure_id": "P",
        "unit_id": "U",
        "handler_id": np.tile([f"cb{k}" for k in range(officers)], len(days)),
        "submitted_at": np.repeat(days, officers) + pd.Timedelta(hours=9),
    })  # fmt: skip
    fee = np.where(cases["submitted_at"] >= REVISION, 70_000.0, 50_000.0)
    if early_officer is not None:
        early = (cases["handler_id"] == early_officer) & (cases["submitted_at"] >= "2025-05-01")
        fee = np.where(early, 70_000.0, fee)
    if habit is not None:
        own = (cases["handler_id"] == "cb0").to_numpy() & (rng.random(n) < 0.3)
        fee = np.where(own, habit, fee)
    cases["fee_charged"] = fee
    return cases


def fees(cases: pd.DataFrame):
    transformer = isig.FeeFeatures()
    return transformer, transformer.fit_transform(cases)


def test_a_revision_applied_by_everyone_is_a_change_of_level_not_an_excess():
    transformer, f = fees(province())
    assert (f["fees__excess_vnd"] == 0).all() and f["fees__reference_learned"].eq(1).all()
    changes = transformer.fee_changes_
    assert len(changes) == 1
    change = changes.iloc[0]
    assert change["procedure_id"] == "P"
    assert change["levels_before"] == [50_000] and change["levels_after"] == [70_000]
    assert change["window_from"] < REVISION <= change["window_to"]
    assert abs(change["date"] - REVISION) <= pd.Timedelta(days=3)


def test_charging_the_new_fee_before_everyone_else_is_an_excess():
    cases = province(early_officer="cb2")
    transformer, f = fees(cases)
    early = (cases["handler_id"] == "cb2") & cases["submitted_at"].between("2025-05-01", REVISION)
    assert (f.loc[early, "fees__excess_vnd"] == 20_000).all()
    assert (f.loc[early, "fees__excess_round"] == 1).all()
    assert (f.loc[~early, "fees__excess_vnd"] <= 0).all()  # the other officers: never
    # the change is dated by everyone's switch, not by the early officer's
    assert abs(transformer.fee_changes_["date"].iloc[0] - REVISION) <= pd.Timedelta(days=3)


def test_the_whole_period_levels_of_a_catalog_fit_miss_that_early_excess():
    cases = province(early_officer="cb2")
    empty = pd.DataFrame({"procedure_id": ["OTHER"], "fee_official": [1.0]})
    f = isig.FeeFeatures(catalog=empty).fit_transform(cases)
    early = (cases["handler_id"] == "cb2") & cases["submitted_at"].between(
        "2025-05-01", "2025-06-27"
    )
    assert (f.loc[early, "fees__excess_vnd"] == 0).all()  # 70,000 is a level of the year


def test_one_officers_frequent_amount_is_never_a_level():
    cases = province(habit=90_000.0)
    transformer, f = fees(cases)
    habit = cases["fee_charged"] == 90_000
    share = habit.mean()
    assert share > 0.05  # frequent enough to be a level by share alone
    assert set(f.loc[habit, "fees__reference"]) == {50_000, 70_000}
    assert (f.loc[~habit, "fees__excess_vnd"] == 0).all()
    assert len(transformer.fee_changes_) == 1


def test_an_amount_that_two_officers_share_is_a_level():
    cases = province(officers=6)
    rng = np.random.default_rng(1)
    twice = cases["handler_id"].isin(["cb1", "cb3"]).to_numpy() & (rng.random(len(cases)) < 0.3)
    cases.loc[twice, "fee_charged"] = 90_000.0  # a legitimate variant, used by two officers
    _, f = fees(cases)
    assert (f.loc[twice, "fees__excess_vnd"] == 0).all()


def test_a_procedure_with_one_officer_learns_its_own_amounts():
    cases = province(officers=1)
    _, f = fees(cases)
    assert (f["fees__excess_vnd"] == 0).all()


def test_coexisting_levels_make_no_change_point_and_a_persistent_level_does_not_hide_one():
    cases = province()
    free = np.arange(len(cases)) % 5 == 0  # exempt cases all year: a level of both periods
    cases.loc[free, "fee_charged"] = 0.0
    transformer, f = fees(cases)
    assert len(transformer.fee_changes_) == 1
    change = transformer.fee_changes_.iloc[0]
    assert change["levels_before"] == [0, 50_000] and change["levels_after"] == [0, 70_000]
    assert (f["fees__excess_vnd"] <= 0).all()


def test_a_later_batch_is_compared_with_the_last_period():
    transformer, _ = fees(province())
    later = province().assign(submitted_at=lambda c: c["submitted_at"] + pd.DateOffset(years=1))
    f = transformer.transform(later.head(40))
    assert (f["fees__reference"] == 70_000).all()
    assert (f["fees__excess_vnd"] == (later.head(40)["fee_charged"] - 70_000)).all()


def test_inside_the_change_window_both_levels_apply():
    t = pd.to_datetime(["2025-01-06", "2025-01-07", "2025-01-08", "2025-01-09", "2025-01-10",
                        "2025-08-04", "2025-08-05", "2025-08-06", "2025-08-07", "2025-08-08"])  # fmt: skip
    levels = FeeLevels(0.05).fit(np.zeros(10, int), np.repeat([50.0, 70.0], 5), t.to_numpy(),
                                 np.tile([0, 1], 5))  # fmt: skip
    when = pd.to_datetime(["2025-04-01", "2025-04-01", "2025-04-01", "2025-08-07"]).to_numpy()
    got = levels.reference(np.zeros(4, int), np.array([40.0, 60.0, 80.0, 60.0]), when)
    assert got.tolist() == [50.0, 50.0, 70.0, 70.0]  # in the window: the nearest of 50 and 70
    # below the amount (the lowest if below both); after it, 70 only
    assert np.isnan(levels.reference(np.array([3, -1]), np.array([1.0, 1.0]), when[:2])).all()


@pytest.mark.parametrize(
    ("level", "unit"),
    [(36.0, 10.0), (8_000.0, 10_000.0), (50_000.0, 10_000.0), (50.0, 10.0), (500.0, 100.0)],
)
def test_a_round_excess_is_measured_on_the_scale_of_the_learned_level(level, unit):
    t = pd.date_range("2025-01-06", periods=8, freq="D").to_numpy()
    levels = FeeLevels(0.05).fit(np.zeros(8, int), np.full(8, level), t, np.tile([0, 1], 4))
    assert levels.round_unit(np.array([0, 5]), 10_000.0).tolist() == [unit, 10_000.0]


def test_fines_raised_by_ten_euros_are_round_excesses():
    cases = province()
    cases["fee_charged"] = np.where(cases["submitted_at"] >= REVISION, 36.0, 35.0)
    cases.loc[3, "fee_charged"] += 10
    cases.loc[7, "fee_charged"] += 1
    _, f = fees(cases)
    assert f.loc[3, "fees__excess_vnd"] == 10 and f.loc[3, "fees__excess_round"] == 1
    assert f.loc[7, "fees__excess_vnd"] == 1 and f.loc[7, "fees__excess_round"] == 0


def test_with_a_catalog_nothing_is_learned_per_period():
    catalog = pd.DataFrame({"procedure_id": ["P"], "fee_official": [50_000.0]})
    transformer = isig.FeeFeatures(catalog=catalog).fit(province())
    assert transformer.periods_ is None and len(transformer.fee_changes_) == 0
    assert list(transformer.fee_changes_.columns)[:4] == [
        "procedure_id", "window_from", "window_to", "date"]  # fmt: skip


def test_no_fees_at_all_learns_nothing():
    cases = province().assign(fee_charged=np.nan)
    transformer, f = fees(cases)
    assert f["fees__reference"].isna().all() and len(transformer.fee_changes_) == 0
