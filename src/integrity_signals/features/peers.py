"""Peer baselines over integer group codes: empirical tails, robust centres, shrunk rates.

Everything here is vectorised over whole columns: groups are non-negative
integer codes (``-1`` = no group), values are float arrays. The tail
probabilities are empirical ranks against a fitted reference population,
counting ties against the case (``P(X <= x)`` with ``X`` drawn from the
reference and the case itself), so they are valid p-values within each peer
group whatever the shape of the distribution (same-day procedures with many
ties included): under the null, ``P(p <= t) <= t``.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from .extremes import ExtremeTails

__all__ = [
    "GroupedReference",
    "KeyTable",
    "PeerTails",
    "UnitTails",
    "at",
    "credibility",
    "search",
    "shrunk_rate",
    "unique_sorted",
]


class KeyTable:
    """Values stored by integer key, looked up by hashing (NaN for absent keys).

    >>> KeyTable(np.array([10, 3]), np.array([1.0, 2.0])).get(np.array([3, 4, 10])).tolist()
    [2.0, nan, 1.0]
    """

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        self.keys = pd.Index(np.asarray(keys, dtype=np.int64))
        self.values = np.append(np.asarray(values, dtype=np.float64), np.nan)

    def __len__(self) -> int:
        return len(self.keys)

    def position(self, query: np.ndarray) -> np.ndarray:
        """Row of each query key (-1 when absent)."""
        return self.keys.get_indexer(np.asarray(query, dtype=np.int64))

    def get(self, query: np.ndarray) -> np.ndarray:
        return self.values[self.position(query)]  # -1 picks the trailing NaN


_SORT_NEEDLES_FROM = 50_000  # binary search with sorted needles is 3-4x faster on big arrays


def search(haystack: np.ndarray, needles: np.ndarray, side: str = "left") -> np.ndarray:
    """``np.searchsorted`` that sorts large needle arrays first (cache-friendly), same result.

    >>> search(np.array([1, 3, 5]), np.array([4, 0, 5]), "right").tolist()
    [2, 0, 3]
    """
    needles = np.asarray(needles)
    if needles.size < _SORT_NEEDLES_FROM or haystack.size < 4096:
        return np.searchsorted(haystack, needles, side=side)
    order = np.argsort(needles)  # stability is irrelevant: equal needles get equal answers
    out = np.empty(needles.shape, dtype=np.intp)
    out[order] = np.searchsorted(haystack, needles[order], side=side)
    return out


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort-based; faster than ``np.unique`` on large int arrays).

    >>> unique_sorted(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    values = np.sort(np.asarray(values), kind="stable")
    if values.size == 0:
        return values
    return values[np.concatenate([[True], values[1:] != values[:-1]])]


def at(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values[codes]`` as float, NaN where the code is negative (unseen in fit).

    >>> at(np.array([1.0, 2.0]), np.array([1, -1, 0])).tolist()
    [2.0, nan, 1.0]
    """
    codes = np.asarray(codes, dtype=np.int64)
    if len(values) == 0:
        return np.full(len(codes), np.nan)
    return np.where(codes >= 0, np.asarray(values, dtype=np.float64)[np.maximum(codes, 0)], np.nan)


