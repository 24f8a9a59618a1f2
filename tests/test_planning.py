"""Inspection plans: selection, caps, random share, inclusion probabilities, the estimator."""

from __future__ import annotations

import io
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from integrity_signals.exceptions import IntegritySignalsWarning, SchemaError
from integrity_signals.planning import (
    MIN_RANDOM_PICKS,
    inclusion_probabilities,
    plan_dossiers,
    plan_inspections,
    random_picks_advice,
)
from integrity_signals.planning.estimation import _wilson_interval, estimate_problem_rate

# Most tests plan small budgets on purpose; the warning that their random part is too small
# for an estimate has its own tests.
pytestmark = pytest.mark.filterwarnings("ignore:.*too few for a useful estimate")


def officers(n: int = 20, n_units: int = 4, seed: int = 0) -> pd.DataFrame:
    """An entity frame as RiskModel.score_entities(level="handler_id") returns it."""
    rng = np.random.default_rng(seed)
    score = rng.permutation(np.linspace(0.05, 0.95, n))
    return pd.DataFrame(
        {
            "handler_id": [f"cb{i:03d}" for i in range(n)],
            "unit_id": [f"P{i % n_units}" for i in range(n)],
            "risk_score": score,
            "rank": pd.Series(score).rank(ascending=False, method="first").astype(int),
            "flagged": score > 0.7,
            "n_cases": rng.integers(5, 200, n),
            "money_at_stake": np.where(np.arange(n) % 5 == 0, np.nan, rng.integers(0, 10**7, n)),
            "reasons": [f"reason {i}; another" for i in range(n)],
            "family__timing": rng.random(n),
        }
    )


def case_flags(entities: pd.DataFrame, per_entity: int = 7, seed: int = 0) -> pd.DataFrame:
    """A case frame as RiskModel.score returns it, ``per_entity`` cases per officer."""
    rng = np.random.default_rng(seed)
    ids = np.repeat(entities["handler_id"].to_numpy(), per_entity)
    n = len(ids)
    return pd.DataFrame(
        {
            "case_id": [f"HS{i:04d}" for i in range(n)],
            "handler_id": ids,
            "unit_id": np.repeat(entities["unit_id"].to_numpy(), per_entity),
            "risk_score": rng.random(n).round(2),
            "rank": np.arange(1, n + 1),
            "flagged": False,
            "reasons": [f"why {i}" if i % 3 else "" for i in range(n)],
        }
    )


def greedy_risk(df: pd.DataFrame, n_risk: int, cap: int | None) -> list[str]:
    """Reference: walk the risk order, skip full units, stop when the risk slots are filled."""
    order = df.sort_values(["risk_score", "handler_id"], ascending=[False, True])
    taken: list[str] = []
    per_unit: Counter = Counter()
    for row in order.itertuples():
        if len(taken) == n_risk:
            break
        if cap is None or per_unit[row.unit_id] < cap:
            taken.append(row.handler_id)
            per_unit[row.unit_id] += 1
    return taken


# --------------------------------------------------------------------------- selection


def test_plan_takes_the_riskiest_then_a_random_share():
    df = officers()
    plan = plan_inspections(df, budget=10, random_share=0.2, random_state=0)
    assert len(plan) == 10
    assert plan["handler_id"].is_unique
    risk = plan[plan["selected_by"] == "risk"]
    assert risk["handler_id"].tolist() == greedy_risk(df, 8, None)
    assert plan["selected_by"].tolist() == ["risk"] * 8 + ["random"] * 2
    assert not set(plan.loc[plan["selected_by"] == "random", "handler_id"]) & set(
        risk["handler_id"]
    )
    assert isinstance(plan.index, pd.RangeIndex)


def test_plan_columns_and_values_come_from_the_entity_row():
    df = officers()
    flags = case_flags(df)
    plan = plan_inspections(df, budget=5, random_share=0.2, random_state=1, flags=flags)
    assert plan.columns.tolist() == [
        "handler_id",
        "unit_id",
        "selected_by",
        "risk_score",
        "rank",
        "flagged",
        "n_cases",
        "money_at_stake",
        "reasons",
        "dossiers",
        "dossier_reasons",
        "inclusion_probability",
    ]
    merged = plan.merge(df, on="handler_id", suffixes=("", "_in"))
    for column in ["unit_id", "risk_score", "rank", "flagged", "n_cases", "reasons"]:
        assert merged[column].tolist() == merged[f"{column}_in"].tolist()
    pd.testing.assert_series_equal(
        merged["money_at_stake"], merged["money_at_stake_in"], check_names=False
    )


