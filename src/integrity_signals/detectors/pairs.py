"""The repeat-pair test: is an applicant steered to one officer beyond the unit's assignment?

For an applicant with ``n`` dossiers of which ``k`` went to one officer, who
would get ``q`` of them by the unit's assignment (the pair's expected count
over ``n``), the pair test is the binomial tail ``P(X >= k)`` at the
*steering share* (the assignment share with its odds times
:data:`STEERING_TOLERANCE`), with the evidence capped at
:data:`PAIR_EVIDENCE_CAP` dossiers.

For the officer tests, two more figures per dossier: the chance that the
dossier becomes a pair *event* by chance (its pair count reaches the test's
threshold under the assignment), and the expected size of the cluster it
would then belong to (an applicant's dossiers with the officer become events
all at once, so an officer's count of pair events varies by clusters, not
dossier by dossier: :func:`cluster_size`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

__all__ = [
    "EXACT_MAX_DOSSIERS",
    "PAIR_EVIDENCE_CAP",
    "STEERING_TOLERANCE",
    "cluster_size",
    "exact_event_chance",
    "pair_can_reach",
    "pair_event_chance",
    "pair_tail",
    "pair_threshold",
    "steering_share",
]

#: A concentration counts as steering only beyond this odds ratio over the assignment share:
#: a law office whose 179 dossiers split 107 / 72 between two officers (0.60 against 0.52) is not a
#: broker, however significant a plain binomial test would find that gap. On the odds scale the
#: allowance stays below certainty: an officer who gets 77 % of a unit's land dossiers is
#: tested at 83 %, and a broker whose nineteen dossiers all go to that officer stands out
#: (a multiple of the share, 1.25 x 0.77 = 0.96, would hide it).
STEERING_TOLERANCE = 1.5


def steering_share(q: np.ndarray) -> np.ndarray:
    """The null share of the pair test: the assignment share with its odds times the tolerance.

    >>> steering_share(np.array([0.1, 0.52, 0.77, 1.0])).round(3).tolist()
    [0.143, 0.619, 0.834, 1.0]
    """
    q = np.clip(np.asarray(q, dtype=np.float64), 0.0, 1.0)
    return q * STEERING_TOLERANCE / (1.0 - q + q * STEERING_TOLERANCE)


#: Dossiers beyond which an applicant's pair test gains no more power. The assignment share is
#: an estimate (about +-0.09 from thirty voters), so a heavy filer's hundred dossiers must not
#: turn a small error in it into certainty: 93 of 114 dossiers against a share of 0.68 are tested
#: as 24.5 of 30. Brokers' pairs, a few dozen dossiers at most, keep the exact binomial test.
PAIR_EVIDENCE_CAP = 30


def pair_tail(k: np.ndarray, n: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The pair test: ``P(X >= k)``, ``X ~ Bin(n, steering_share(q))``, ``n`` capped; 1 below 2.

    Beyond :data:`PAIR_EVIDENCE_CAP` dossiers the counts are scaled down to the cap
    (the regularised incomplete beta function extends the binomial tail to them).

    >>> pair_tail(np.array([8, 93]), np.array([8, 114]), np.array([0.26, 0.68])).round(4).tolist()
    [0.0002, 0.324]
    """
    k, n = np.asarray(k, dtype=np.float64), np.asarray(n, dtype=np.float64)
    scale = np.minimum(1.0, PAIR_EVIDENCE_CAP / np.where(n > 0, n, 1.0))
    k_eff, n_eff = k * scale, n * scale
    with np.errstate(invalid="ignore"):
        tail = special.betainc(
            np.maximum(k_eff, 1e-9), np.maximum(n_eff - k_eff + 1, 1e-9), steering_share(q)
        )
    return np.where(k >= 2, tail, 1.0)


