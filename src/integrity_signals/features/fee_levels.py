"""Fee levels per procedure and period, learned from the cases when no catalog gives them.

A fee schedule changes for everyone at once (a new circular, a tariff
revision): every officer moves from the old amount to the new one around the
same date. An overcharge is one officer's departure from the amount in force.
The levels are learned so that the first is a change of level and the second
is not:

1. **Level.** An amount is a level of a procedure when, over its *span* (from
   the time the second officer first charged it to the time the second-last
   officer last charged it: "in force while at least two officers use it"),
   it makes up at least ``level_share`` of the procedure's cases (counted
   between the two uses that delimit the span), and still does with the
   officer who charged it most left out. An amount that one
   officer charges is never a level, however often. The most common amount of
   each procedure is always a level. A procedure handled by one officer has
   its own amounts as levels.
2. **Change point.** Where, in time order, a level's span ends and the next
   event is another level's span starting, the procedure's schedule changed:
   the window ``(last use of the old level, first use of the new]`` holds the
   change date (reported as its midpoint). Periods run between windows.
3. **Reference.** A case is compared with the levels in force in its period
   (those whose span meets it; in a window, those of both sides): its
   reference is the nearest level at or below the amount charged, or the
   lowest level when it is below all of them.

By construction an amount that is a level is never an excess in its own span,
so officers who apply a revision with everyone else are never flagged for it,
while the new amount charged before everyone moved to it, or any amount that
only one officer charges, is measured against the level in force.

Everything is computed with sorts and binary searches over integer keys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .peers import search

__all__ = ["FeeLevels"]

_SHIFT = np.int64(1) << 40  # (group, amount) keys; amounts below 1.1e12
_T = np.int64(1) << 34  # (group, seconds) keys; seconds since 1970 below 2**34 until 2514
_NS = 10**9


def _seconds(t: np.ndarray) -> np.ndarray:
    """Whole seconds since 1970 (NaT: 0, the earliest period)."""
    t = np.asarray(t, dtype="datetime64[ns]")
    return np.where(np.isnat(t), 0, t.view(np.int64) // _NS)


def _dense(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of the rows' key tuples (in sorted order), and the first row of each code."""
    frame = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    codes = frame.groupby(list(frame.columns), sort=True).ngroup().to_numpy(dtype=np.int64)
    _, first = np.unique(codes, return_index=True)
    return codes, first


