"""Combining p-values, local false-discovery rates, and controlling the false-discovery rate.

Per case (and per entity) the detectors produce several p-values, small =
unusual. They are combined with the Cauchy combination test (Liu & Xie, 2020,
JASA 115:393): ``T = mean_i tan((1/2 - p_i) pi)``. It is dominated by the
smallest p-values, so one strong signal alone puts a case on top, while
several moderate ones add up; and it stays approximately valid under
arbitrary dependence between the signals, which ours have (fast handling and
queue jumping are correlated by construction). Missing p-values (signal not
applicable) are left out. The test is one-sided: p-values above 1/2 are
truncated to 1/2 (a zero term), since "no event" is not evidence against an
anomaly elsewhere (without it, one p near 1 cancels any number of small ones).

The truncation makes the statistic larger than a Cauchy variable, so the
plain Cauchy tail ``1/2 - arctan(T)/pi`` is too small at moderate levels (with
15 terms, 6.2 % of null rows fall below 0.05). The combined p-value is
therefore read off the exact null distribution of the truncated mean of ``k``
independent terms (:data:`NULL_TABLE`, simulated once with 4,194,304 draws per
``k`` and shipped with the package); below 10^-4 the Cauchy tail is exact up
to the factor at 10^-4, which is kept (conservative).

False-discovery control across cases or entities uses the Benjamini-Hochberg
procedure (:func:`scipy.stats.false_discovery_control`); the local
false-discovery rate of a batch's p-values is Grenander's estimate
(:func:`local_fdr`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from scipy import stats

__all__ = [
    "NULL_TABLE",
    "bh_qvalues",
    "build_null_table",
    "cauchy_combine",
    "group_qvalues",
    "local_fdr",
    "surprise",
]

_TINY = 1e-300
#: The shipped null table of the truncated Cauchy mean (rows: k = 1..; columns: GRID).
NULL_TABLE = Path(__file__).with_name("cauchy_null.csv")
#: Raw (Cauchy-tail) p-values at which the null table is kept: 10^-4 to 1/2.
GRID = np.r_[np.logspace(-4, np.log10(0.5), 100)[:-1], 0.5]


def _statistic(p: np.ndarray) -> np.ndarray:
    """``tan((1/2 - p) pi)`` of p truncated to (0, 1/2]: accurate for tiny p."""
    pc = np.clip(p, _TINY, 0.5)
    return np.where(pc < 1e-15, 1.0 / (pc * np.pi), np.tan((0.5 - pc) * np.pi))


def _cauchy_tail(stat: np.ndarray) -> np.ndarray:
    big = stat > 1e15
    with np.errstate(divide="ignore"):
        tail = np.where(
            big, 1.0 / (np.maximum(stat, 1e-300) * np.pi), 0.5 - np.arctan(stat) / np.pi
        )
    return np.clip(tail, _TINY, 1.0)


def build_null_table(max_terms: int = 48, n_draws: int = 1 << 22, seed: int = 20261206):
    """Simulate ``P(T_k >= t(g))`` for the truncated mean ``T_k`` of ``k`` null terms.

    Rows are ``k = 1 .. max_terms``, columns the raw p-values of :data:`GRID`
    (``t(g) = tan((1/2 - g) pi)``). Deterministic for a given seed; the shipped
    table is ``build_null_table()`` (about 15 s).
    """
    rng = np.random.default_rng(seed)
    thresholds = _statistic(GRID)[::-1]  # ascending
    counts = np.zeros((max_terms, GRID.size))
    chunk = 1 << 18
    for start in range(0, n_draws, chunk):
        m = min(chunk, n_draws - start)
        total = np.zeros(m)
        for k in range(1, max_terms + 1):
            total += np.maximum(np.tan((0.5 - rng.random(m)) * np.pi), 0.0)
            idx = np.searchsorted(thresholds, total / k, side="right")
            at_least = np.cumsum(np.bincount(idx, minlength=GRID.size + 1)[::-1])[::-1][1:]
            counts[k - 1] += at_least[::-1]  # back to GRID's (descending-threshold) order
    return counts / n_draws


@cache
def _table() -> np.ndarray:
    return np.loadtxt(NULL_TABLE, delimiter=",", ndmin=2)


def _calibrate(raw: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The exact null tail of raw Cauchy p-values of truncated means of ``k`` terms."""
    table = _table()
    rows = table[np.clip(k, 1, len(table)) - 1]  # (n, grid)
    out = np.empty(raw.shape)
    low = raw < GRID[0]
    out[low] = raw[low] * rows[low, 0] / GRID[0]  # the Cauchy tail, with the factor at 10^-4
    hi = ~low
    if hi.any():
        x = np.log(np.minimum(raw[hi], 0.5))
        pos = np.clip(np.searchsorted(np.log(GRID), x, side="right") - 1, 0, GRID.size - 2)
        lg = np.log(GRID)
        w = (x - lg[pos]) / (lg[pos + 1] - lg[pos])
        r = rows[hi]
        i = np.arange(r.shape[0])
        out[hi] = np.exp((1 - w) * np.log(r[i, pos]) + w * np.log(r[i, pos + 1]))
    return np.clip(np.maximum(out, raw), _TINY, 1.0)


#: Rows combined at a time: the temporaries stay a few MB whatever the batch.
_CHUNK_ROWS = 1 << 16


