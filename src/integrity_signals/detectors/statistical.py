"""Statistical tails: per-signal calibrated p-values of each case, and their event base rates.

Each signal of the registry (:data:`~integrity_signals.signals.SIGNALS`)
reads one tail-probability feature (small = unusual within the case's peer
group). A case is an *event* of a signal when its p-value is at most the
signal's threshold, and *moderate* (``"shift"`` signals) when its ungated
p-value is at most :data:`~integrity_signals.signals.MODERATE`. ``fit``
learns, per procedure x unit (shrunk to the procedure, then to the whole
reference), how often both happen, so that an officer's or unit's expected
number of events follows from its own case mix (indirect standardisation; see
:mod:`~integrity_signals.detectors.entity`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..features.peers import shrunk_rate
from ..signals import MODERATE, OCCURRENCE_ALPHA, SIGNALS
from .pairs import cluster_size, pair_can_reach, pair_event_chance

__all__ = ["TailDetector", "Tails", "fisher2"]

#: A pair counts among an officer's pair tests when it could reach this (Tarone's rule).
TESTABLE_AT = 0.05
#: Pseudo-events of an officer's ratio in the unit practice (a few events are not a practice).
_UNIT_PSEUDO = 2.0
#: Reference cases an officer needs for its ratio to count in its unit's practice.
_UNIT_MIN_CASES = 30


def _others_median(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(columns, rows): per row, the median of the *other* rows of its group (NaN values and rows
    skipped; NaN where there is none). ``values`` is (columns, rows)."""
    out = np.full(values.shape, np.nan)
    for j in range(values.shape[0]):
        v = values[j]
        ok = np.isfinite(v)
        rows = np.flatnonzero(ok)
        g = group[rows]
        order = np.lexsort((v[rows], g))
        rows, g = rows[order], g[order]
        a = v[rows]
        start = np.searchsorted(g, g, side="left")
        m = np.searchsorted(g, g, side="right") - start  # group sizes
        r = np.arange(len(rows)) - start  # each row's rank in its group
        lo, hi = (m - 2) // 2, (m - 1) // 2  # median positions among the m - 1 others
        # the i-th smallest of the others skips the row itself
        at_lo = np.minimum(start + np.maximum(lo, 0) + (np.maximum(lo, 0) >= r), len(a) - 1)
        at_hi = np.minimum(start + np.maximum(hi, 0) + (np.maximum(hi, 0) >= r), len(a) - 1)
        out[j, rows] = np.where(m >= 2, (a[at_lo] + a[at_hi]) / 2, np.nan)
    return out


