"""An entity's own shifted baseline: the mixture test that separates a scheme from a habit.

An officer who is fast (or slow, or strict) on all its dossiers *shifts* its
whole distribution: on the probit scale of its cases' peer tail
probabilities it sits at ``delta`` instead of 0, its moderate cases (the half
of the peer distribution on the signal's side) move with its extreme ones,
and its extra extreme events are what that shift predicts. A scheme is a
*mixture*: a share of ordinary dossiers jumps to the extreme while the rest
stay where they were, so the extreme events exceed what the shift of the rest
predicts.

For each entity and signal, ``delta`` is estimated from the entity's cases
that are *not* events: the share of them in the moderate band (between the
event threshold and :data:`~integrity_signals.signals.MODERATE`) against each
case's chance of that band under peers shifted by ``delta``,

    ``b_i(delta) = (Phi(z_m,i - delta) - Phi(z_e,i - delta)) / (1 - Phi(z_e,i - delta))``,

with ``z = Phi^-1`` of the case's peer chance of a moderate case (``m``) and of
an event (``e``). Events themselves never inform ``delta``, so a scheme cannot
raise its own baseline, whatever share of the dossiers it touches, on whatever
channel, sector or kind of applicant. ``delta`` is shrunk towards 0 by
:data:`SHIFT_PSEUDO` pseudo-cases (a small officer is not given a habit from a
handful of dossiers), bounded by :data:`MAX_SHIFT`, and never positive: a habit
explains events away, it never makes them rarer than among peers. The entity's expected
number of events is then ``sum_i Phi(z_e,i - delta)`` over all its cases, and
the rate test (:mod:`~integrity_signals.detectors.entity`) compares the observed
events with it. The probit shift is exact for a location shift of normally
distributed log-durations, and for counts it follows a rate multiplier closely
(twice the requests of peers gives 4.1 % two-request dossiers where peers have
1.2 %, against 4.2 % for Poisson counts).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

__all__ = ["MAX_SHIFT", "SHIFT_PSEUDO", "contextual_p", "estimate_shift", "shifted_chance"]

#: Pseudo-cases at the peers' behaviour (delta = 0) added to every entity's estimate.
SHIFT_PSEUDO = 10.0
#: The largest shift allowed, in probit units (a whole distribution 2.5 SD off its peers').
MAX_SHIFT = 2.5
_ITERATIONS = 40


def _band(z_m: np.ndarray, z_e: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Chance of the moderate band given no event, under a shift of ``delta``."""
    above = 1.0 - ndtr(z_e - delta)
    with np.errstate(invalid="ignore", divide="ignore"):
        band = (ndtr(z_m - delta) - ndtr(z_e - delta)) / above
    return np.where(above > 1e-12, band, 1.0)


