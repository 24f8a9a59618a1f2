"""Detectors on small hand-made data: combination, FDR, entity rate tests, digits, forest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from integrity_signals.detectors import (
    SIGNALS,
    DigitTest,
    EntityRateTest,
    IsolationDetector,
    TailDetector,
    bh_qvalues,
    cauchy_combine,
    group_qvalues,
    surprise,
)
from integrity_signals.detectors.combine import build_null_table, local_fdr
from integrity_signals.detectors.digits import conformity
from integrity_signals.detectors.entity import BASELINE_PSEUDO, count_tail, entity_counts
from integrity_signals.detectors.pairs import (
    cluster_size,
    exact_event_chance,
    pair_can_reach,
    pair_event_chance,
)
from integrity_signals.detectors.shift import contextual_p, estimate_shift, shifted_chance
from integrity_signals.detectors.statistical import fisher2
from integrity_signals.signals import OCCURRENCE_ALPHA


def test_cauchy_one_strong_signal_carries_and_weak_ones_add_up():
    one = cauchy_combine(np.array([[1e-6, 0.5, 0.5, 0.5]]))[0]
    assert one == pytest.approx(4e-6, rel=0.1)  # the strong p, diluted by the number of signals
    several = cauchy_combine(np.array([[0.02, 0.02, 0.02, 0.02]]))[0]
    single = cauchy_combine(np.array([[0.02, 0.5, 0.5, 0.5]]))[0]
    assert several < single and several == pytest.approx(0.02, rel=0.15)
    assert cauchy_combine(np.array([[np.nan, np.nan]]))[0] == 1.0
    assert cauchy_combine(np.array([[1e-5, 1.0]]))[0] == pytest.approx(2e-5, rel=0.05)  # p=1 adds 0
    assert cauchy_combine(np.array([[0.01, np.nan]]))[0] == pytest.approx(0.01, rel=0.05)


@pytest.mark.parametrize("k", [1, 2, 6, 15, 29])
def test_cauchy_is_calibrated_under_the_null_over_many_seeds(k):
    """At most its level on null rows, at 0.001, 0.01 and 0.05, seed by seed (with the binomial
    allowance of each seed's count) and pooled over 40 seeds."""
    levels = np.array([0.001, 0.01, 0.05])
    n, seeds = 25_000, 40
    counts = np.zeros((seeds, levels.size))
    for seed in range(seeds):
        p = cauchy_combine(np.random.default_rng(seed).random((n, k)))
        counts[seed] = (p[:, None] <= levels).sum(axis=0)
    allowance = stats.binom.ppf(0.9999, n, levels)
    assert (counts <= allowance).all()
    pooled = counts.sum(axis=0) / (n * seeds)
    assert (pooled <= levels + 3 * np.sqrt(levels * (1 - levels) / (n * seeds))).all()


def test_the_shipped_null_table_is_what_the_simulation_gives():
    fresh = build_null_table(max_terms=6, n_draws=1 << 18, seed=1)
    shipped = np.loadtxt(
        __import__("integrity_signals").detectors.combine.NULL_TABLE, delimiter=","
    )[:6]
    mid = slice(40, 100)  # p from about 0.002 to 0.5, where 2**18 draws are precise
    np.testing.assert_allclose(fresh[:, mid], shipped[:, mid], rtol=0.05)


def test_local_fdr_is_small_for_a_cluster_of_tiny_p_values_and_one_for_null_ones():
    rng = np.random.default_rng(0)
    null = rng.random(5000)
    signal = rng.random(300) * 1e-5
    lfdr = local_fdr(np.r_[null, signal, np.nan])
    assert lfdr[5000:5300].max() < 0.05 and np.median(lfdr[:5000]) > 0.9
    assert np.isnan(lfdr[-1])
    assert (local_fdr(rng.random(50)) == 1.0).all()  # too few to estimate a density


def test_bh_matches_the_textbook_procedure():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    q = bh_qvalues(p)
    expected = np.minimum.accumulate((p * len(p) / np.arange(1, 11))[::-1])[::-1]
    np.testing.assert_allclose(q, expected)
    assert (q <= 0.05).sum() == 2
    assert surprise(np.array([1.0, 0.01]))[1] == pytest.approx(2.0)


def test_group_qvalues_pool_groups_in_order_of_their_ordinary_share():
    # shares 0.025, 0.2, 0.5: pooled 1/40, 21/140, 26/150
    q = group_qvalues(np.array([40, 100, 10, 0]), np.array([1.0, 20.0, 5.0, 0.0]))
    np.testing.assert_allclose(q, [1 / 40, 21 / 140, 26 / 150, 1.0])
    # the order is by share, not by size: 30 of 1,000 (3 %) comes before 2 of 10 (20 %)
    q = group_qvalues(np.array([10, 10, 1000]), np.array([0.0, 2.0, 30.0]))
    np.testing.assert_allclose(q, [0.0, 32 / 1020, 30 / 1010])
    # equal shares, equal q-values: the pool runs to the end of the tie
    q = group_qvalues(np.array([400, 20, 20]), np.array([4.0, 10.0, 10.0]))
    np.testing.assert_allclose(q, [4 / 400, 24 / 440, 24 / 440])
    # ordinary counts are clipped to the group size; nothing to pool gives 1
    assert group_qvalues(np.array([5.0]), np.array([9.0])).tolist() == [1.0]
    assert group_qvalues(np.array([0.0, 0.0]), np.array([0.0, 0.0])).tolist() == [1.0, 1.0]


def test_group_qvalues_control_the_false_share_when_the_ordinary_counts_are_right():
    # groups whose members are ordinary with probability ordinary / members (the estimate is
    # exact here): flagging the groups with q <= 0.05 leaves about 5 % ordinary members at most
    rng = np.random.default_rng(3)
    members = rng.integers(5, 400, 2_000).astype(float)
    share = rng.beta(0.5, 2.0, 2_000)
    ordinary_true = rng.binomial(members.astype(int), share)
    q = group_qvalues(members, members * share)
    chosen = q <= 0.05
    assert chosen.any()
    assert ordinary_true[chosen].sum() / members[chosen].sum() <= 0.055


def test_fisher_joint_tail():
    assert fisher2(np.array(0.5), np.array(1.0)) == pytest.approx(0.5 * (1 - np.log(0.5)))
    rng = np.random.default_rng(1)
    u = rng.random((2, 50_000))
    assert (fisher2(u[0], u[1]) <= 0.05).mean() == pytest.approx(0.05, abs=0.005)


def test_entity_counts_and_negative_binomial_tail():
    codes = np.array([0, 0, 0, 1, 1, -1])
    events = np.array([[1.0], [1.0], [np.nan], [0.0], [1.0], [1.0]])
    assert entity_counts(codes, events, 2)[:, 0].tolist() == [2, 1]
    test = EntityRateTest()
    test.tau2_ = np.array([0.0])
    p = test.apply(np.array([[10.0], [0.0]]), np.array([[3.0], [3.0]]))
    assert p[0, 0] == pytest.approx(stats.poisson.sf(9, 3.0 + BASELINE_PSEUDO))
    assert p[1, 0] == 1.0
    test.tau2_ = np.array([0.5])
    wide = test.apply(np.array([[10.0]]), np.array([[3.0]]))[0, 0]
    assert wide > p[0, 0]  # over-dispersion makes the same excess less surprising
    r, mu = 1 / 0.5, 5.0  # negative binomial of mean 5 and variance 5 + 0.5 * 25
    assert count_tail(np.array(10.0), np.array(mu), np.array(0.5)) == pytest.approx(
        stats.nbinom.sf(9, r, r / (r + mu))
    )


def test_clustered_events_count_in_units_of_their_cluster():
    """Fifty dossiers of one heavy filer are one unlucky draw, not fifty independent events."""
    test = EntityRateTest()
    test.tau2_ = np.array([0.0])
    observed, expected = np.array([[50.0]]), np.array([[5.0]])
    plain = test.apply(observed, expected)[0, 0]
    clustered = test.apply(observed, expected, design=np.array([[25.0]]))[0, 0]
    assert plain < 1e-15 and clustered > 0.05
    # in cluster units: 2 clusters observed against 0.2 expected, plus the two pseudo-events
    assert clustered == pytest.approx(count_tail(np.array(2.0), np.array(2.2), np.array(0.0)))


def test_entity_dispersion_is_robust_to_a_few_deviant_entities():
    rng = np.random.default_rng(2)
    expected = rng.uniform(20, 60, size=(200, 1))
    observed = rng.poisson(expected).astype(float)
    clean = EntityRateTest().fit(observed, expected)
    observed[:3] *= 8  # three deviant entities
    dirty = EntityRateTest().fit(observed, expected)
    assert dirty.tau2_[0] == pytest.approx(clean.tau2_[0], abs=0.01)
    assert dirty.scale_[0] == pytest.approx(1.0, abs=0.05)
    p = dirty.apply(observed, dirty.calibrate(expected))[:, 0]
    assert p[:3].max() < 1e-10 and np.median(p[3:]) > 0.2


def _tails(p_value: float, n: int) -> pd.DataFrame:
    features = pd.DataFrame({f: p_value for s in SIGNALS for f in s.p_features}, index=range(n))
    features["fees__excess_round"] = 0.0
    features["handlers__applicant_cases"], features["handlers__pair_expected"] = 1.0, 0.5
    features["handlers__assignment_share"] = 0.5
    return features


def test_tail_detector_leave_one_officer_out_rates():
    features = _tails(0.9, 8)
    features["fees__waiver_p"] = [0.01] * 4 + [1.0] * 4  # officer 0 waives all four of its cases
    proc, unit = np.zeros(8, dtype=np.int64), np.zeros(8, dtype=np.int64)
    officer = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    det = TailDetector(event_alpha=0.05, shrinkage=0.0).fit(features, proc, unit, officer)
    tails = det.apply(features, proc, unit, officer)
    rate = tails.expected[:, [s.name for s in SIGNALS].index("waiver")]
    # officer 0 is compared with officer 1 (no waivers), and officer 1 with officer 0 (all waived)
    assert rate[:4].tolist() == pytest.approx([1e-6] * 4)
    assert rate[4:].tolist() == pytest.approx([1.0] * 4)
    assert tails.events.shape == tails.p.shape == (8, len(SIGNALS))


def test_the_officers_shift_is_read_off_its_non_events():
    """An officer fast on everything: its moderate band fills as its shift predicts, so its
    extra events are expected. One with a fifth of its dossiers at the extreme and the rest
    like peers: no shift, its events are an excess."""
    n = 1000
    expected = np.full(n, 0.05)  # peers: 5 % events
    moderate_expected = np.full(n, 0.5)  # and half moderate (events included)
    rng = np.random.default_rng(0)
    z = rng.normal(-1.0, 1.0, n)  # a whole distribution one SD faster
    shifted_events = (z <= stats.norm.ppf(0.05)).astype(float)
    shifted_moderate = (z <= 0.0).astype(float)
    u = rng.random(n)  # a mixture: a fifth at the extreme, the rest like peers
    mixed_events = np.where(u < 0.2, 1.0, (rng.random(n) <= 0.05).astype(float))
    mixed_moderate = np.where(mixed_events == 1, 1.0, (rng.random(n) <= 0.45 / 0.95).astype(float))
    entity = np.r_[np.zeros(n, np.int64), np.ones(n, np.int64)]
    cell = np.zeros(2 * n, np.int64)
    delta = estimate_shift(
        entity, cell, 2, np.r_[shifted_events, mixed_events],
        np.r_[shifted_moderate, mixed_moderate], np.r_[expected, expected],
        np.r_[moderate_expected, moderate_expected],
    )  # fmt: skip
    assert delta[0] == pytest.approx(-1.0, abs=0.15) and abs(delta[1]) < 0.15
    e_shifted = shifted_chance(expected, np.full(n, delta[0])).sum()
    assert shifted_events.sum() == pytest.approx(e_shifted, rel=0.15)  # explained
    e_mixed = shifted_chance(expected, np.full(n, delta[1])).sum()
    assert mixed_events.sum() > 3 * e_mixed  # not explained


def test_contextual_p_values_against_the_officers_baseline():
    assert contextual_p(np.array([1e-3]), np.array([0.05]), 0.05, "tail")[0] == pytest.approx(1e-3)
    habit = contextual_p(np.array([1e-3]), np.array([0.5]), 0.05, "tail")[0]
    assert habit == pytest.approx(stats.norm.cdf(stats.norm.ppf(1e-3) + 1.645), rel=0.01)
    quiet = contextual_p(np.array([1e-3]), np.array([0.001]), 0.05, "tail")[0]
    assert quiet == pytest.approx(1e-3)  # a quiet context never makes a case rarer
    assert contextual_p(np.array([4e-4]), np.array([0.3]), 0.25, "occurrence")[0] == 0.3
    assert contextual_p(np.array([1e-9]), np.array([0.3]), 0.25, "exact")[0] == 1e-9


def test_pair_event_chance_leaves_the_dossier_own_assignment_out():
    # two dossiers: a civil-status one this officer gets 60 % of, a land one it gets 5 % of.
    # Given the first went to it, the pair repeats only if the land dossier does too: 0.05
    # (not the average share 0.325). The test's threshold is 2 of 2 (tail 0.42^2 <= 1/4).
    features = pd.DataFrame({
        "handlers__applicant_cases": [2.0, 1.0, 3.0],
        "handlers__pair_expected": [0.65, 0.6, 0.9],
        "handlers__assignment_share": [0.6, 0.6, 0.3],
    })  # fmt: skip
    chance = pair_event_chance(features, OCCURRENCE_ALPHA)
    assert chance[0] == pytest.approx(0.05)
    assert chance[1] == 0.0  # one dossier: never a repeated pair
    # three dossiers with share 0.3 each: threshold 3 of 3 (2 of 3 has a tail of 0.34 > 1/4)
    assert chance[2] == pytest.approx(0.3**2)
    size = cluster_size(features, OCCURRENCE_ALPHA)
    assert size.tolist() == pytest.approx([2.0, 1.0, 3.0])  # an event takes all of its pair


def test_exact_pair_event_chance_is_a_poisson_binomial():
    # three dossiers: this one (group 0, share 0.6), one more of group 0 and one of group 1
    # (share 0.1). The expected share q = (0.6 + 0.6 + 0.1) / 3; the threshold is 3 of 3
    # (2 of 3 has a tail above 1/4), so both others must go to the officer: 0.6 * 0.1.
    counts = np.array([[2, 1]])
    shares = np.array([[0.6, 0.1]])
    q = np.array([1.3 / 3])
    chance = exact_event_chance(counts, shares, np.array([0]), np.array([3.0]), q, OCCURRENCE_ALPHA)
    assert chance[0] == pytest.approx(0.6 * 0.1)
    # the binomial at the average share of the others, 0.35, says 0.1225: twice as likely
    features = pd.DataFrame({
        "handlers__applicant_cases": [3.0],
        "handlers__pair_expected": [1.3],
        "handlers__assignment_share": [0.6],
    })  # fmt: skip
    assert pair_event_chance(features, OCCURRENCE_ALPHA)[0] == pytest.approx(0.35**2)
    features["handlers__pair_chance"] = chance
    assert pair_event_chance(features, OCCURRENCE_ALPHA)[0] == pytest.approx(0.06)


def test_pair_can_reach_only_where_a_full_pair_would_be_rare():
    # two dossiers with an officer who gets 90 % of them: even both with it (0.81) is no
    # evidence; with an officer who gets 10 %, both with it (0.01) is.
    features = pd.DataFrame({
        "handlers__applicant_cases": [2.0, 2.0, 1.0],
        "handlers__pair_expected": [1.8, 0.2, 0.1],
    })  # fmt: skip
    assert pair_can_reach(features, 0.05).tolist() == [False, True, False]


def test_digit_test_against_the_case_mix():
    rng = np.random.default_rng(3)
    proc = rng.integers(0, 3, 3000)
    fee_table = np.array([50_000.0, 120_000.0, 6_000.0])
    fees = fee_table[proc]
    det = DigitTest(min_sample=50).fit(fees, proc, 3)
    officer = rng.integers(0, 10, 3000)
    fees_bad = fees.copy()
    fees_bad[officer == 0] += 30_000  # one officer's amounts shift
    out = det.apply(officer, fees_bad, proc, 10)
    assert out["first_mad"][0] > 0.015 and out["first_class"][0] == "nonconformity"
    assert np.nanmax(out["first_mad"][1:]) < 0.006
    assert out["first_p"][0] < 1e-6
    few = det.apply(np.zeros(10, dtype=np.int64), fees[:10], proc[:10], 1)
    assert np.isnan(few["first_mad"][0]) and few["first_class"][0] == ""
    assert conformity(np.array([0.0015]), "last_two").tolist() == ["acceptable"]


def test_isolation_detector_pvalues_and_determinism():
    rng = np.random.default_rng(4)
    features = pd.DataFrame(
        {"timing__peer_z": rng.normal(size=3000), "fees__excess_ratio": rng.normal(size=3000)}
    )
    features.loc[0, ["timing__peer_z", "fees__excess_ratio"]] = [12.0, 15.0]
    det = IsolationDetector(n_estimators=50, max_fit_rows=2000, random_state=0, n_jobs=2).fit(
        features
    )
    p = det.apply(features)
    assert p[0] <= 2 / 2001 and np.median(p) > 0.3  # beyond every other reference case
    again = IsolationDetector(n_estimators=50, max_fit_rows=2000, random_state=0, n_jobs=1).fit(
        features
    )
    np.testing.assert_array_equal(again.apply(features), p)