def pair_threshold(n: np.ndarray, q: np.ndarray, alpha: float) -> np.ndarray:
    """The smallest pair count whose :func:`pair_tail` is at most ``alpha`` (at least 2).

    Exact for ``n`` up to the cap; beyond it the scaled threshold is found by bisection.
    Computed once per distinct (dossiers, share): a province's pairs share a few
    thousand of them.
    """
    n = np.asarray(n, dtype=np.float64)
    share = steering_share(q)
    small = n <= PAIR_EVIDENCE_CAP
    trials, t_codes = _distinct(np.where(small, n, PAIR_EVIDENCE_CAP))
    shares, s_codes = _distinct(share)
    first, inverse = _distinct(t_codes * len(shares) + s_codes, positions=True)
    out = (stats.binom.isf(alpha, trials[t_codes[first]], shares[s_codes[first]]) + 1)[inverse]
    big = np.flatnonzero(~small)
    if big.size:
        s, inverse = _distinct(share[big])
        lo, hi = np.zeros(s.size), np.full(s.size, float(PAIR_EVIDENCE_CAP) + 1)
        cap = float(PAIR_EVIDENCE_CAP)
        for _ in range(40):  # tail(x) falls with x; find where it crosses alpha
            mid = (lo + hi) / 2
            below = special.betainc(mid, np.maximum(cap - mid + 1, 1e-9), s) <= alpha
            hi, lo = np.where(below, mid, hi), np.where(below, lo, mid)
        out[big] = np.ceil(hi[inverse] * n[big] / cap - 1e-9)
    return np.maximum(out, 2.0)


def _distinct(values: np.ndarray, positions: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, or their first rows with ``positions``; each row's code): a hash
    factorisation, NaN kept as a value of its own."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    if positions:
        first = np.empty(len(uniques), dtype=np.int64)
        first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
        return first, codes
    return np.asarray(uniques), codes


def _others(features: pd.DataFrame):
    """:func:`_shares` of the feature columns."""
    return _shares(
        features["handlers__applicant_cases"].to_numpy(dtype=np.float64),
        features["handlers__pair_expected"].to_numpy(dtype=np.float64),
        features["handlers__assignment_share"].to_numpy(dtype=np.float64),
    )


def _shares(n, expected, own):
    """(n, q, q_other, multi): the applicant's dossiers, the pair's expected share, the expected
    share of the applicant's *other* dossiers (its own assignment ``own`` left out), and which
    rows have at least two dossiers."""
    q = np.clip(expected / n, 1e-9, 1 - 1e-9)
    multi = np.isfinite(n) & np.isfinite(q) & (n >= 2)
    n_, q_ = np.where(multi, n, 2), np.where(multi, q, 0.5)
    other = np.clip((expected - np.nan_to_num(own)) / np.maximum(n_ - 1, 1), 1e-9, 1 - 1e-9)
    return n_, q_, np.where(multi, other, 0.5), multi


def binomial_event_chance(n, expected, own, alpha: float) -> np.ndarray:
    """The chance of a pair event with the applicant's other dossiers as ``Bin(n - 1, q')``
    (see :func:`pair_event_chance`); 0 for one-dossier applicants."""
    n_, q, other, multi = _shares(n, expected, own)
    k_star = pair_threshold(n_, q, alpha)
    return np.where(multi, stats.binom.sf(k_star - 2, n_ - 1, other), 0.0)


#: Applicants with at most this many dossiers get the exact chance of a pair event (below).
EXACT_MAX_DOSSIERS = 12


def exact_event_chance(counts, shares, own, n, q, alpha: float) -> np.ndarray:
    """The chance that a dossier's pair reaches the pair test's threshold, exactly.

    Given this dossier went to its officer, the pair count is one plus a sum of
    independent draws, one per other dossier of the applicant, each going to the
    officer with its own assignment share (a Poisson-binomial: a citizen's birth
    certificate and land dossier go to this officer with very different chances,
    and a binomial with their average share overstates two repeats in three).

    Parameters
    ----------
    counts, shares : (rows, groups) arrays
        Per row, the applicant's dossiers per group (procedure x unit) and the
        officer's assignment share of each group (count 0 pads).
    own : int array
        The group of the row's own dossier (its count is one less among the others).
    n, q : arrays
        The applicant's dossiers and the pair's expected share (the test's threshold).

    Three dossiers, two of a procedure the officer gets 60 % of and one it gets
    5 % of; the test calls 3 of 3 an event. Given the first went to it, both
    others must: 0.6 x 0.05 = 0.03 (a binomial at their average share, 0.325,
    says 0.106).

    >>> counts, shares = np.array([[2, 1]]), np.array([[0.6, 0.05]])
    >>> round(float(exact_event_chance(counts, shares, np.array([0]), np.array([3.0]),
    ...                                np.array([1.25 / 3]), 0.25)[0]), 4)
    0.03
    """
    counts = np.array(counts, dtype=np.int64)
    counts[np.arange(len(counts)), own] -= 1  # the others
    width = int(counts.sum(axis=1).max(initial=0)) + 1
    pmf = np.zeros((len(counts), width))
    pmf[:, 0] = 1.0
    for g in range(counts.shape[1]):
        q_g = shares[:, g][:, None]
        for trial in range(int(counts[:, g].max(initial=0))):
            active = (trial < counts[:, g])[:, None]
            shifted = np.concatenate([np.zeros((len(pmf), 1)), pmf[:, :-1]], axis=1)
            pmf = np.where(active, pmf * (1.0 - q_g) + shifted * q_g, pmf)
    need = pair_threshold(n, q, alpha) - 1  # other dossiers needed with the officer
    at_least = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]  # P(S >= s)
    idx = np.clip(need.astype(np.int64), 0, width)
    padded = np.concatenate([at_least, np.zeros((len(pmf), 1))], axis=1)
    return padded[np.arange(len(pmf)), idx]


