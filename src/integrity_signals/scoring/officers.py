"""The officer route: an officer's excess of one pattern, as evidence about its dossiers.

An officer's test says that it has too many events of a kind, not which of
them are the excess. Of its ``O`` events of a signal, about ``E + 2`` are
ordinary (the case mix's prediction under the officer's own baseline, plus
the test's two pseudo-events for an uncertain baseline; in cluster units for
repeated pairs), and all of them as far as the officer's excess may itself be
a false discovery:

    ``ordinary = E + 2 d + q_officer (O - E - 2 d)``,

with ``q_officer`` the Benjamini-Hochberg q-value of the officer's test among
all officers' tests and ``d`` the design effect. Two uses:

- **ranking** (:func:`officer_posterior`): each event of the group is one of
  the excess with probability ``1 - ordinary / O`` (the group's local
  false-discovery rate is its ordinary share), so an officer contributes about
  its excess to the top of the ranking, not all its dossiers;
- **flags** (:func:`officer_route`): groups count where the officer's test is
  a discovery and at most :data:`MAX_GROUP_ORDINARY_SHARE` of the group is
  ordinary even for an honest officer whose rate is unusually high: ``E`` is
  taken at the ``1 - fdr`` quantile of the honest officers' spread around the
  prediction (``E exp(z sqrt(tau2))``; an officer slow on a tenth of its
  ordinary dossiers has more ordinary slow events than its case mix predicts,
  and a scheme on top of that must not flag them all); the cases are pooled in order of their cleanest group's share
  (:func:`~integrity_signals.detectors.combine.group_qvalues`). 409
  self-received dossiers where 12 are expected are flagged together; 180
  requests for documents where 67 are expected flag the officer, not each
  request. Repeated pairs come in clusters (an applicant's dossiers with the
  officer) and are flagged on their own pair test only.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from ..detectors.combine import bh_qvalues, group_qvalues
from ..detectors.entity import BASELINE_PSEUDO
from ..signals import SIGNALS
from .entities import EntityEvidence

__all__ = ["MAX_GROUP_ORDINARY_SHARE", "officer_posterior", "officer_route", "ordinary_share"]

#: An officer's events of a pattern are flagged as a group only where at most this share of
#: them is expected to be ordinary (Efron's usual local false-discovery threshold).
MAX_GROUP_ORDINARY_SHARE = 0.2
_CLUSTER = np.array([s.test == "cluster" for s in SIGNALS])


def ordinary_share(officer: EntityEvidence, spread: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(share, q_officer): per officer and signal, the expected ordinary share of its events
    (1 where it has none) and the BH q-value of its test; ``spread`` > 0 takes the expected
    count at that many standard deviations of the honest officers' dispersion above it."""
    observed, expected, design = officer.observed, officer.expected, officer.design
    if spread and officer.tau2 is not None:
        expected = expected * np.exp(spread * np.sqrt(np.maximum(officer.tau2, 0.0)))
    q = np.nan_to_num(bh_qvalues(officer.p.ravel()).reshape(officer.p.shape), nan=1.0)
    baseline = expected + BASELINE_PSEUDO * design
    ordinary = baseline + q * np.maximum(observed - baseline, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(observed > 0, np.minimum(ordinary / observed, 1.0), 1.0)
    return share, q


def _best(officer: EntityEvidence, events: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per case: the smallest ``group`` value (entity x signal) among its event groups (1: none)."""
    codes = officer.codes
    known = codes >= 0
    best = np.ones(len(codes))
    for j in np.flatnonzero((group < 1.0).any(axis=0)):  # one signal at a time: memory O(cases)
        member = (events[:, j] == 1) & known
        np.minimum(best, np.where(member, group[np.maximum(codes, 0), j], 1.0), out=best)
    return best


def officer_posterior(officer: EntityEvidence, events: np.ndarray) -> np.ndarray:
    """Per case: the probability that it is one of its officer's excess events (0: none)."""
    share, _ = ordinary_share(officer)
    return 1.0 - _best(officer, events, share)


def officer_route(officer: EntityEvidence, events: np.ndarray, fdr: float) -> np.ndarray:
    """Per case: its q-value as one of an officer's events of a pattern (1 where none)."""
    share, q = ordinary_share(officer, float(ndtri(1.0 - fdr)))
    eligible = ~_CLUSTER & (q <= fdr) & (share <= MAX_GROUP_ORDINARY_SHARE)
    best = _best(officer, events, np.where(eligible, share, 1.0))
    out = np.ones(len(best))
    grouped = best < 1.0
    # rounded: groups of equal shares tie exactly, whatever the order of the sums behind them
    out[grouped] = group_qvalues(np.ones(int(grouped.sum())), np.round(best[grouped], 12))
    return out
