"""Peer baselines over integer group codes: empirical tails, robust centres, shrunk rates.

Everything here is vectorised over whole columns: groups are non-negative
integer codes (``-1`` = no group), values are float arrays. The tail
probabilities are mid-p empirical ranks against a fitted reference
population, so they are calibrated within each peer group whatever the shape
of the distribution (same-day procedures with many ties included).
"""

from __future__ import annotations

import numpy as np

__all__ = ["GroupedReference", "at", "credibility", "shrunk_rate"]


def at(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values[codes]`` as float, NaN where the code is negative (unseen in fit).

    >>> at(np.array([1.0, 2.0]), np.array([1, -1, 0])).tolist()
    [2.0, nan, 1.0]
    """
    codes = np.asarray(codes, dtype=np.int64)
    if len(values) == 0:
        return np.full(len(codes), np.nan)
    return np.where(codes >= 0, np.asarray(values, dtype=np.float64)[np.maximum(codes, 0)], np.nan)


def _squash(x: np.ndarray) -> np.ndarray:
    """Strictly increasing map of the real line into (0, 1)."""
    return 0.5 + np.arctan(x) / np.pi


def credibility(n: np.ndarray, k: float) -> np.ndarray:
    """Credibility weight ``n / (n + k)`` of a peer group of size ``n`` (0 when n = 0)."""
    n = np.asarray(n, dtype=np.float64)
    return n / (n + k) if k > 0 else (n > 0).astype(np.float64)


def shrunk_rate(events: np.ndarray, total: np.ndarray, prior: np.ndarray, k: float) -> np.ndarray:
    """Empirical-Bayes rate: ``(events + k * prior) / (total + k)`` (the prior where total = 0)."""
    events = np.asarray(events, dtype=np.float64)
    total = np.asarray(total, dtype=np.float64)
    prior = np.asarray(prior, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = (events + k * prior) / (total + k)
    return np.where(total + k > 0, rate, prior)


class GroupedReference:
    """Sorted reference values per group, for tail probabilities and quantiles of new values.

    Parameters
    ----------
    groups : int array
        Group code of each reference value (negative codes are ignored).
    values : float array
        Reference values (NaN ignored).
    n_groups : int
        Number of group codes (codes are ``0 .. n_groups - 1``).

    Examples
    --------
    >>> ref = GroupedReference(np.array([0, 0, 0, 0, 1]), np.array([1.0, 2.0, 2.0, 3.0, 5.0]), 2)
    >>> low, high, n = ref.tails(np.array([0, 0, 1]), np.array([2.0, 0.5, 5.0]))
    >>> low.tolist(), high.tolist(), n.tolist()
    ([0.5, 0.1, 0.5], [0.5, 0.9, 0.5], [4, 4, 1])
    >>> ref.quantile(0.5).tolist()
    [2.0, 5.0]
    """

    def __init__(self, groups: np.ndarray, values: np.ndarray, n_groups: int):
        groups = np.asarray(groups, dtype=np.int64)
        values = np.asarray(values, dtype=np.float64)
        keep = (groups >= 0) & np.isfinite(values)
        g, v = groups[keep], values[keep]
        order = np.lexsort((v, g))
        self.n_groups = int(n_groups)
        self.values = v[order]
        self.keys = g[order] + _squash(self.values)
        self.counts = np.bincount(g, minlength=self.n_groups).astype(np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]])

    def tails(self, groups: np.ndarray, values: np.ndarray):
        """Mid-p lower and upper tail probabilities of ``values`` within their groups.

        ``low = (n_less + n_equal / 2 + 1/2) / (n + 1)``, ``high`` symmetric, so
        a value beyond all ``n`` peers gets ``1 / (2(n + 1))``. Returns (low,
        high, n); both are NaN where the group is unknown or empty or the value NaN.
        """
        groups = np.asarray(groups, dtype=np.int64)
        values = np.asarray(values, dtype=np.float64)
        known = (groups >= 0) & (groups < self.n_groups) & np.isfinite(values)
        g = np.where(known, groups, 0)
        n = np.where(known, self.counts[g], 0)
        key = g + _squash(np.where(known, values, 0.0))
        lo = np.searchsorted(self.keys, key, side="left")
        hi = np.searchsorted(self.keys, key, side="right")
        less = lo - self.starts[g]
        equal = hi - lo
        greater = n - less - equal
        with np.errstate(invalid="ignore", divide="ignore"):
            low = (less + 0.5 * equal + 0.5) / (n + 1)
            high = (greater + 0.5 * equal + 0.5) / (n + 1)
        bad = ~known | (n == 0)
        return np.where(bad, np.nan, low), np.where(bad, np.nan, high), n

    def quantile(self, q: float) -> np.ndarray:
        """Per-group quantile (linear interpolation); NaN for empty groups."""
        n = self.counts
        pos = np.where(n > 0, (n - 1) * q, 0.0)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
        frac = pos - lo
        if self.values.size == 0:
            return np.full(self.n_groups, np.nan)
        a = self.values[np.minimum(self.starts + lo, self.values.size - 1)]
        b = self.values[np.minimum(self.starts + hi, self.values.size - 1)]
        return np.where(n > 0, a + frac * (b - a), np.nan)