def _fingerprint(*arrays: np.ndarray) -> bytes:
    """A digest of array contents (to recognise a query that is the reference itself)."""
    digest = hashlib.blake2b(digest_size=16)
    for a in arrays:
        digest.update(np.ascontiguousarray(a).view(np.uint8))
    return digest.digest()


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
    ([0.8, 0.2, 1.0], [0.8, 1.0, 1.0], [4, 4, 1])
    >>> ref.quantile(0.5).tolist()
    [2.0, 5.0]
    """

    def __init__(self, groups: np.ndarray, values: np.ndarray, n_groups: int):
        groups = np.asarray(groups, dtype=np.int64)
        values = np.asarray(values, dtype=np.float64)
        keep = (groups >= 0) & np.isfinite(values)
        g, v = groups[keep], values[keep]
        # exact integer keys, increasing in (group, value): the value's rank among the distinct
        # reference values (a float key such as group + f(value) would merge close values).
        # One sort of the values; the stable sort by group on top is a radix sort of small codes.
        by_value = np.argsort(v, kind="stable")
        sorted_v = v[by_value]
        first = np.concatenate([[True], sorted_v[1:] != sorted_v[:-1]])[: v.size]
        self.distinct = sorted_v[first]
        rank = np.empty(v.size, dtype=np.int64)
        rank[by_value] = np.cumsum(first) - 1
        width = np.int64(len(self.distinct) + 1)
        keys = g * width + rank
        small = np.uint16 if n_groups <= 1 << 16 else np.int64
        order = by_value[np.argsort(g[by_value].astype(small), kind="stable")]
        self.n_groups = int(n_groups)
        self.width = width
        self.values = v[order]
        self.keys = keys[order]
        self.counts = np.bincount(g, minlength=self.n_groups).astype(np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]])
        # Querying the reference with itself (fit_transform) needs no search: remember the
        # sort of this build for this process only (not pickled with a saved model).
        self._source = (_fingerprint(groups, values), np.flatnonzero(keep)[order])

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_source", None)
        return state

    def _positions(self, groups, values, known):
        """(lo, hi) for the known rows, in row order: first and one-past-last index of each
        value's equal run within its group in ``self.keys``."""
        source = getattr(self, "_source", None)
        if source is not None and source[0] == _fingerprint(groups, values):
            run = np.concatenate([[True], self.keys[1:] != self.keys[:-1]])
            run_start = np.flatnonzero(run)
            run_end = np.append(run_start[1:], len(self.keys))
            run_id = np.cumsum(run) - 1
            lo = np.zeros(len(groups), dtype=np.intp)
            hi = np.zeros(len(groups), dtype=np.intp)
            lo[source[1]], hi[source[1]] = run_start[run_id], run_end[run_id]
            return lo[known], hi[known]
        g, v = groups[known], values[known]  # only the rows that can be answered
        below = g * self.width + search(self.distinct, v, side="left")
        upto = g * self.width + search(self.distinct, v, side="right")
        return search(self.keys, below, side="left"), search(self.keys, upto, side="left")

    def rank_counts(self, groups: np.ndarray, values: np.ndarray):
        """(less, equal, n): reference values of the group below and equal to each value, and the
        group's size (0, 0, 0 where the group is unknown or the value NaN)."""
        groups = np.asarray(groups, dtype=np.int64)
        values = np.asarray(values, dtype=np.float64)
        known = (groups >= 0) & (groups < self.n_groups) & np.isfinite(values)
        less = np.zeros(len(values), dtype=np.int64)
        equal = np.zeros(len(values), dtype=np.int64)
        n = np.zeros(len(values), dtype=np.int64)
        lo, hi = self._positions(groups, values, known)
        rows = np.flatnonzero(known)
        g = groups[rows]
        n[rows] = self.counts[g]
        less[rows] = lo - self.starts[g]
        equal[rows] = hi - lo
        return less, equal, n

    def tails(self, groups: np.ndarray, values: np.ndarray):
        """Lower and upper tail p-values of ``values`` within their groups.

        ``low = (n_less + n_equal + 1) / (n + 1)``, ``high`` symmetric, so a
        value beyond all ``n`` peers gets ``1 / (n + 1)`` and a tie counts
        against the case (valid for discrete values). Returns (low, high, n);
        both are NaN where the group is unknown or empty or the value NaN.
        """
        groups = np.asarray(groups, dtype=np.int64)
        values = np.asarray(values, dtype=np.float64)
        known = (groups >= 0) & (groups < self.n_groups) & np.isfinite(values)
        low = np.full(len(values), np.nan)
        high = np.full(len(values), np.nan)
        n = np.zeros(len(values), dtype=np.int64)
        lo, hi = self._positions(groups, values, known)
        rows = np.flatnonzero(known)
        g = groups[rows]
        n[rows] = self.counts[g]
        less = lo - self.starts[g]
        equal = hi - lo
        greater = n[rows] - less - equal
        with np.errstate(invalid="ignore", divide="ignore"):
            low[rows] = (less + equal + 1) / (n[rows] + 1)
            high[rows] = (greater + equal + 1) / (n[rows] + 1)
        empty = n == 0
        low[empty], high[empty] = np.nan, np.nan
        return low, high, n

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


def _tail_p(less, equal, n):
    """Lower and upper tail p-values from counts (NaN where the group is empty)."""
    greater = n - less - equal
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(n > 0, (less + equal + 1) / (n + 1), np.nan)
        high = np.where(n > 0, (greater + equal + 1) / (n + 1), np.nan)
    return low, high