def cauchy_combine(p: np.ndarray, *more: np.ndarray) -> np.ndarray:
    """Row-wise Cauchy combination of a (rows, signals) p-value matrix; NaN entries skipped.

    Calibrated on the exact null of the truncated mean (see the module notes):
    valid at every level for independent p-values. Rows with no p-value at
    all get 1; rows whose p-values are all at least 1/2 get 1. Further
    (rows, signals) blocks in ``more`` are combined as if stacked beside ``p``
    (without building the stack). Rows are combined in chunks of
    :data:`_CHUNK_ROWS`, so the memory beyond the output is a few MB.

    Examples
    --------
    >>> p = np.array([[1e-8, 0.5, 0.5], [0.01, np.nan, np.nan], [np.nan, np.nan, np.nan]])
    >>> np.round(cauchy_combine(p), 8).tolist()
    [3e-08, 0.01, 1.0]
    >>> round(float(cauchy_combine(np.array([[1e-5, 1.0]]))[0]), 7)  # p = 1 adds nothing
    2e-05
    >>> np.round(cauchy_combine(p[:, :1], p[:, 1:]), 8).tolist()  # the same, in two blocks
    [3e-08, 0.01, 1.0]
    """
    blocks = [np.atleast_2d(np.asarray(b, dtype=np.float64)) for b in (p, *more)]
    n = blocks[0].shape[0]
    if any(b.shape[0] != n for b in blocks):
        raise ValueError(f"cauchy_combine: blocks of {[b.shape[0] for b in blocks]} rows.")
    out = np.empty(n)
    for start in range(0, n, _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        chunk = blocks[0][rows] if len(blocks) == 1 else np.hstack([b[rows] for b in blocks])
        out[rows] = _combine_rows(chunk)
    return out


def _combine_rows(p: np.ndarray) -> np.ndarray:
    present = np.isfinite(p)
    k = present.sum(axis=1)
    t = np.where(present, _statistic(np.where(present, p, 0.5)), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = t.sum(axis=1) / np.maximum(k, 1)
    raw = _cauchy_tail(stat)
    return np.where(k > 0, _calibrate(raw, k), 1.0)


def surprise(p: np.ndarray) -> np.ndarray:
    """``-log10 p``: the evidence scale of the library (1 = a one-in-ten event, 6 = one in a million)."""
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


#: Fewer p-values below 1/2 than this carry no estimate of their own density: the local fdr is 1.
MIN_LFDR_VALUES = 200
_LFDR_BINS = 80


def local_fdr(p: np.ndarray) -> np.ndarray:
    """Local false-discovery rate of each p-value of a batch (Efron's two-groups model).

    On the scale ``z = Phi^-1(1 - p)`` null p-values have the standard normal
    density ``phi``, so ``lfdr(z) = phi(z) / f(z)``, with ``f`` the density of
    the batch's z-values, at most 1 (the null share is taken as 1: the
    estimate is conservative). ``f`` is estimated by Lindsey's method, as in
    Efron's ``locfdr``: a Poisson regression of the counts of a fine histogram
    of ``z`` (p below 1/2) on a cubic spline of ``z``, which is smooth where a
    single tiny p-value would make a raw density spike. The estimate is at
    least the Benjamini-Hochberg q-value (the tail-area rate, a lower bound of
    the local rate for a decreasing density: a lone extreme value is no
    cluster of findings) and non-increasing in ``z`` (a smaller p-value is
    never less likely to be a finding). p-values of 1/2 or more get 1; NaN stays NaN; with fewer than
    :data:`MIN_LFDR_VALUES` p-values below 1/2, every value gets 1.

    >>> rng = np.random.default_rng(0)
    >>> p = np.r_[rng.random(5000), rng.random(300) * 1e-5]
    >>> lfdr = local_fdr(p)
    >>> bool(lfdr[-300:].max() < 0.05), bool(np.median(lfdr[:5000]) == 1.0)
    (True, True)
    """
    from sklearn.linear_model import PoissonRegressor
    from sklearn.preprocessing import SplineTransformer

    p = np.asarray(p, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    out[ok] = 1.0
    low = ok & (p < 0.5)
    n = int(ok.sum())
    if int(low.sum()) < MIN_LFDR_VALUES:
        return out
    z = stats.norm.isf(np.clip(p[low], _TINY, 0.5))
    top = float(z.max()) + 1e-9
    edges = np.linspace(0.0, top, _LFDR_BINS + 1)
    counts = np.histogram(z, edges)[0]
    centres = (edges[:-1] + edges[1:]) / 2
    width = edges[1] - edges[0]
    basis = SplineTransformer(n_knots=8, degree=3, extrapolation="linear").fit(centres[:, None])
    fit = PoissonRegressor(alpha=1e-6, solver="newton-cholesky", max_iter=200).fit(
        basis.transform(centres[:, None]), counts
    )
    grid = np.linspace(0.0, top, 4 * _LFDR_BINS + 1)
    log_f = np.log(fit.predict(basis.transform(grid[:, None])) / (n * width))  # f on the z scale
    with np.errstate(over="ignore"):
        lfdr = np.minimum(1.0, np.exp(stats.norm.logpdf(z) - np.interp(z, grid, log_f)))
    # never below the tail-area rate of the values at least as extreme (BH, null share 1): for a
    # decreasing density the local rate at a point is at least the average beyond it, and a
    # lone extreme value in the thin tail is no cluster of findings
    order = np.argsort(z, kind="stable")
    lfdr[order] = np.minimum.accumulate(lfdr[order])
    tail = bh_qvalues(np.r_[p[low], np.full(n - int(low.sum()), 1.0)])[: low.sum()]
    out[low] = np.maximum(lfdr, tail)
    return out


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