def test_unit_level_is_detected_and_has_no_repeated_unit_column():
    units = pd.DataFrame({"unit_id": ["P1", "P2", "P3"], "risk_score": [0.1, 0.9, 0.5]})
    plan = plan_inspections(units, budget=2, random_share=0, max_per_unit=1)
    assert plan.columns.tolist() == [
        "unit_id",
        "selected_by",
        "risk_score",
        "inclusion_probability",
    ]
    assert plan["unit_id"].tolist() == ["P2", "P3"]
    assert plan.attrs["design"]["level"] == "unit_id"


def test_handler_level_wins_detection_and_level_can_be_named():
    df = officers(6)
    assert plan_inspections(df, budget=2, random_share=0).attrs["design"]["level"] == "handler_id"
    df = df.rename(columns={"handler_id": "receiver_id"})
    plan = plan_inspections(df, budget=2, random_share=0, level="receiver_id")
    assert plan.columns[0] == "receiver_id"
    assert plan["receiver_id"].is_unique


@pytest.mark.parametrize(
    ("budget", "share", "n_random"),
    [(10, 0.1, 1), (25, 0.1, 3), (5, 0.5, 3), (4, 0.3, 1), (7, 0.0, 0), (7, 1.0, 7), (20, 1, 20)],
)
def test_random_slots_are_the_share_rounded_half_up(budget, share, n_random):
    plan = plan_inspections(officers(30), budget=budget, random_share=share, random_state=0)
    assert (plan["selected_by"] == "random").sum() == n_random
    assert plan.attrs["design"]["n_random"] == n_random
    assert len(plan) == budget


def test_ties_are_broken_by_entity_id_and_missing_scores_rank_last():
    df = pd.DataFrame(
        {
            "handler_id": ["d", "b", "c", "a", "e"],
            "risk_score": [0.5, 0.5, np.nan, 0.5, 0.1],
        }
    )
    plan = plan_inspections(df, budget=5, random_share=0)
    assert plan["handler_id"].tolist() == ["a", "b", "d", "e", "c"]


def test_plan_is_deterministic_and_independent_of_row_order(seed):
    df = officers(40)
    flags = case_flags(df)
    kwargs = {"budget": 12, "random_share": 0.5, "max_per_unit": 3, "flags": flags}
    plan = plan_inspections(df, random_state=seed, **kwargs)
    again = plan_inspections(df, random_state=seed, **kwargs)
    shuffled = plan_inspections(
        df.sample(frac=1, random_state=7), random_state=seed, **kwargs | {"flags": flags[::-1]}
    )
    pd.testing.assert_frame_equal(plan, again)
    pd.testing.assert_frame_equal(plan, shuffled)
    assert plan.attrs == again.attrs == shuffled.attrs


def test_other_seeds_draw_other_random_entities():
    df = officers(40)
    draws = {
        tuple(plan_inspections(df, 10, 0.5, random_state=s).loc[5:, "handler_id"]) for s in range(5)
    }
    assert len(draws) > 1


def test_a_generator_is_accepted_as_random_state():
    df = officers(40)
    plan = plan_inspections(df, 10, 0.5, random_state=np.random.default_rng(3))
    pd.testing.assert_frame_equal(plan, plan_inspections(df, 10, 0.5, random_state=3))
    assert isinstance(plan.attrs["design"]["random_state"], str)
    assert (
        plan_inspections(df, 10, 0.5, random_state=np.int64(3)).attrs["design"]["random_state"] == 3
    )


# --------------------------------------------------------------------------- caps


@pytest.mark.parametrize("cap", [1, 2, 3])
def test_caps_limit_risk_selected_entities_per_unit(cap):
    df = officers(40, n_units=8)
    plan = plan_inspections(df, budget=10, random_share=0.2, max_per_unit=cap, random_state=0)
    risk = plan[plan["selected_by"] == "risk"]
    assert risk["unit_id"].value_counts().max() <= cap
    assert risk["handler_id"].tolist() == greedy_risk(df, 8, cap)