class PeerTails:
    """Tails of values against the other officers' reference values of the same group.

    The group is the procedure (for times, requests and fees) or the whole
    reference (for hours). The case's own officer's reference cases are left
    out: an officer is compared with the others, never with itself, so a
    share of its own dossiers returned within the day does not make "within
    the day" ordinary for itself. Every case's p-value is computed the same
    way, against the same kind of reference, so p-values mean the same for an
    officer alone on its procedures in its commune and for one among many; the
    context (the unit's practice, the officer's own habits) enters through
    the expected chances of the detectors, not through the reference.

    With ``leave_out=False`` every officer's values are the reference, the
    officer's own included: for values with large ties (no request, no excess,
    inside working hours) a case's p-value is then the same whoever handled
    it, so that the same fact is an event for everyone or for nobody.

    Parameters
    ----------
    group, officer : int arrays
        Reference codes (-1 = none).
    values : float array
        Reference values (NaN ignored).
    leave_out : bool, default True
    extrapolate : bool, default False
        Beyond every other officer's value, extrapolate the tail from the
        peers' extremes (:class:`~integrity_signals.features.extremes.ExtremeTails`)
        instead of stopping at ``1 / (n + 1)``. Only with ``leave_out``.

    Examples
    --------
    >>> group = np.zeros(6, dtype=np.int64)
    >>> officer = np.array([0, 0, 0, 1, 1, 1])
    >>> ref = PeerTails(group, officer, np.array([1.0, 1, 1, 5, 5, 5]))
    >>> low, high, n = ref.tails(group[:1], officer[:1], np.array([1.0]))
    >>> round(float(low[0]), 3), int(n[0])  # officer 0's 1.0 against officer 1's three 5.0
    (0.25, 3)
    """

    def __init__(self, group, officer, values, *, leave_out: bool = True, extrapolate=False):
        g, go = self._keys(group, officer)
        self.n_groups_ = int(g.max(initial=-1)) + 1
        values = np.asarray(values, dtype=np.float64)
        self.reference = GroupedReference(g, values, self.n_groups_)
        self.own_ = None
        if leave_out:
            distinct = unique_sorted(go[go >= 0])
            self.pairs_ = KeyTable(distinct, np.arange(len(distinct)))
            self.own_ = GroupedReference(self.pairs_.position(go), values, len(distinct))
        self.extremes_ = ExtremeTails(g, officer, values) if extrapolate and leave_out else None

    @staticmethod
    def _keys(group, officer):
        g, o = (np.asarray(a, dtype=np.int64) for a in (group, officer))
        return np.where(g >= 0, g, -1), np.where((g >= 0) & (o >= 0), (g << 21) + o, -1)

    def tails(self, group, officer, values):
        """(low, high, n): tail p-values against the other officers' values of the group, and
        their number. NaN where the group has no other officer's value."""
        g, go = self._keys(group, officer)
        values = np.asarray(values, dtype=np.float64)
        less, equal, n = self.reference.rank_counts(g, values)
        if self.own_ is not None:
            less_o, equal_o, n_o = self.own_.rank_counts(self.pairs_.position(go), values)
            less, equal, n = less - less_o, equal - equal_o, n - n_o
        low, high = _tail_p(less, equal, n)
        if getattr(self, "extremes_", None) is not None:
            low, high = self.extremes_.tails(g, officer, values, low, high, n)
        return low, high, n


class UnitTails:
    """Tails of values within the procedure x unit (every officer), shrunk towards the procedure.

    For facts that a unit's system or practice produces on a procedure (a
    promised date or a posted fee that disagrees with the catalog): where
    most of a unit's dossiers of a procedure carry the same disagreement, it
    is the unit's configuration, not any one dossier's finding.

    Examples
    --------
    >>> ref = UnitTails(np.zeros(4, np.int64), np.array([0, 0, 1, 1]), np.array([0.0, 0, 5, 5]), 0.0)
    >>> ref.tails(np.array([0, 0]), np.array([0, 1]), np.array([5.0, 5.0]))[1].round(2).tolist()
    [0.33, 1.0]
    """

    def __init__(self, procedure, unit, values, shrinkage: float):
        p, u = (np.asarray(a, dtype=np.int64) for a in (procedure, unit))
        self.shrinkage = float(shrinkage)
        key = np.where((p >= 0) & (u >= 0), (p << 21) + u, -1)
        distinct = unique_sorted(key[key >= 0])
        self.pairs_ = KeyTable(distinct, np.arange(len(distinct)))
        values = np.asarray(values, dtype=np.float64)
        self.procedure_ = GroupedReference(p, values, int(p.max(initial=-1)) + 1)
        self.unit_ = GroupedReference(self.pairs_.position(key), values, len(distinct))

    def tails(self, procedure, unit, values):
        """(low, high, n): within the procedure x unit, shrunk by ``n / (n + shrinkage)``."""
        p, u = (np.asarray(a, dtype=np.int64) for a in (procedure, unit))
        key = np.where((p >= 0) & (u >= 0), (p << 21) + u, -1)
        lo_p, hi_p, _ = self.procedure_.tails(p, values)
        lo_u, hi_u, n = self.unit_.tails(self.pairs_.position(key), values)
        w = credibility(n, self.shrinkage)
        low = np.where(np.isnan(lo_u), lo_p, w * lo_u + (1 - w) * lo_p)
        high = np.where(np.isnan(hi_u), hi_p, w * hi_u + (1 - w) * hi_p)
        return low, high, n