def _count_between(keys: np.ndarray, group: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Rows of ``group`` with time in ``[lo, hi]`` (``keys``: sorted ``group * _T + seconds``)."""
    return search(keys, group * _T + hi, side="right") - search(keys, group * _T + lo, side="left")


def _nth(values: np.ndarray, group: np.ndarray, n_groups: int, nth: np.ndarray, largest: bool):
    """Per group, its ``nth`` smallest (or largest) value (1-based); -1 when it has fewer."""
    order = np.lexsort((-values if largest else values, group))
    counts = np.bincount(group, minlength=n_groups)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    ok = (nth >= 1) & (counts >= nth)
    pos = np.minimum(starts + np.maximum(nth, 1) - 1, max(len(values) - 1, 0))
    out = np.full(n_groups, -1, dtype=np.int64)
    if len(values):
        out[ok] = values[order][pos[ok]]
    return out


class FeeLevels:
    """Fee levels of each procedure per period (see the module notes).

    Parameters
    ----------
    level_share : float
        Share of a procedure's cases, over the amount's span, an amount needs to be a level.
    min_officers : int, default 2
        Officers who must charge an amount for it to be a level (fewer when the
        procedure has fewer officers).
    min_cases : int, default 3
        Cases an amount needs over its span to be a level (two officers' chance
        uses of one amount on one day are not a schedule).

    Examples
    --------
    Two officers charge 50 in the first week of January and 70 in the first
    week of August:

    >>> days = pd.to_datetime(["2025-01-06", "2025-01-07", "2025-01-08", "2025-01-09",
    ...                        "2025-01-10", "2025-08-04", "2025-08-05", "2025-08-06",
    ...                        "2025-08-07", "2025-08-08"]).to_numpy()
    >>> levels = FeeLevels(0.05).fit(np.zeros(10, int), np.repeat([50.0, 70.0], 5), days,
    ...                              np.tile([0, 1], 5))
    >>> levels.changes(pd.Index(["P"]))[["procedure_id", "date", "levels_before", "levels_after"]]
      procedure_id       date levels_before levels_after
    0            P 2025-04-23          [50]         [70]
    >>> when = pd.to_datetime(["2025-01-08", "2025-08-06", "2025-08-06"]).to_numpy()
    >>> levels.reference(np.zeros(3, int), np.array([70.0, 70.0, 90.0]), when)
    array([50., 70., 70.])
    """

    def __init__(self, level_share: float, min_officers: int = 2, min_cases: int = 3):
        self.level_share = level_share
        self.min_officers = min_officers
        self.min_cases = min_cases

    # ------------------------------------------------------------------ fit
    def fit(self, p: np.ndarray, charged: np.ndarray, t: np.ndarray, officer: np.ndarray):
        """Learn levels and change points from reference cases (codes: -1 = unknown)."""
        p = np.asarray(p, dtype=np.int64)
        charged = np.asarray(charged, dtype=np.float64)
        known = (p >= 0) & np.isfinite(charged) & (charged >= 0)
        p = p[known]
        amount = np.clip(np.round(charged[known]), 0, _SHIFT - 1).astype(np.int64)
        ts = _seconds(np.asarray(t)[known])
        o = np.asarray(officer, dtype=np.int64)[known]
        n_p = int(p.max()) + 1 if p.size else 0
        if p.size == 0:
            self._store(*(np.empty(0, dtype=np.int64) for _ in range(7)))
            return self
        # amounts of each procedure (k) and officers' use of each amount (ko)
        k, k_row = _dense(p, amount)
        k_p, k_amount = p[k_row], amount[k_row]
        n_k = len(k_row)
        ko, ko_row = _dense(k, o)
        ko_k, ko_o = k[ko_row], o[ko_row]
        first = np.full(len(ko_row), np.iinfo(np.int64).max)
        last = np.full(len(ko_row), np.iinfo(np.int64).min)
        np.minimum.at(first, ko, ts)
        np.maximum.at(last, ko, ts)
        ko_n = np.bincount(ko, minlength=len(ko_row))
        po, po_row = _dense(p, o)
        officers_k = np.bincount(ko_k, minlength=n_k)
        officers_p = np.bincount(p[po_row], minlength=n_p)
        m = np.minimum(self.min_officers, officers_p)[k_p]  # per amount
        start = _nth(first, ko_k, n_k, m, largest=False)
        end = _nth(last, ko_k, n_k, m, largest=True)
        spanned = (officers_k >= m) & (start <= end)
        lo, hi = np.where(spanned, start, 0), np.where(spanned, end, 0)
        # shares over the span, with and without the amount's main officer
        n_p_span = _count_between(np.sort(p * _T + ts), k_p, lo, hi)
        n_k_span = _count_between(np.sort(k * _T + ts), np.arange(n_k), lo, hi)
        by_use = np.lexsort((ko_o, -ko_n, ko_k))  # per amount, its main officer first
        top_ko = np.empty(n_k, dtype=np.int64)
        lead = by_use[np.r_[True, ko_k[by_use][1:] != ko_k[by_use][:-1]]]
        top_ko[ko_k[lead]] = lead
        top_po = po[ko_row[top_ko]]
        c_top_p = _count_between(np.sort(po * _T + ts), top_po, lo, hi)
        c_top_k = _count_between(np.sort(ko * _T + ts), top_ko, lo, hi)
        with np.errstate(invalid="ignore", divide="ignore"):
            # the span starts and ends with uses of the amount: its share is measured
            # inside them, or a rare amount would look common between two of its uses
            share = np.maximum(n_k_span - 2, 0) / np.maximum(n_p_span - 2, 1)
            share = np.where(n_p_span == n_k_span, 1.0, share)
            others = n_p_span - c_top_p
            loo = np.where(others > 0, (n_k_span - c_top_k) / np.maximum(others, 1), share)
        level = spanned & (n_k_span >= self.min_cases)
        level &= (share >= self.level_share) & (loo >= self.level_share)
        # the most common amount of each procedure is always a level, over all its uses
        k_n = np.bincount(k, minlength=n_k)
        mode = np.lexsort((k_amount, -k_n, k_p))
        mode = mode[np.r_[True, k_p[mode][1:] != k_p[mode][:-1]]]
        forced = np.zeros(n_k, dtype=bool)
        forced[mode] = ~level[mode]
        all_first = np.full(n_k, np.iinfo(np.int64).max)
        all_last = np.full(n_k, np.iinfo(np.int64).min)
        np.minimum.at(all_first, ko_k, first)
        np.maximum.at(all_last, ko_k, last)
        lo = np.where(forced, all_first, lo)
        hi = np.where(forced, all_last, hi)
        level |= forced
        self._levels_from(k_p[level], k_amount[level], lo[level], hi[level], n_p)
        return self

    def _levels_from(self, lp, amount, start, end, n_p: int) -> None:
        """Change points from the level spans, then the levels of each period."""
        # events in time order per procedure: starts before ends on the same second
        ev_p = np.r_[lp, lp]
        ev_t = np.r_[start, end]
        ev_kind = np.r_[np.zeros(len(lp), np.int64), np.ones(len(lp), np.int64)]  # 0 start, 1 end
        order = np.lexsort((ev_kind, ev_t, ev_p))
        ev_p, ev_t, ev_kind = ev_p[order], ev_t[order], ev_kind[order]
        cut = (ev_p[:-1] == ev_p[1:]) & (ev_kind[:-1] == 1) & (ev_kind[1:] == 0)
        b_p, b_lo, b_hi = ev_p[:-1][cut], ev_t[:-1][cut], ev_t[1:][cut]
        n_b = np.bincount(b_p, minlength=n_p)
        b_first = np.r_[0, np.cumsum(n_b)[:-1]]
        # the periods each level meets: from the first whose end is not before its start
        # (boundaries with lo < start) to the last that starts by its end (hi <= end)
        keys_lo, keys_hi = b_p * _T + b_lo, b_p * _T + b_hi
        k_first = search(keys_lo, lp * _T + start, side="left") - b_first[lp]
        k_last = search(keys_hi, lp * _T + end, side="right") - b_first[lp]
        k_last = np.maximum(k_last, k_first)
        reps = k_last - k_first + 1
        row = np.repeat(np.arange(len(lp)), reps)
        period = k_first[row] + (np.arange(len(row)) - np.repeat(np.cumsum(reps) - reps, reps))
        group_base = np.r_[0, np.cumsum(n_b + 1)[:-1]]  # period ids: procedure by procedure
        group = group_base[lp[row]] + period
        self._store(
            np.unique(group * _SHIFT + amount[row]),
            b_p, b_lo, b_hi, b_first, n_b, group_base,
        )  # fmt: skip
        self.period_levels_ = (lp[row], period, amount[row])  # procedure, period, level

    def _store(self, keys, b_p, b_lo, b_hi, b_first, n_b, group_base) -> None:
        self.keys_ = keys
        self.b_p_, self.b_lo_, self.b_hi_ = b_p, b_lo, b_hi
        self.b_first_, self.n_b_, self.group_base_ = b_first, n_b, group_base
        smallest = np.full(len(n_b), np.nan)
        if len(keys):
            amounts = (keys % _SHIFT).astype(np.float64)
            groups = keys // _SHIFT
            procedure = np.searchsorted(group_base, groups, side="right") - 1
            positive = amounts > 0
            np.fmin.at(smallest, procedure[positive], amounts[positive])
        self.smallest_ = smallest

    # ------------------------------------------------------------------ queries
    def _periods(self, p: np.ndarray, t: np.ndarray):
        """Period index of each case and whether it lies in a change window."""
        ts = _seconds(t)
        q = np.maximum(p, 0)
        base = self.b_first_[q]
        key = q * _T + ts
        after = search(self.b_p_ * _T + self.b_hi_, key, side="right") - base
        passed = search(self.b_p_ * _T + self.b_lo_, key, side="left") - base
        after = np.clip(after, 0, self.n_b_[q])
        return after, passed > after

    def _nearest(self, group: np.ndarray, amount: np.ndarray):
        """(nearest level at or below the amount, lowest level) of each case's period group."""
        keys = self.keys_
        if len(keys) == 0:
            nan = np.full(len(group), np.nan)
            return nan, nan
        pos = search(keys, group * _SHIFT + amount, side="right") - 1
        at = np.maximum(pos, 0)
        below = np.where((pos >= 0) & (keys[at] // _SHIFT == group), keys[at] % _SHIFT, -1)
        first = search(keys, group * _SHIFT, side="left")
        fat = np.minimum(first, len(keys) - 1)
        lowest = np.where(
            (first < len(keys)) & (keys[fat] // _SHIFT == group), keys[fat] % _SHIFT, -1
        )
        return (np.where(below >= 0, below, np.nan).astype(np.float64),
                np.where(lowest >= 0, lowest, np.nan).astype(np.float64))  # fmt: skip

    def reference(self, p: np.ndarray, charged: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Each case's reference: the nearest level in force at or below the amount charged
        (the lowest level in force when it is below all); NaN for unseen procedures."""
        p = np.asarray(p, dtype=np.int64)
        n_p = len(self.n_b_)
        seen = (p >= 0) & (p < n_p)
        q = np.where(seen, p, 0)
        charged = np.asarray(charged, dtype=np.float64)
        amount = np.where(np.isfinite(charged), np.clip(np.round(charged), 0, _SHIFT - 1), 0)
        amount = amount.astype(np.int64)
        if n_p == 0:
            return np.full(len(p), np.nan)
        period, window = self._periods(q, t)
        group = self.group_base_[q] + period
        below, lowest = self._nearest(group, amount)
        nxt_below, nxt_lowest = self._nearest(group + 1, amount)
        below = np.where(window, np.fmax(below, nxt_below), below)
        lowest = np.where(window, np.fmin(lowest, nxt_lowest), lowest)
        return np.where(seen, np.where(np.isnan(below), lowest, below), np.nan)

    def round_unit(self, p: np.ndarray, default: float) -> np.ndarray:
        """The unit of a round excess over a learned level.

        ``default`` (10,000 VND), unless the procedure's smallest positive level is
        below a tenth of it: then the amounts are in another currency or scale
        (fines of 22-74 euros, fees written in thousands of VND) and the unit is
        that level's leading decimal unit (10 for 36 euros). Fees of 1,000 VND or
        more keep the default.
        """
        p = np.asarray(p, dtype=np.int64)
        table = self.smallest_
        seen = (p >= 0) & (p < len(table))
        smallest = table[np.where(seen, p, 0)] if len(table) else np.full(len(p), np.nan)
        smallest = np.where(seen, smallest, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            leading = 10.0 ** np.floor(np.log10(smallest))
        rescaled = np.isfinite(leading) & (smallest < default / 10)
        return np.where(rescaled, np.minimum(leading, default), default)

    def changes(self, procedures: pd.Index) -> pd.DataFrame:
        """One row per change point: procedure_id, the window (``window_from``,
        ``window_to``] that holds the change, ``date`` (its midpoint), and the
        levels in force in the periods before and after."""
        columns = ["procedure_id", "window_from", "window_to", "date", "levels_before",
                   "levels_after"]  # fmt: skip
        if not len(getattr(self, "b_p_", ())):
            return pd.DataFrame(columns=columns)
        lp, period, amount = self.period_levels_
        p, lo, hi = self.b_p_, self.b_lo_, self.b_hi_
        j = np.arange(len(p)) - self.b_first_[p]  # the change's number within its procedure
        table = pd.Series(amount).groupby([lp, period]).agg(lambda a: sorted(a.tolist()))
        seconds = lambda x: pd.to_datetime(x, unit="s")  # noqa: E731
        return pd.DataFrame({
            "procedure_id": np.asarray(procedures)[p],
            "window_from": seconds(lo),
            "window_to": seconds(hi),
            "date": seconds((lo + hi) // 2).normalize(),
            "levels_before": table.reindex(list(zip(p, j, strict=True))).to_numpy(),
            "levels_after": table.reindex(list(zip(p, j + 1, strict=True))).to_numpy(),
        })[columns]  # fmt: skip