def test_caps_too_tight_move_unused_slots_to_the_random_draw():
    df = officers(20, n_units=3)
    with pytest.warns(UserWarning, match=r"leaves 3 entities eligible for the 9 risk slots; the 6"):
        plan = plan_inspections(df, budget=10, random_share=0.1, max_per_unit=1, random_state=0)
    assert len(plan) == 10
    assert (plan["selected_by"] == "risk").sum() == 3
    design = plan.attrs["design"]
    assert (design["n_random"], design["n_random_requested"], design["n_rest"]) == (7, 1, 17)
    assert np.allclose(plan.loc[plan["selected_by"] == "random", "inclusion_probability"], 7 / 17)


def test_caps_do_not_apply_to_the_random_part():
    df = officers(12, n_units=2)
    with pytest.warns(UserWarning, match="unused slots were added to the random draw"):
        plan = plan_inspections(df, budget=12, random_share=0.5, max_per_unit=1, random_state=0)
    assert (plan["selected_by"] == "risk").sum() == 2
    assert set(plan["handler_id"]) == set(df["handler_id"])


# --------------------------------------------------------------------------- probabilities


@pytest.mark.parametrize(
    ("budget", "share", "cap"),
    [(10, 0.1, None), (10, 0.5, 2), (7, 0.0, None), (9, 1.0, None), (40, 0.2, 1), (13, 0.3, 1)],
)
def test_inclusion_probabilities_sum_to_the_budget(budget, share, cap):
    df = officers(40, n_units=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        plan = plan_inspections(df, budget, share, max_per_unit=cap, random_state=0)
    probs = inclusion_probabilities(df, plan)
    assert probs.sum() == pytest.approx(budget)
    assert probs.index.tolist() == df["handler_id"].tolist()
    assert probs.name == "inclusion_probability"
    design = plan.attrs["design"]
    assert design["n_risk"] + design["n_rest"] == design["n_entities"] == len(df)
    on_plan = probs.loc[plan["handler_id"]].to_numpy()
    assert np.allclose(on_plan, plan["inclusion_probability"])
    risk_ids = plan.loc[plan["selected_by"] == "risk", "handler_id"]
    assert (probs.loc[risk_ids] == 1).all()
    rest = probs.drop(risk_ids)
    if len(rest):
        assert np.allclose(rest, design["n_random"] / design["n_rest"])


def test_random_draw_matches_its_inclusion_probabilities():
    df = officers(20)
    runs = 800
    counts = Counter()
    for s in range(runs):
        plan = plan_inspections(df, budget=6, random_share=0.5, random_state=s)
        counts.update(plan.loc[plan["selected_by"] == "random", "handler_id"])
    probs = inclusion_probabilities(df, plan)
    rest = probs[probs < 1]
    assert len(rest) == 17
    share = pd.Series(counts).reindex(rest.index, fill_value=0) / runs
    assert np.abs(share - 3 / 17).max() < 0.06  # about 4 standard errors


def test_inclusion_probabilities_work_on_a_plan_read_back_from_csv():
    df = officers(30)
    plan = plan_inspections(df, budget=8, random_share=0.5, random_state=0)
    back = pd.read_csv(io.StringIO(plan.to_csv(index=False)))
    assert back.attrs == {}
    pd.testing.assert_series_equal(
        inclusion_probabilities(df, back), inclusion_probabilities(df, plan)
    )


def test_budget_equal_to_the_population_selects_everyone():
    df = officers(10)
    plan = plan_inspections(df, budget=10, random_share=0.3, random_state=0)
    assert set(plan["handler_id"]) == set(df["handler_id"])
    assert (plan["inclusion_probability"] == 1).all()


def test_share_rounding_to_no_random_slot_warns():
    with pytest.warns(UserWarning, match=r"random_share=0.1 of budget=4 rounds to 0 random slots"):
        plan = plan_inspections(officers(), budget=4)
    assert (plan["selected_by"] == "risk").all()


def test_too_few_random_picks_for_an_estimate_warn_and_say_how_many_would_do():
    with pytest.warns(IntegritySignalsWarning) as caught:
        plan_inspections(officers(67), budget=10, random_share=0.1, random_state=0)
    (warning,) = [w.message for w in caught]
    assert str(warning) == (
        "random_share=0.1 of budget=10 draws 1 at random: too few for a useful estimate of the "
        "problem rate (its interval stays wide whatever the inspectors find). 5 random picks "
        "would: random_share=0.45 at budget=10 or budget=45 at random_share=0.1."
    )
    assert warning.code == "few_random_picks"
    assert warning.params | {"random_share": 0.1} == {
        "budget": 10, "random_share": 0.1, "n_random": 1, "needed": MIN_RANDOM_PICKS,
        "share_needed": 0.45, "budget_needed": 45,
    }  # fmt: skip
    # the advice holds: either fix draws enough
    for kwargs in ({"budget": 10, "random_share": 0.45}, {"budget": 45, "random_share": 0.1}):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            plan = plan_inspections(officers(67), random_state=0, **kwargs)
        assert (plan["selected_by"] == "random").sum() == MIN_RANDOM_PICKS


@pytest.mark.parametrize(
    ("n", "budget", "share"),
    [(67, 10, 0.0), (67, 10, 0.5), (8, 8, 0.3), (4, 3, 0.5)],
    ids=["no random part", "enough", "random part takes every other entity", "too few to ever"],
)
def test_no_warning_when_the_random_part_is_enough_or_cannot_be(n, budget, share):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plan_inspections(officers(n), budget=budget, random_share=share, random_state=0)


def test_random_picks_advice_spells_out_the_smallest_fix():
    assert random_picks_advice(10, 0.1, 67) == {
        "n_random": 1, "needed": 5, "random_share": 0.45, "budget": 45}  # fmt: skip
    assert random_picks_advice(3, 0.1, 67)["random_share"] is None  # no share of 3 draws 5
    assert random_picks_advice(10, 0.1, 30)["budget"] is None  # no budget within 30 entities
    assert random_picks_advice(20, 0.25, 67) is None


# --------------------------------------------------------------------------- dossiers


def test_dossiers_are_each_entitys_riskiest_cases():
    df = officers(10)
    flags = case_flags(df, per_entity=7)
    flags = flags[flags["handler_id"] != df.loc[df["risk_score"].idxmax(), "handler_id"]]
    plan = plan_inspections(df, budget=4, random_share=0.25, random_state=0, flags=flags)
    long = plan_dossiers(plan, flags, n_dossiers=3)
    assert long.columns.tolist() == [
        "handler_id",
        "dossier_rank",
        "case_id",
        "risk_score",
        "reasons",
        "selected_by",
    ]
    assert plan.loc[0, "dossiers"] == "" == plan.loc[0, "dossier_reasons"]  # no cases in flags
    for row in plan.iloc[1:].itertuples():
        cases = flags[flags["handler_id"] == row.handler_id].sort_values(
            ["risk_score", "case_id"], ascending=[False, True]
        )
        assert row.dossiers == ", ".join(cases["case_id"].head(5))
        items = [
            f"{c}: {r}" if r else c for c, r in zip(cases["case_id"], cases["reasons"], strict=True)
        ]
        assert row.dossier_reasons == " | ".join(items[:5])
        mine = long[long["handler_id"] == row.handler_id]
        assert mine["case_id"].tolist() == cases["case_id"].head(3).tolist()
        assert mine["dossier_rank"].tolist() == [1, 2, 3]
        assert (mine["selected_by"] == row.selected_by).all()
    assert long["handler_id"].unique().tolist() == plan["handler_id"].iloc[1:].tolist()


def test_dossier_ties_are_broken_by_case_id():
    units = pd.DataFrame({"unit_id": ["P1"], "risk_score": [1.0]})
    flags = pd.DataFrame(
        {
            "case_id": ["HS3", "HS1", "HS2"],
            "unit_id": "P1",
            "risk_score": [0.5, 0.5, np.nan],
            "reasons": ["c", "a", "b"],
        }
    )
    plan = plan_inspections(units, budget=1, random_share=0, flags=flags)
    assert plan.loc[0, "dossiers"] == "HS1, HS3, HS2"
    assert plan.loc[0, "dossier_reasons"] == "HS1: a | HS3: c | HS2: b"


# --------------------------------------------------------------------------- estimator


def small_plan():
    """10 units, 4 risk-selected (P0..P3), 2 random from the other 6."""
    units = pd.DataFrame(
        {"unit_id": [f"P{i}" for i in range(10)], "risk_score": np.linspace(1, 0.1, 10)}
    )
    return plan_inspections(units, budget=6, random_share=1 / 3, random_state=0)


def test_estimate_combines_the_census_and_the_random_sample():
    plan = small_plan()
    risk_ids = plan.loc[plan["selected_by"] == "risk", "unit_id"].tolist()
    random_ids = plan.loc[plan["selected_by"] == "random", "unit_id"].tolist()
    outcomes = {i: i in risk_ids[:3] for i in risk_ids} | {random_ids[0]: 1, random_ids[1]: 0}
    est = estimate_problem_rate(plan, outcomes | {"P99": True}, confidence=0.9)
    assert (est.n_risk, est.risk_found, est.n_random, est.random_found) == (4, 3, 2, 1)
    assert (est.n_entities, est.n_rest) == (10, 6)
    assert est.risk_rate == 0.75
    assert est.random_rate == 0.5
    assert est.count == pytest.approx(3 + 1 * 6 / 2)
    assert est.rate == pytest.approx(0.6)
    low, high = _wilson_interval(1, 2, 6, 0.9)
    assert (est.ci_low, est.ci_high) == pytest.approx(((3 + 6 * low) / 10, (3 + 6 * high) / 10))
    assert est.ci_low < est.rate < est.ci_high
    assert est.confidence == 0.9


def test_estimate_accepts_a_series_and_a_plan_read_back_from_csv():
    plan = small_plan()
    outcomes = pd.Series(np.arange(len(plan)) % 2, index=plan["unit_id"])
    back = pd.read_csv(io.StringIO(plan.to_csv(index=False)))
    assert estimate_problem_rate(back, outcomes) == estimate_problem_rate(plan, outcomes)


def test_wilson_interval_matches_scipy_without_and_narrows_with_the_correction():
    for k, n in [(0, 10), (3, 20), (20, 20), (7, 50)]:
        expected = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
        got = _wilson_interval(k, n, 10**12, 0.95)
        assert got == pytest.approx((expected.low, expected.high), rel=1e-6, abs=1e-9)
        low, high = _wilson_interval(k, n, 2 * n, 0.95)
        assert expected.low <= low and high <= expected.high
        assert _wilson_interval(k, n, n, 0.95) == (k / n, k / n)


def test_a_complete_census_is_exact():
    units = pd.DataFrame({"unit_id": ["P1", "P2", "P3", "P4"], "risk_score": [4, 3, 2, 1]})
    plan = plan_inspections(units, budget=4, random_share=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = estimate_problem_rate(plan, {"P1": True, "P2": True, "P3": False, "P4": False})
    assert (est.rate, est.ci_low, est.ci_high, est.count) == (0.5, 0.5, 0.5, 2.0)
    assert np.isnan(est.random_rate)


def test_without_random_slots_only_the_risk_rate_is_estimable():
    df = officers(10)
    plan = plan_inspections(df, budget=4, random_share=0)
    outcomes = dict.fromkeys(plan["handler_id"], True)
    with pytest.warns(UserWarning, match="no random slots"):
        est = estimate_problem_rate(plan, outcomes)
    assert est.risk_rate == 1.0
    assert all(np.isnan([est.rate, est.count, est.ci_low, est.ci_high, est.random_rate]))


def test_all_random_plans_have_no_risk_rate():
    plan = plan_inspections(officers(10), budget=5, random_share=1, random_state=0)
    est = estimate_problem_rate(plan, dict.fromkeys(plan["handler_id"], False))
    assert np.isnan(est.risk_rate)
    assert (est.rate, est.random_rate, est.ci_low) == (0.0, 0.0, 0.0)
    assert 0 < est.ci_high < 1


def test_estimate_is_unbiased_and_its_interval_covers_the_truth():
    """Simulation: 500 entities, problems more likely at high scores, 400 plans."""
    rng = np.random.default_rng(20251001)
    n = 500
    score = rng.random(n)
    problem = rng.random(n) < 0.02 + 0.4 * score**4
    population = pd.DataFrame(
        {
            "handler_id": [f"cb{i:03d}" for i in range(n)],
            "unit_id": [f"P{i % 25}" for i in range(n)],
            "risk_score": score,
        }
    )
    truth = problem.mean()
    outcome_of = pd.Series(problem, index=population["handler_id"])
    rates, covered, naive, risk_rates, random_rates = [], [], [], [], []
    for s in range(400):
        plan = plan_inspections(population, 60, 0.5, max_per_unit=2, random_state=s)
        est = estimate_problem_rate(plan, outcome_of)
        rates.append(est.rate)
        covered.append(est.ci_low <= truth <= est.ci_high)
        naive.append(outcome_of[plan["handler_id"]].mean())
        risk_rates.append(est.risk_rate)
        random_rates.append(est.random_rate)
    rates = np.asarray(rates)
    standard_error = rates.std() / np.sqrt(len(rates))
    assert abs(rates.mean() - truth) < max(4 * standard_error, 0.005)
    assert abs(rates.mean() - truth) < 0.01
    assert np.mean(covered) >= 0.9
    assert np.mean(naive) > truth + 0.05  # the inspected share alone overstates the rate
    assert np.mean(risk_rates) > 2 * np.mean(random_rates)


# --------------------------------------------------------------------------- errors


def bad_plan_calls():
    df = officers(10)
    dup = pd.concat([df, df.iloc[[2]]])
    no_unit_id = df.assign(unit_id=df["unit_id"].where(df.index != 3))
    return [
        ((df.to_dict(), 3), {}, TypeError, r"'entity_scores' parameter of plan_inspections must be a DataFrame.*Got dict instead"),
        ((df.drop(columns=["handler_id", "unit_id"]), 3), {}, SchemaError, r"must be a frame with an entity id column \('handler_id' or 'unit_id'\).*Name the id column with level="),
        ((df, 3), {"level": "case_id"}, ValueError, r"'level' parameter of plan_inspections must be None or a column of entity_scores. Got 'case_id' instead"),
        ((df.drop(columns="risk_score"), 3), {}, SchemaError, r"must be a frame with the columns \['handler_id', 'risk_score'\]. Got one without \['risk_score'\]"),
        ((df.assign(risk_score="high"), 3), {}, SchemaError, r"must be a numeric 'risk_score' column. Got dtype"),
        ((df.assign(handler_id=df["handler_id"].where(df.index > 1)), 3), {}, SchemaError, r"a handler_id on every row. Got 2 rows without one instead"),
        ((dup, 3), {}, SchemaError, r"one row per handler_id. Got repeated ids \['cb002'\] instead. Aggregate"),
        ((df, 0), {}, ValueError, r"'budget' parameter of plan_inspections must be an int >= 1. Got 0 instead"),
        ((df, -2), {}, ValueError, r"'budget' .* must be an int >= 1. Got -2 instead"),
        ((df, 2.5), {}, ValueError, r"'budget' .* must be an int >= 1. Got 2.5 instead"),
        ((df, True), {}, ValueError, r"'budget' .* must be an int >= 1. Got True instead"),
        ((df, 11), {}, ValueError, r"'budget' .* must be at most the number of entities in entity_scores \(10\). Got 11 instead"),
        ((df, 3, 1.5), {}, ValueError, r"'random_share' parameter of plan_inspections must be a float in \[0, 1\]. Got 1.5 instead"),
        ((df, 3, -0.1), {}, ValueError, r"'random_share' .* Got -0.1 instead"),
        ((df, 3, float("nan")), {}, ValueError, r"'random_share' .* Got nan instead"),
        ((df, 3, 0.5, 0), {}, ValueError, r"'max_per_unit' parameter of plan_inspections must be None or an int >= 1. Got 0 instead"),
        ((df.drop(columns="unit_id"), 3, 0.5, 1), {}, SchemaError, r"the columns \['unit_id'\] when max_per_unit is set"),
        ((no_unit_id, 3, 0.5, 1), {}, SchemaError, r"a unit_id on every row when max_per_unit is set. Got 1 rows"),
        ((df, 3), {"random_state": "seed"}, ValueError, r"'random_state' parameter of plan_inspections must be None, an int >= 0 or a numpy Generator. Got 'seed' instead"),
        ((df, 3), {"random_state": -1}, ValueError, r"'random_state' .* Got -1 instead"),
        ((df, 3), {"flags": [1]}, TypeError, r"'flags' parameter of plan_inspections must be None or a DataFrame from RiskModel.score. Got list"),
        ((df, 3), {"flags": case_flags(df).drop(columns="reasons")}, SchemaError, r"'flags' parameter .* Got one without \['reasons'\]"),
        ((df, 3), {"flags": case_flags(df).assign(risk_score="x")}, SchemaError, r"'flags' parameter .* numeric 'risk_score'"),
        ((df, 3), {"n_dossiers": 0}, ValueError, r"'n_dossiers' parameter of plan_inspections must be an int >= 1. Got 0"),
    ]  # fmt: skip


@pytest.mark.parametrize(("args", "kwargs", "error", "match"), bad_plan_calls())
def test_plan_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plan_inspections(*args, **kwargs)


def test_plan_dossiers_errors():
    df = officers(10)
    plan = plan_inspections(df, budget=3, random_share=0)
    with pytest.raises(TypeError, match=r"'flags' parameter of plan_dossiers must be None or a"):
        plan_dossiers(plan, None)
    with pytest.raises(SchemaError, match=r"'flags' parameter of plan_dossiers .*\['handler_id'\]"):
        plan_dossiers(plan, case_flags(df).drop(columns="handler_id"))
    with pytest.raises(
        ValueError, match=r"'n_dossiers' parameter of plan_dossiers must be an int >= 1. Got '5'"
    ):
        plan_dossiers(plan, case_flags(df), n_dossiers="5")  # fmt: skip


def test_inclusion_probabilities_errors():
    df = officers(10)
    plan = plan_inspections(df, budget=4, random_share=0.5, random_state=0)
    with pytest.raises(
        SchemaError,
        match=r"'plan' parameter of inclusion_probabilities must be a plan made from entity_scores. Got planned ids that entity_scores lacks: \['cb00",
    ):
        inclusion_probabilities(df.iloc[4:], plan)  # fmt: skip
    bigger = pd.concat([df, officers(12).iloc[10:]])
    with pytest.raises(
        SchemaError,
        match=r"must be the frame the plan was made from \(10 entities\). Got 12 rows instead",
    ):
        inclusion_probabilities(bigger, plan)  # fmt: skip
    with pytest.raises(
        TypeError,
        match=r"'entity_scores' parameter of inclusion_probabilities must be the DataFrame",
    ):
        inclusion_probabilities(None, plan)  # fmt: skip


def estimate_error_cases():
    df = officers(10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IntegritySignalsWarning)  # made at collection time
        plan = plan_inspections(df, budget=4, random_share=0.5, random_state=0)
    ids = plan["handler_id"].tolist()
    full = dict.fromkeys(ids, False)
    no_attrs = pd.read_csv(io.StringIO(plan.to_csv(index=False)))
    mixed = no_attrs.assign(inclusion_probability=[1, 1, 0.25, 0.5])
    return [
        (plan, ids, {}, TypeError, r"'outcomes' parameter of estimate_problem_rate must be a dict or a pandas Series mapping entity id to bool. Got list instead"),
        (plan, pd.Series([True] * 5, index=[*ids, ids[0]]), {}, ValueError, rf"must be one outcome per entity. Got repeated ids \['{ids[0]}'\]"),
        (plan, {ids[0]: True}, {}, ValueError, rf"must be an outcome for every planned entity. Got none for \['{ids[1]}', '{ids[2]}', '{ids[3]}'\] instead. Inspect them"),
        (plan, full | {ids[2]: None}, {}, ValueError, rf"Got none for \['{ids[2]}'\]"),
        (plan, full | {ids[1]: "yes", ids[3]: 2}, {}, ValueError, rf"must be True/False \(or 1/0\) per entity. Got \{{'{ids[1]}': 'yes', '{ids[3]}': 2\}} instead"),
        (plan, full, {"confidence": 95}, ValueError, r"'confidence' parameter of estimate_problem_rate must be a float in \(0, 1\). Got 95 instead"),
        (plan, full, {"confidence": 1.0}, ValueError, r"'confidence' .* Got 1.0 instead"),
        (plan.to_dict(), full, {}, TypeError, r"'plan' parameter of estimate_problem_rate must be a DataFrame from plan_inspections. Got dict"),
        (plan.drop(columns="inclusion_probability"), full, {}, SchemaError, r"'plan' parameter .* Got one without \['inclusion_probability'\]"),
        (plan.assign(selected_by="chance"), full, {}, SchemaError, r"selected_by is 'risk' or 'random'. Got \['chance'\] instead"),
        (plan.iloc[:3], full, {}, SchemaError, r"must be every row plan_inspections returned \(2 risk and 2 random rows, by its design\). Got 2 risk and 1 random rows instead. Pass the whole plan"),
        (mixed, full, {}, SchemaError, r"random rows share one inclusion_probability in \(0, 1\]. Got \[0.25, 0.5\] instead"),
    ]  # fmt: skip


@pytest.mark.parametrize(("plan", "outcomes", "kwargs", "error", "match"), estimate_error_cases())
def test_estimate_errors(plan, outcomes, kwargs, error, match):
    with pytest.raises(error, match=match):
        estimate_problem_rate(plan, outcomes, **kwargs)