def shifted_chance(expected: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """A case's chance of an event when its entity's distribution is shifted by ``delta``.

    >>> round(float(shifted_chance(np.array(0.05), np.array(-0.5))), 4)
    0.1261
    """
    z = ndtri(np.clip(expected, 1e-9, 1 - 1e-9))
    return np.where(np.isnan(expected), np.nan, ndtr(z - delta))


def estimate_shift(
    entity: np.ndarray,
    cell: np.ndarray,
    n_entities: int,
    events: np.ndarray,
    moderate: np.ndarray,
    expected: np.ndarray,
    moderate_expected: np.ndarray,
) -> np.ndarray:
    """Per entity: the shift ``delta`` of its distribution, read off its cases that are not events.

    Parameters
    ----------
    entity : int array
        Entity code of each case (-1: not counted).
    cell : int array
        A key under which cases share their peer chances (procedure x unit x
        officer): the estimation runs once per entity and cell.
    events, moderate : float arrays
        1 / 0 / NaN per case (NaN: not applicable).
    expected, moderate_expected : float arrays
        Each case's peer chance of an event and of a moderate case.
    """
    ok = (entity >= 0) & ~np.isnan(events) & ~np.isnan(moderate)
    ent, cel = entity[ok], cell[ok]
    key, inverse = np.unique(ent.astype(np.int64) * (int(cel.max(initial=0)) + 1) + cel,
                             return_inverse=True)  # fmt: skip
    n_cells = key.size
    first = np.zeros(n_cells, dtype=np.int64)
    first[inverse] = np.arange(inverse.size)
    owner = ent[first]
    z_e = ndtri(np.clip(expected[ok][first], 1e-9, 1 - 1e-9))
    z_m = np.maximum(ndtri(np.clip(moderate_expected[ok][first], 1e-9, 1 - 1e-9)), z_e)
    ev, mo = events[ok], moderate[ok]
    quiet = np.bincount(inverse, ev == 0, n_cells)  # not events: they inform the shift
    band = np.bincount(ent, (ev == 0) & (mo == 1), n_entities)
    n_quiet = np.bincount(owner, quiet, n_entities)

    def mean_band(delta_of_entity: np.ndarray) -> np.ndarray:
        b = _band(z_m, z_e, delta_of_entity[owner])
        return np.bincount(owner, quiet * b, n_entities) / np.maximum(n_quiet, 1e-12)

    at_peers = mean_band(np.zeros(n_entities))
    target = (band + SHIFT_PSEUDO * at_peers) / (n_quiet + SHIFT_PSEUDO)
    lo, hi = np.full(n_entities, -MAX_SHIFT), np.full(n_entities, MAX_SHIFT)
    for _ in range(_ITERATIONS):  # the band's share rises as delta falls: bisection
        mid = (lo + hi) / 2
        above = mean_band(mid) > target
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    delta = np.where(n_quiet > 0, (lo + hi) / 2, 0.0)
    # no band to read (peers never moderate short of an event): no habit to explain
    informative = np.bincount(owner, quiet * (ndtr(z_m) - ndtr(z_e)), n_entities) > 1e-9
    # a habit explains events away; it never makes them rarer than among peers: a lenient
    # officer's moderate band is empty where requests come one at a time, and a shift read off
    # other procedures would make its few events look like a scheme
    return np.where(informative, np.minimum(delta, 0.0), 0.0)


def contextual_p(p: np.ndarray, chance: np.ndarray, alpha: float, kind: str) -> np.ndarray:
    """A case's p-value against its own context: its officer's shifted baseline in its unit.

    ``p`` is the case's tail probability among all other officers' cases of
    the procedure, ``chance`` its chance of an event (``p <= alpha``) under its
    officer's baseline (the unit's practice and the officer's own shift).

    - ``"tail"`` (a measure with depth, such as a duration): the context
      shifts the whole distribution on the probit scale, so that an event has
      exactly ``chance``: ``Phi(Phi^-1(p) + Phi^-1(chance) - Phi^-1(alpha))``,
      where that is larger than ``p`` (a quiet context does not make a case
      rarer than among all peers: the shape of a count's or a fee's tail is
      not known well enough for that);
    - ``"occurrence"`` (a fact, such as a round fee excess): an event is no
      rarer than its chance in the context: ``max(p, chance)``;
    - ``"exact"``: a test of its own (the pair test), unchanged.

    >>> round(float(contextual_p(np.array(0.001), np.array(0.05), 0.05, "tail")), 6)
    0.001
    >>> round(float(contextual_p(np.array(0.001), np.array(0.5), 0.05, "tail")), 3)  # a habit
    0.074
    >>> float(contextual_p(np.array(0.0004), np.array(0.3), 0.25, "occurrence"))
    0.3
    """
    if kind == "exact":
        return p
    if kind == "occurrence":
        return np.where(np.isnan(p), np.nan, np.maximum(p, np.nan_to_num(chance, nan=0.0)))
    shift = ndtri(np.clip(chance, 1e-9, 1 - 1e-9)) - ndtri(alpha)
    out = ndtr(ndtri(np.clip(p, 1e-300, 1.0)) + np.maximum(np.nan_to_num(shift), 0.0))
    return np.where(np.isnan(p), np.nan, np.maximum(out, p))