def _group_median(group: np.ndarray, values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """(columns, groups): the median of each group's finite values (NaN where none)."""
    out = np.full((values.shape[0], len(groups)), np.nan)
    for j in range(values.shape[0]):
        ok = np.isfinite(values[j])
        med = pd.Series(values[j][ok]).groupby(group[ok]).median()
        out[j, pd.Index(groups).get_indexer(med.index)] = med.to_numpy()
    return out


_SHIFT = np.array([s.test == "shift" for s in SIGNALS])


def fisher2(p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
    """P(U1 U2 <= p1 p2) for independent uniforms: the joint tail of two p-values.

    >>> round(float(fisher2(np.array(0.01), np.array(0.01))), 6)
    0.001021
    """
    x = np.clip(p1 * p2, 1e-300, 1.0)
    return np.minimum(x * (1.0 - np.log(x)), 1.0)


@dataclass(frozen=True)
class Tails:
    """One batch's case-level view of every signal, (cases, signals) arrays.

    ``p`` the p-values (NaN: not applicable); ``events`` 1/0/NaN; ``expected``
    each case's chance of an event under its peers; ``moderate`` and
    ``moderate_expected`` the same at the moderate level (NaN for signals that
    are not ``"shift"`` tests); ``cell`` each case's procedure x unit x officer
    key (cases of one cell share their expected chances); ``cluster`` the
    expected size of the repeated pair a case would belong to as a pair event
    (1 without applicants); ``testable`` whether its pair test could reach 0.05 at
    all (all of the applicant's dossiers with the officer; Tarone's rule: a pair
    that cannot be significant does not count among an officer's tests).
    """

    p: np.ndarray
    events: np.ndarray
    expected: np.ndarray
    moderate: np.ndarray
    moderate_expected: np.ndarray
    cell: np.ndarray
    cluster: np.ndarray
    testable: np.ndarray


class TailDetector:
    """Signal p-values, events and their base rates (fitted on the reference features).

    Parameters
    ----------
    event_alpha : float
        A case is an event of a tail signal when its p-value is at most this.
    shrinkage : float
        Credibility constant for the per procedure x unit event rates.
    """

    def __init__(self, event_alpha: float = 0.05, shrinkage: float = 50.0):
        self.event_alpha = event_alpha
        self.shrinkage = shrinkage

    # ------------------------------------------------------------------ p-values and events
    def pvalues(self, features: pd.DataFrame, *, gated: bool = True) -> np.ndarray:
        """(cases, signals) p-value matrix; NaN where a signal does not apply.

        With ``gated=False`` a gated signal's p-value ignores its gate (the
        moderate level of a fee excess counts copy charges too).
        """
        out = np.full((len(features), len(SIGNALS)), np.nan)
        for j, s in enumerate(SIGNALS):
            if not all(f in features.columns for f in s.p_features):
                continue
            parts = [features[f].to_numpy(dtype=np.float64) for f in s.p_features]
            if gated and s.gate is not None and s.gate in features.columns:
                gate = features[s.gate].to_numpy(dtype=np.float64)
                parts[0] = np.where(np.isnan(gate), np.nan, np.where(gate == 1, parts[0], 1.0))
            if len(parts) == 1:
                out[:, j] = parts[0]
            else:  # a co-occurrence needs its first signal present (no pair, waiver or request: n/a)
                # and its second at least leaning the same way: a steered pair closed in the usual
                # time is a repeated pair, not "a repeated pair handled fast"
                both = np.where(parts[1] < 0.5, fisher2(*parts), 1.0)
                out[:, j] = np.where(parts[0] < 0.5, both, np.nan)
        return out

    @property
    def thresholds(self) -> np.ndarray:
        """Each signal's event threshold."""
        return np.array([
            s.alpha if s.alpha is not None else OCCURRENCE_ALPHA if s.occurrence else self.event_alpha
            for s in SIGNALS
        ])  # fmt: skip

    def _indicators(self, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(p, events, moderate): events and moderate cases as 1.0 / 0.0 / NaN."""
        p = self.pvalues(features)
        events = np.where(np.isnan(p), np.nan, (p <= self.thresholds).astype(np.float64))
        ungated = self.pvalues(features, gated=False)
        moderate = np.where(
            _SHIFT & ~np.isnan(p), (ungated <= MODERATE) | (events == 1), np.nan
        ).astype(np.float64)
        return p, events, moderate

    def case_signals(self, features: pd.DataFrame) -> dict[str, np.ndarray]:
        """What the features alone decide, whatever the fitted rates: ``p``, ``events``,
        ``moderate``, the pair-event chance, cluster size and testability. Computed once, it
        can be passed to :meth:`fit` and :meth:`apply` of one batch as ``signals``."""
        p, events, moderate = self._indicators(features)
        pairs = [j for j, s in enumerate(SIGNALS) if s.null == "binomial"]
        has_pairs = "handlers__pair_expected" in features.columns
        return {
            "p": p, "events": events, "moderate": moderate,
            "pair_chance": {j: pair_event_chance(features, self.thresholds[j]) for j in pairs},
            "cluster": (
                cluster_size(features, self.thresholds[pairs[0]])
                if pairs and has_pairs else np.ones(len(features))
            ),
            "testable": (
                pair_can_reach(features, TESTABLE_AT)
                if has_pairs else np.zeros(len(features), dtype=bool)
            ),
        }  # fmt: skip

    # ------------------------------------------------------------------ fit / apply
    def fit(
        self, features: pd.DataFrame, procedure, unit, officer, *, leave_out=None, signals=None
    ) -> TailDetector:
        """Learn event and moderate counts per procedure, procedure x unit, and per officer.

        ``procedure``, ``unit`` and ``officer`` are integer codes of the reference cases.
        ``leave_out`` (cases, signals), optional: cases whose events of a signal do not count
        in the peer rates (those of officers found anomalous on it: a few corrupt officers
        must not raise every other officer's baseline). ``signals``: the features'
        :meth:`case_signals`, when already known.
        """
        if signals is None:
            _, events, moderate = self._indicators(features)
        else:
            events, moderate = signals["events"], signals["moderate"]
        # one indicator column at a time (events, then moderate cases): memory stays O(cases)
        k = events.shape[1]

        def every(j):  # the unit practice reads every officer
            return events[:, j] if j < k else moderate[:, j - k]

        def ind(j):  # the peer rates leave the anomalous officers' events out
            return (
                every(j) if leave_out is None else np.where(leave_out[:, j % k], np.nan, every(j))
            )

        keys = _keys(procedure, unit, officer)
        groups = {
            name: np.unique(keys[name], return_inverse=True) for name in ("p", "po", "pu", "puo")
        }
        sums = {
            name: (np.empty((2 * k, len(u))), np.empty((2 * k, len(u))))
            for name, (u, _) in groups.items()
        }
        overall = np.empty(2 * k)
        for j in range(2 * k):
            column = ind(j)
            present = ~np.isnan(column)  # indicators are 0 / 1: their sums are exact in any order
            overall[j] = np.nansum(column) / max(int(present.sum()), 1)
            for name, (uniq, inverse) in groups.items():
                _sum_into(sums[name], j, inverse, len(uniq), column)
        self.overall_ = overall
        self.tables_ = {name: (pd.Index(groups[name][0]), *sums[name]) for name in groups}
        # unit practice: each officer's events against what the procedure rates predict for its
        # cases; a unit's practice is what its *other* officers typically do (their median, which
        # a rogue officer cannot move, and which keeps a practice of the whole unit: where all
        # its officers stand out together, that is the unit's habit, not theirs)
        index, counts, totals = self.tables_["p"]
        proc_rate = shrunk_rate(counts, totals, self.overall_[:, None], float(self.shrinkage))
        at_p = np.maximum(index.get_indexer(keys["p"]), 0)
        uniq, inverse = np.unique(keys["uo"], return_inverse=True)
        events_uo, cases_uo = _sums(inverse, len(uniq), (every(j) for j in range(2 * k)), 2 * k)
        pred_uo, _ = _sums(
            inverse, len(uniq),
            (np.where(~np.isnan(every(j)), proc_rate[j, at_p], np.nan) for j in range(2 * k)),
            2 * k,
        )  # fmt: skip
        unit_of = uniq >> 21
        enough = cases_uo >= _UNIT_MIN_CASES  # an officer's ratio needs a few cases to mean much
        ratio = np.where(enough, (events_uo + _UNIT_PSEUDO) / (pred_uo + _UNIT_PSEUDO), np.nan)
        added = np.where(enough, (events_uo - pred_uo) / (cases_uo + self.shrinkage), np.nan)
        self.unit_practice_ = (
            pd.Index(uniq),
            np.nan_to_num(_others_median(unit_of, ratio), nan=1.0),
            np.nan_to_num(_others_median(unit_of, added), nan=0.0),
        )
        units = np.unique(unit_of)
        self.unit_typical_ = (  # for an officer the reference did not see in its unit
            pd.Index(units),
            np.nan_to_num(_group_median(unit_of, ratio, units), nan=1.0),
            np.nan_to_num(_group_median(unit_of, added, units), nan=0.0),
        )
        return self

    def apply(self, features: pd.DataFrame, procedure, unit, officer, *, signals=None) -> Tails:
        """p-values, events and their expected chances of a batch (see :class:`Tails`);
        ``signals``: the features' :meth:`case_signals`, when already known."""
        if signals is None:
            signals = self.case_signals(features)
        p, events, moderate = signals["p"], signals["events"], signals["moderate"]
        procedure, unit, officer = (
            np.asarray(a, dtype=np.int64) for a in (procedure, unit, officer)
        )
        # the rates are those of the case's procedure x unit x officer cell: computed once per cell
        cell = pd.factorize(_keys(procedure, unit, officer)["puo"])[0]
        first = np.empty(int(cell.max(initial=-1)) + 1, dtype=np.int64)
        first[cell[::-1]] = np.arange(len(cell) - 1, -1, -1)
        rate = self._rates(procedure[first], unit[first], officer[first])[cell]
        k = len(SIGNALS)
        expected, moderate_expected = rate[:, :k], rate[:, k:]
        for j, sig in enumerate(SIGNALS):
            if sig.null == "calibrated":
                expected[:, j] = self.event_alpha
            elif sig.null == "binomial":
                expected[:, j] = signals["pair_chance"][j]
        expected = np.where(np.isnan(p), np.nan, np.clip(expected, 1e-6, 1.0))
        moderate_expected = np.where(
            np.isnan(moderate), np.nan, np.clip(np.maximum(moderate_expected, expected), 1e-6, 1.0)
        )
        return Tails(
            p, events, expected, moderate, moderate_expected, cell, signals["cluster"],
            signals["testable"],
        )  # fmt: skip

    def _rates(self, procedure, unit, officer) -> np.ndarray:
        """(cases, 2 x signals) probability of an event, then of a moderate case, under the
        *other* officers' behaviour.

        Leave-one-officer-out: an officer's own cases are taken out of the
        peer rates its cases are compared with, so a scheme does not raise its
        own baseline. The procedure x unit rate of the other officers is shrunk
        towards the procedure's rate elsewhere times the unit's practice
        factor, measured on the unit's other officers (their events against
        what the procedure rates predict for their cases): an officer alone on
        a procedure in a slow unit, or in a unit that kept an old fee in its
        system, is compared with that unit's habits, not with other units'.
        """
        k = float(self.shrinkage)
        keys = _keys(procedure, unit, officer)
        pos = {name: self.tables_[name][0].get_indexer(keys[name]) for name in self.tables_}

        def counts(name: str, j: int):  # one column at a time: memory stays O(cases)
            _, events, totals = self.tables_[name]
            at = pos[name]
            ok = at >= 0
            return np.where(ok, events[j, at], 0.0), np.where(ok, totals[j, at], 0.0)

        index, factors, additions = self.unit_practice_
        at_uo = index.get_indexer(keys["uo"])
        units, unit_factors, unit_additions = self.unit_typical_
        at_u = units.get_indexer(keys["u"])
        rate = np.empty((len(keys["p"]), len(self.overall_)))
        for j in range(len(self.overall_)):
            ep, tp = counts("p", j)
            epo, tpo = counts("po", j)
            epu, tpu = counts("pu", j)
            epuo, tpuo = counts("puo", j)
            proc_rate = shrunk_rate(ep - epo, tp - tpo, self.overall_[j], k)
            # the unit's practice, read off its other officers: as a factor on the procedure's
            # rate (a slow unit is slow at everything), or as an added rate where the procedure's
            # own is near nothing (a Saturday desk returns some dossiers of every procedure)
            factor = np.where(
                at_uo >= 0, factors[j, at_uo], np.where(at_u >= 0, unit_factors[j, at_u], 1.0)
            )
            added = np.where(
                at_uo >= 0, additions[j, at_uo], np.where(at_u >= 0, unit_additions[j, at_u], 0.0)
            )
            prior = np.maximum(proc_rate * factor, proc_rate + np.maximum(added, 0.0))
            rate[:, j] = shrunk_rate(epu - epuo, tpu - tpuo, prior, k)
        return rate


def _sums(inverse: np.ndarray, n: int, columns, m: int):
    """Per column and group: the sum of the column's values and the number of present values
    (``columns``: ``m`` case columns, read one at a time)."""
    out = np.empty((m, n)), np.empty((m, n))
    for j, column in enumerate(columns):
        _sum_into(out, j, inverse, n, column)
    return out


def _sum_into(out, j: int, inverse: np.ndarray, n: int, column: np.ndarray) -> None:
    """Row ``j`` of :func:`_sums`' (sums, counts), from one column of the cases."""
    missing = np.isnan(column)  # missing values go to an extra bin: no masked copies
    bins = np.where(missing, n, inverse)
    out[0][j] = np.bincount(bins, np.where(missing, 0.0, column), n + 1)[:n]
    out[1][j] = np.bincount(bins, minlength=n + 1)[:n]


def _keys(procedure: np.ndarray, unit: np.ndarray, officer: np.ndarray) -> dict[str, np.ndarray]:
    """Integer keys of the peer groups (codes are below 2**20 each)."""
    p, u, o = (np.asarray(a, dtype=np.int64) for a in (procedure, unit, officer))
    return {
        "p": p, "po": (p << 21) + o, "pu": (p << 21) + u, "puo": (((p << 21) + u) << 21) + o,
        "u": u, "uo": (u << 21) + o,
    }  # fmt: skip