def pair_event_chance(features: pd.DataFrame, alpha: float) -> np.ndarray:
    """Chance, under the unit's assignment, that a case is a repeat-pair event.

    ``handlers__pair_chance`` holds the exact chance where the applicant has at most
    :data:`EXACT_MAX_DOSSIERS` dossiers (:func:`exact_event_chance`); elsewhere,
    given this dossier went to its officer, the pair count is ``1 + Bin(n - 1, q')``:
    ``n`` the applicant's dossiers, ``q'`` the officer's expected share of the
    *other* ones (the pair's expected count less this dossier's own assignment
    chance, over ``n - 1``; a citizen's birth certificate does not raise the chance
    that the same officer gets the citizen's land dossier). The case is an event
    when the pair test's tail (at the steering share of the whole expected share
    ``q``) is at most ``alpha``, i.e. when the count reaches ``k*``
    (:func:`pair_threshold`).
    """
    if "handlers__pair_chance" in features.columns:  # computed by the features
        return features["handlers__pair_chance"].fillna(0.0).to_numpy(dtype=np.float64)
    n, e, own = (
        features[f"handlers__{c}"].to_numpy(dtype=np.float64)
        for c in ("applicant_cases", "pair_expected", "assignment_share")
    )
    return binomial_event_chance(n, e, own, alpha)


def pair_can_reach(features: pd.DataFrame, alpha: float) -> np.ndarray:
    """Whether a dossier's pair test could be at most ``alpha`` at all (every one of the
    applicant's dossiers with the officer): two dossiers with an officer who gets most of
    them anyway can never be evidence of steering, and do not count among its tests."""
    n = features["handlers__applicant_cases"].to_numpy(dtype=np.float64)
    e = features["handlers__pair_expected"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        best = pair_tail(n, n, np.clip(e / n, 1e-9, 1.0))
    return np.isfinite(best) & (n >= 2) & (best <= alpha)


def cluster_size(features: pd.DataFrame, alpha: float) -> np.ndarray:
    """Expected pair count of a dossier's pair given that it is an event, ``E[K | K >= k*]``.

    ``K = 1 + X`` with ``X ~ Bin(n - 1, q')`` as in :func:`pair_event_chance`:
    ``E[X | X >= m] = (n - 1) q' P(Bin(n - 2, q') >= m - 1) / P(X >= m)``. An
    officer's count of pair events has variance about ``sum(chance x size)``
    over its dossiers, not ``sum(chance)``: one applicant's fifty dossiers are
    one draw, not fifty.
    """
    n, q, other, multi = _others(features)
    m = pair_threshold(n, q, alpha) - 1  # other dossiers needed with the officer
    tail = stats.binom.sf(m - 1, n - 1, other)
    above = stats.binom.sf(m - 2, n - 2, other)
    with np.errstate(invalid="ignore", divide="ignore"):
        size = 1.0 + (n - 1) * other * above / tail
    size = np.where(tail > 0, size, np.maximum(m + 1, 1.0))
    return np.where(multi, np.clip(size, 1.0, n), 1.0)
