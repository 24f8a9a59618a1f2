"""Statistical tails: per-signal calibrated p-values of each case, and their event base rates.

Each :class:`Signal` reads one tail-probability feature (small = unusual
within the case's peer group). A case is an *event* for a signal when its
p-value is at most ``event_alpha``. ``fit`` learns, per procedure x unit
(shrunk to the procedure, then to the whole reference), how often events
happen, so that an officer's or unit's expected number of events follows
from its own case mix (indirect standardisation; see
:mod:`~integrity_signals.detectors.entity`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..features.handlers import pair_threshold
from ..features.peers import shrunk_rate

__all__ = ["OCCURRENCE_ALPHA", "SIGNALS", "Signal", "TailDetector"]

#: Event threshold of occurrence signals: anything beyond the peers' typical case.
OCCURRENCE_ALPHA = 0.25


@dataclass(frozen=True)
class Signal:
    """One risk signal: the feature(s) holding its p-value and what it means.

    A signal with two features is a co-occurrence: their p-values are joined
    by Fisher's method for two independent p-values, ``x (1 - ln x)`` with
    ``x = p1 p2`` (both must be present).

    ``occurrence`` signals (counts and yes/no facts: a request for documents,
    a fee above the posted one, a waiver, a self-received dossier) count as an
    event whenever they occur beyond the peers' typical case (p <= 1/4);
    the others when the case is in the tail (p <= ``event_alpha``).
    ``specific`` is False for plain speed: officers legitimately differ in
    speed a lot, so fast or slow work alone is weak evidence against an officer.

    ``null`` says how the chance of an event is known for the entity tests:
    ``"peers"``, learned from the other officers' cases in the reference
    (discrete tails such as counts and hours need it); ``"binomial"``, exact
    from the pair test itself (it depends on the officer's share of the
    procedure, which other officers do not have); ``"calibrated"``, the
    threshold itself (a joint tail of two p-values).

    ``own_control``: an officer's in-person events are weighed against the
    officer's own dossiers on other channels (habits such as strictness or
    late stamping show on every channel; counter corruption does not). Pair
    signals count every channel: brokers file online too.

    ``gate``: a yes/no feature that must be 1 for the case to count (else its
    p-value is 1): a fee excess counts when it is a round amount (a multiple of
    10,000 VND), not the small change of copy charges.
    """

    name: str
    family: str
    p_features: tuple[str, ...]
    description: str
    occurrence: bool = False
    specific: bool = True
    null: str = "peers"
    own_control: bool = True
    gate: str | None = None

    @property
    def p_feature(self) -> str:
        return self.p_features[0]


def fisher2(p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
    """P(U1 U2 <= p1 p2) for independent uniforms: the joint tail of two p-values.

    >>> round(float(fisher2(np.array(0.01), np.array(0.01))), 6)
    0.001021
    """
    x = np.clip(p1 * p2, 1e-300, 1.0)
    return np.minimum(x * (1.0 - np.log(x)), 1.0)


_S = Signal
SIGNALS: tuple[Signal, ...] = (
    _S("fast", "timing", ("timing__fast_p",), "handled much faster than peers", specific=False),
    _S("slow", "timing", ("timing__slow_p",), "handled much slower than peers, or still open", specific=False),
    _S("queue_jump", "timing", ("timing__queue_jump_p",), "closed ahead of earlier dossiers", specific=False),
    _S("supplements", "timing", ("timing__supplements_p",), "more requests for documents than peers", True),
    _S("supplements_fast", "timing", ("timing__supplements_p", "timing__fast_p"),
       "requests for documents, yet handled fast"),
    _S("off_time", "timing", ("timing__off_time_p",), "completed at an unusual hour or day"),
    _S("excess_fee", "fees", ("fees__excess_p",), "round fee excess above the posted or usual fee", True,
       gate="fees__excess_round"),
    _S("waiver", "fees", ("fees__waiver_p",), "fee waived on a paid procedure", True),
    _S("waiver_fast", "fees", ("fees__waiver_p", "timing__fast_p"), "fee waived and handled fast"),
    _S("repeat_pair", "handlers", ("handlers__pair_p",), "applicant steered to one officer", True,
       null="binomial", own_control=False),
    _S("pair_fast", "handlers", ("handlers__pair_p", "timing__fast_p"), "repeated pair handled fast",
       specific=False, null="calibrated", own_control=False),
    _S("pair_jump", "handlers", ("handlers__pair_p", "timing__queue_jump_p"), "repeated pair jumping the queue",
       specific=False, null="calibrated", own_control=False),
    _S("pair_waiver", "handlers", ("handlers__pair_p", "fees__waiver_p"), "repeated pair with waived fees",
       own_control=False),
    _S("self_receipt", "handlers", ("handlers__receiver_is_handler_p",), "received and processed by one officer", True),
)  # fmt: skip


class TailDetector:
    """Signal p-values and event base rates (fitted on the reference features).

    Parameters
    ----------
    event_alpha : float
        A case is an event for a signal when its p-value is at most this.
    shrinkage : float
        Credibility constant for the per procedure x unit event rates.
    """

    def __init__(self, event_alpha: float = 0.05, shrinkage: float = 50.0):
        self.event_alpha = event_alpha
        self.shrinkage = shrinkage

    def pvalues(self, features: pd.DataFrame) -> np.ndarray:
        """(cases, signals) p-value matrix; NaN where a signal does not apply."""
        out = np.full((len(features), len(SIGNALS)), np.nan)
        for j, s in enumerate(SIGNALS):
            if not all(f in features.columns for f in s.p_features):
                continue
            parts = [features[f].to_numpy(dtype=np.float64) for f in s.p_features]
            if s.gate is not None and s.gate in features.columns:
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

    def events(self, p: np.ndarray) -> np.ndarray:
        """1.0 event, 0.0 no event, NaN not applicable."""
        alpha = np.array([OCCURRENCE_ALPHA if s.occurrence else self.event_alpha for s in SIGNALS])
        return np.where(np.isnan(p), np.nan, (p <= alpha).astype(np.float64))

    def fit(
        self, p: np.ndarray, procedure: np.ndarray, unit: np.ndarray, officer: np.ndarray
    ) -> TailDetector:
        """Learn event counts per procedure, procedure x unit, and the same per officer.

        ``procedure``, ``unit`` and ``officer`` are integer codes of the reference cases.
        """
        ev = self.events(p)
        present = ~np.isnan(ev)
        self.overall_ = np.nansum(ev, axis=0) / np.maximum(present.sum(axis=0), 1)
        keys = _keys(procedure, unit, officer)
        self.tables_ = {}
        for name, key in keys.items():
            uniq, inverse = np.unique(key, return_inverse=True)
            events = np.empty((len(SIGNALS), len(uniq)))
            totals = np.empty((len(SIGNALS), len(uniq)))
            for j in range(len(SIGNALS)):
                ok = ~np.isnan(ev[:, j])
                events[j] = np.bincount(inverse[ok], ev[ok, j], len(uniq))
                totals[j] = np.bincount(inverse[ok], minlength=len(uniq))
            self.tables_[name] = (pd.Index(uniq), events, totals)
        # unit practice: each unit's events against what the procedure rates predict for its cases
        index, events, totals = self.tables_["p"]
        proc_rate = shrunk_rate(events, totals, self.overall_[:, None], float(self.shrinkage))
        predicted = proc_rate[:, np.maximum(index.get_indexer(keys["p"]), 0)].T  # (cases, signals)
        for name in ("u", "uo"):
            uniq, inverse = np.unique(keys[name], return_inverse=True)
            ev_sum = np.empty((len(SIGNALS), len(uniq)))
            pred_sum = np.empty((len(SIGNALS), len(uniq)))
            for j in range(len(SIGNALS)):
                ok = ~np.isnan(ev[:, j])
                ev_sum[j] = np.bincount(inverse[ok], ev[ok, j], len(uniq))
                pred_sum[j] = np.bincount(inverse[ok], predicted[ok, j], len(uniq))
            self.tables_[name] = (pd.Index(uniq), ev_sum, pred_sum)
        return self

    def expected(
        self, p, procedure, unit, officer, features: pd.DataFrame | None = None
    ) -> np.ndarray:
        """(cases, signals) probability of an event under the *other* officers' behaviour.

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
        pos = {name: self.tables_[name][0].get_indexer(key) for name, key in keys.items()}

        def counts(name: str, j: int):  # one signal at a time: memory stays O(cases)
            _, events, totals = self.tables_[name]
            at = pos[name]
            ok = at >= 0
            return np.where(ok, events[j, at], 0.0), np.where(ok, totals[j, at], 0.0)

        rate = np.empty(p.shape)
        for j in range(len(SIGNALS)):
            ep, tp = counts("p", j)
            epo, tpo = counts("po", j)
            epu, tpu = counts("pu", j)
            epuo, tpuo = counts("puo", j)
            eu, xu = counts("u", j)
            euo, xuo = counts("uo", j)
            proc_rate = shrunk_rate(ep - epo, tp - tpo, self.overall_[j], k)
            unit_factor = (eu - euo + _UNIT_PSEUDO) / (xu - xuo + _UNIT_PSEUDO)  # the unit's others
            rate[:, j] = shrunk_rate(epu - epuo, tpu - tpuo, proc_rate * unit_factor, k)
        for j, sig in enumerate(SIGNALS):
            if sig.null == "calibrated":
                rate[:, j] = self.event_alpha
            elif sig.null == "binomial" and features is not None:
                alpha = OCCURRENCE_ALPHA if sig.occurrence else self.event_alpha
                rate[:, j] = _pair_event_chance(features, alpha)
        return np.where(np.isnan(p), np.nan, np.clip(rate, 1e-6, 1.0))


