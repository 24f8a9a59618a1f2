"""Combining p-values and controlling the false-discovery rate.

Per case (and per entity) the detectors produce several p-values, small =
unusual. They are combined with the Cauchy combination test (Liu & Xie, 2020,
JASA 115:393): ``T = sum_i w_i tan((1/2 - p_i) pi)``, ``p = 1/2 - arctan(T)/pi``.
It is dominated by the smallest p-values, so one strong signal alone puts a
case on top, while several moderate ones add up; and it stays approximately
valid under arbitrary dependence between the signals, which ours have
(fast handling and queue jumping are correlated by construction). Missing
p-values (signal not applicable) are left out of the sum and the weights
renormalised over the present ones. The test is one-sided: p-values above
1/2 are truncated to 1/2 (a zero term), since "no event" is not evidence
against an anomaly elsewhere (without it, one p near 1 cancels any number of
small ones).

False-discovery control across cases or entities uses the Benjamini-Hochberg
procedure (:func:`scipy.stats.false_discovery_control`).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["bh_qvalues", "cauchy_combine", "group_qvalues", "surprise"]

_TINY = 1e-300


def cauchy_combine(p: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Row-wise Cauchy combination of a (rows, signals) p-value matrix; NaN entries skipped.

    Rows with no p-value at all get 1.

    Examples
    --------
    >>> p = np.array([[1e-8, 0.5, 0.5], [0.01, 0.01, 0.01], [np.nan, np.nan, np.nan]])
    >>> np.round(cauchy_combine(p), 8).tolist()
    [3e-08, 0.01, 1.0]
    >>> round(float(cauchy_combine(np.array([[1e-4, 1.0]]))[0]), 6)  # p = 1 adds nothing
    0.0002
    """
    p = np.atleast_2d(np.asarray(p, dtype=np.float64))
    w = np.ones(p.shape[1]) if weights is None else np.asarray(weights, dtype=np.float64)
    present = np.isfinite(p)
    wsum = (present * w).sum(axis=1)
    # p-values above 1/2 carry no evidence of anomaly: they count in the weights but add 0,
    # instead of the large negative terms that p near 1 would give (no event is not evidence)
    pc = np.clip(np.where(present, p, 0.5), _TINY, 0.5)
    # tan((1/2 - p) pi) = 1 / tan(p pi): accurate for tiny p
    t = np.where(pc < 1e-15, 1.0 / (pc * np.pi), np.tan((0.5 - pc) * np.pi))
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = (np.where(present, t, 0.0) * w).sum(axis=1) / wsum
    big = stat > 1e15
    combined = np.where(
        big, 1.0 / (np.maximum(stat, 1e-300) * np.pi), 0.5 - np.arctan(stat) / np.pi
    )
    return np.where(wsum > 0, np.clip(combined, _TINY, 1.0), 1.0)


def surprise(p: np.ndarray) -> np.ndarray:
    """``-log10 p``: the risk scale of the library (1 = a one-in-ten event, 6 = one in a million)."""
    return np.maximum(-np.log10(np.clip(np.asarray(p, dtype=np.float64), _TINY, 1.0)), 0.0)


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN stays NaN.

    >>> bh_qvalues(np.array([0.01, 0.04, 0.03, np.nan])).round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        q[ok] = stats.false_discovery_control(np.clip(p[ok], 0.0, 1.0), method="bh")
    return q


def group_qvalues(members: np.ndarray, ordinary: np.ndarray) -> np.ndarray:
    """q-values of whole groups of discoveries, each with an estimated number of ordinary members.

    A group (an officer's self-received dossiers, say) has ``members`` cases of
    which about ``ordinary`` are what its peers would have produced anyway.
    Taking groups in order of their ordinary share, the false-discovery
    proportion of the first ``m`` groups together is estimated by
    ``sum(ordinary) / sum(members)`` over them (the empirical-Bayes false
    discovery rate of the pooled groups). A group's q-value is that estimate
    for the groups up to and including it and every group of the same share
    (so equal groups get equal q-values, whatever their order): the smallest
    false share at which it is flagged, non-decreasing in the share, as
    Benjamini-Hochberg q-values. Groups without members get 1.

    >>> group_qvalues(np.array([40, 100, 10, 0]), np.array([1.0, 20.0, 5.0, 0.0])).round(3).tolist()
    [0.025, 0.15, 0.173, 1.0]
    >>> group_qvalues(np.array([400, 20, 20]), np.array([4.0, 10.0, 10.0])).round(4).tolist()
    [0.01, 0.0545, 0.0545]
    """
    members = np.asarray(members, dtype=np.float64)
    ordinary = np.clip(np.asarray(ordinary, dtype=np.float64), 0.0, members)
    out = np.ones(members.shape)
    has = members > 0
    if not has.any():
        return out
    share = ordinary[has] / members[has]
    order = np.argsort(share, kind="stable")
    ranked = share[order]
    pooled = np.cumsum(ordinary[has][order]) / np.cumsum(members[has][order])
    end_of_ties = np.searchsorted(ranked, ranked, side="right") - 1
    sub = np.empty(order.size)
    sub[order] = np.minimum(pooled[end_of_ties], 1.0)
    out[has] = sub
    return out
