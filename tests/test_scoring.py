"""Entity-level evidence: the pair test's combination and the clustered variance."""

import numpy as np
import pytest

from integrity_signals.detectors.statistical import Tails
from integrity_signals.scoring.entities import _sums, pair_simes
from integrity_signals.signals import SIGNALS

PAIR = [j for j, s in enumerate(SIGNALS) if s.name == "repeat_pair"][0]


def _tails(events, chance, cluster):
    n, k = len(events), len(SIGNALS)
    grid = np.zeros((n, k))
    ev = grid.copy()
    ev[:, PAIR] = events
    return Tails(
        p=np.ones((n, k)), events=ev, expected=grid, moderate=grid, moderate_expected=grid,
        cell=np.zeros(n, np.int64), cluster=np.asarray(cluster, float),
        testable=np.ones(n, bool),
    ), np.where(np.arange(k) == PAIR, np.asarray(chance)[:, None], 0.0)  # fmt: skip


def test_design_effect_is_read_off_the_entity_ordinary_cases():
    # one officer: a broker's 10 dossiers (all pair events, each in a cluster of 10) and
    # 100 ordinary dossiers (chance 0.02 of an event, clusters of 2). The chance variation
    # is that of the ordinary applicants: design effect 2, not pulled up by the broker.
    events = np.r_[np.ones(10), np.zeros(100)]
    chance = np.r_[np.full(10, 0.02), np.full(100, 0.02)]
    cluster = np.r_[np.full(10, 10.0), np.full(100, 2.0)]
    tails, chances = _tails(events, chance, cluster)
    observed, expected, variance = _sums(tails, np.zeros(110, np.int64), 1, chances)
    assert observed[0, PAIR] == 10
    assert expected[0, PAIR] == pytest.approx(110 * 0.02)
    assert variance[0, PAIR] == pytest.approx(2 * 110 * 0.02)
    others = [j for j in range(len(SIGNALS)) if j != PAIR]
    assert np.all(variance[0, others] == expected[0, others])  # unclustered signals: Poisson


def test_pair_simes_counts_each_applicant_once_and_only_testable_pairs():
    codes = np.array([0, 0, 0, 0, 1, 1])
    pairs = np.array([1, 1, 2, 3, 4, 5])
    p = np.array([0.001, 0.001, 0.2, 0.04, 0.3, 0.02])
    # officer 0: three pairs -> min(3 * 0.001 / 1, 3 * 0.04 / 2, 3 * 0.2 / 3) = 0.003
    out = pair_simes(codes, pairs, p, 2)
    assert out.tolist() == pytest.approx([0.003, 0.04])
    # the 0.3 pair could never have been significant: officer 1 has one test left
    testable = np.array([True, True, True, True, False, True])
    assert pair_simes(codes, pairs, p, 2, testable)[1] == pytest.approx(0.02)
    assert pair_simes(codes, np.full(6, -1), p, 2).tolist() == [1.0, 1.0]  # no applicants