def _pair_event_chance(features: pd.DataFrame, alpha: float) -> np.ndarray:
    """Chance, under the unit's assignment, that a case is a repeat-pair event.

    Given this dossier went to its officer, the pair count is ``1 + Bin(n - 1, q')``:
    ``n`` the applicant's dossiers, ``q'`` the officer's expected share of the
    *other* ones (the pair's expected count less this dossier's own assignment
    chance, over ``n - 1``; a citizen's birth certificate does not raise the chance
    that the same officer gets the citizen's land dossier). The case is an event
    when the pair test's tail (at the steering share of the whole expected share
    ``q``) is at most ``alpha``, i.e. when the count reaches ``k*``
    (:func:`pair_threshold`).
    """
    n = features["handlers__applicant_cases"].to_numpy(dtype=np.float64)
    expected = features["handlers__pair_expected"].to_numpy(dtype=np.float64)
    own = features["handlers__assignment_share"].to_numpy(dtype=np.float64)
    q = np.clip(expected / n, 1e-9, 1 - 1e-9)
    multi = np.isfinite(n) & np.isfinite(q) & (n >= 2)
    n_, q_ = np.where(multi, n, 2), np.where(multi, q, 0.5)
    other = np.clip((expected - np.nan_to_num(own)) / np.maximum(n_ - 1, 1), 1e-9, 1 - 1e-9)
    k_star = pair_threshold(n_, q_, alpha)  # the test's threshold
    chance = stats.binom.sf(k_star - 2, n_ - 1, np.where(multi, other, 0.5))
    return np.where(multi, chance, 0.0)


#: Pseudo-events of the unit practice factor (a unit needs evidence to differ from the rest).
_UNIT_PSEUDO = 10.0


def _keys(procedure: np.ndarray, unit: np.ndarray, officer: np.ndarray) -> dict[str, np.ndarray]:
    """Integer keys of the peer groups (codes are below 2**20 each)."""
    p, u, o = (np.asarray(a, dtype=np.int64) for a in (procedure, unit, officer))
    return {
        "p": p, "po": (p << 21) + o, "pu": (p << 21) + u, "puo": (((p << 21) + u) << 21) + o,
        "u": u, "uo": (u << 21) + o,
    }  # fmt: skip
