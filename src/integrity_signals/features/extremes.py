"""Tail probabilities beyond every peer: an exponential tail fitted to the peers' extremes.

A rank against ``n`` peers cannot say less than ``1 / (n + 1)``: a land
dossier returned in two hours where the other officers' fastest took a day and
a half gets the same p-value as one returned a minute before the fastest of
them. Beyond the peers' last value the rank is extrapolated with the
peaks-over-threshold method: the ``m`` most extreme peer values beyond the
``(m + 1)``-th, ``u``, are taken as exponential excesses with sum ``S``. A new
value beyond ``u`` has chance ``(m + 1) / (n + 1)``, and its excess ``d`` over
``u`` is beyond ``d`` with chance ``(1 + d / S) ** -m``: exact for exponential
excesses whatever their scale (``E / S`` of an exponential over a sum of ``m``
of them), and cautious for lighter tails such as the normal. Never below a
thousandth of ``1 / (n + 1)``: an extrapolation is not a measurement.

The peers are the *other* officers' values of the group: the officer's own
extremes never set the scale it is judged by.

Use it on a side that is bounded or light-tailed (the low side of log
durations: nothing is faster than at once). On 2,000 groups of peers per
setting, the share of new values with ``p <= t`` over ``t`` at ``t`` = 1e-3,
2e-4 and 5e-5 was at most 1.1 (mostly 0.0-0.9) for normal, log-normal,
exponential and bounded-mixture values, but 2-13 for Student's t with 3
degrees of freedom: a polynomial tail (long stalls in a real log) is
extrapolated too thin, so the high side of durations is left to the ranks.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ExtremeTails"]

#: Peer values per group and side kept for the fit (the officer's own are removed at query time).
KEEP = 64
#: Excesses of the exponential fit.
EXCESSES = 10
#: Peers a group needs before its tail is extrapolated at all.
MIN_PEERS = 40
#: An extrapolation is not a measurement: at most this many times rarer than the rarest
#: value the peers can show (``1 / (n + 1)``).
MAX_FACTOR = 1000.0


class ExtremeTails:
    """The ``KEEP`` lowest and highest reference values of each group, with their officers;
    ``sides`` says which tails are extrapolated.

    Examples
    --------
    Sixty peer values 1, 2, ..., 60: the eleventh lowest is ``u = 11``, the ten below it
    are ``S = 10 + 9 + ... + 1 = 55`` away in all. A new value of -30 is 41 beyond ``u``:
    ``11 / 61 * (1 + 41 / 55) ** -10``, 7e-4 instead of the ranks' floor 1 / 61.

    >>> ref = ExtremeTails(np.zeros(60, np.int64), np.arange(60) % 5, np.arange(1.0, 61.0))
    >>> low, high = ref.tails(np.zeros(2, np.int64), np.array([99, 99]), np.array([-30.0, 0.5]),
    ...                       np.full(2, 1 / 61), np.full(2, 1.0), np.array([60, 60]))
    >>> round(float(low[0]), 6), round(11 / 61 * (1 + 41 / 55) ** -10, 6), float(low[1]) == 1 / 61
    (0.000687, 0.000687, True)
    """

    def __init__(self, group, officer, values, sides=("low",)):
        self.sides = tuple(sides)
        g = np.asarray(group, dtype=np.int64)
        o = np.asarray(officer, dtype=np.int64)
        v = np.asarray(values, dtype=np.float64)
        keep = (g >= 0) & np.isfinite(v)
        g, o, v = g[keep], o[keep], v[keep]
        self.n_groups_ = int(g.max(initial=-1)) + 1
        order = np.lexsort((o, v, g))  # ties in officer order: the same table in any row order
        g, o, v = g[order], o[order], v[order]
        counts = np.bincount(g, minlength=self.n_groups_)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        pos = np.arange(len(g)) - starts[g]
        self.low_, self.low_officer_ = self._table(g, o, v, pos, pos < KEEP, pos)
        back = counts[g] - 1 - pos  # position from the group's top
        self.high_, self.high_officer_ = self._table(g, o, -v, back, back < KEEP, back)

    def _table(self, g, o, v, pos, take, slot):
        """(groups, KEEP) values and officers, extreme first, NaN / -1 padded."""
        values = np.full((self.n_groups_, KEEP), np.nan)
        officers = np.full((self.n_groups_, KEEP), -1, dtype=np.int64)
        values[g[take], slot[take]] = v[take]
        officers[g[take], slot[take]] = o[take]
        return values, officers

    def tails(self, group, officer, values, low, high, n):
        """``low`` and ``high`` refined where a value lies beyond every peer of its group
        (``low`` or ``high`` at its floor ``1 / (n + 1)``): never raised, only extrapolated."""
        low, high = np.array(low, dtype=np.float64), np.array(high, dtype=np.float64)
        g = np.asarray(group, dtype=np.int64)
        o = np.asarray(officer, dtype=np.int64)
        v = np.asarray(values, dtype=np.float64)
        n = np.asarray(n, dtype=np.float64)
        floor = 1.0 / (n + 1.0)
        base = (g >= 0) & (g < self.n_groups_) & np.isfinite(v) & (n >= MIN_PEERS)
        for side, p, table, officers, sign in (
            ("low", low, self.low_, self.low_officer_, 1.0),
            ("high", high, self.high_, self.high_officer_, -1.0),
        ):
            if side not in self.sides:
                continue
            rows = np.flatnonzero(base & (p <= floor * (1 + 1e-9)))
            if rows.size:
                p[rows] = np.minimum(
                    p[rows], self._beyond(table[g[rows]], officers[g[rows]], o[rows],
                                          sign * v[rows], n[rows])
                )  # fmt: skip
        return low, high

    @staticmethod
    def _beyond(table, officers, own, x, n):
        """Extrapolated tail of ``x`` below the peers in ``table`` (rows: extreme first)."""
        peer = (officers != own[:, None]) & np.isfinite(table)
        rank = np.cumsum(peer, axis=1)  # 1-based rank among the peers
        enough = rank[:, -1] > EXCESSES
        first = peer & (rank <= EXCESSES)
        at_u = np.argmax(peer & (rank == EXCESSES + 1), axis=1)
        u = table[np.arange(len(table)), at_u]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            excess = np.where(first, u[:, None] - table, 0.0).sum(axis=1)
            distance = u - x
            tail = (EXCESSES + 1) / (n + 1) * (1.0 + distance / excess) ** -EXCESSES
        ok = enough & (excess > 0) & (distance > 0) & np.isfinite(tail)
        return np.where(ok, np.maximum(tail, 1.0 / (n + 1) / MAX_FACTOR), 1.0)
