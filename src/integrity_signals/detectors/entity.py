"""Entity tests: each officer's (or unit's) count of events against what its case mix predicts.

For every signal, ``O`` is an entity's number of events and ``E`` the sum of
its cases' event chances under their peers (indirect standardisation: a unit
that handles slow procedures is expected to have more slow cases), for
``"shift"`` signals under the entity's own shifted baseline
(:mod:`~integrity_signals.detectors.shift`). Honest entities differ more than
Poisson chance allows, so the test allows for over-dispersion as in
Spiegelhalter (2005, Stat Med 24:1185): the spread of the Poisson z-scores
estimates the dispersion (robustly, by their scaled median absolute
deviation, where Spiegelhalter winsorises), and an additive between-entity
variance ``tau^2`` on the ratio scale widens every entity's interval.
One-sided (excess) p-values are the upper tail of a negative binomial count
with mean ``E`` and variance ``E + tau^2 E^2`` (the Poisson-gamma model of
that variance).

Events that come in clusters (one applicant's dossiers with an officer become
repeat-pair events together) are counted in units of their expected cluster
size: with a *design effect* ``d = V / E`` (``V`` the variance of the count of
clustered events), ``O / d`` is tested against ``E / d``, so fifty dossiers of
one heavy filer weigh as one unlucky draw, not fifty.

``tau^2`` and a recentring of the expected counts on the median entity (the
peer model of some signals is conservative for everyone) are learned on the
reference period and kept for later batches. False-discovery control across
entities is Benjamini-Hochberg.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["BASELINE_PSEUDO", "EntityRateTest", "count_tail", "entity_counts"]

#: Events added to every expected count in the tests (baseline uncertainty), in cluster units.
BASELINE_PSEUDO = 2.0
#: Entities need this many expected events to inform the recentring: where most entities expect
#: one event and have none, their median ratio says nothing about the peer model.
_SCALE_MIN_EXPECTED = 5.0


def entity_counts(
    codes: np.ndarray, values: np.ndarray, n_entities: int, mask: np.ndarray | None = None
) -> np.ndarray:
    """Per entity and column: the sum of ``values`` (NaN entries and unknown entities skipped).

    >>> entity_counts(np.array([0, 1, 1, -1]), np.array([[1.0], [np.nan], [2.0], [5.0]]), 2).tolist()
    [[1.0], [2.0]]
    """
    values = np.asarray(values, dtype=np.float64)
    out = np.zeros((n_entities, values.shape[1]))
    ok_rows = codes >= 0 if mask is None else (codes >= 0) & mask
    # rows left out go to an extra bin (no masked copies); the others add up in row order
    bins = np.where(ok_rows, codes, n_entities)
    for j in range(values.shape[1]):
        missing = np.isnan(values[:, j])
        out[:, j] = np.bincount(
            np.where(missing, n_entities, bins), np.where(missing, 0.0, values[:, j]),
            n_entities + 1,
        )[:n_entities]  # fmt: skip
    return out


def count_tail(observed: np.ndarray, mean: np.ndarray, tau2: np.ndarray) -> np.ndarray:
    """``P(X >= O)`` for a negative binomial ``X`` of this mean and variance ``mean + tau2 mean^2``
    (Poisson where ``tau2 = 0``), continuous in ``O`` (the regularised incomplete gamma and
    beta functions extend the tails to counts in cluster units).

    >>> round(float(count_tail(np.array(5.0), np.array(2.0), np.array(0.0))), 4)  # Poisson
    0.0527
    """
    o = np.asarray(observed, dtype=np.float64)
    mu = np.maximum(np.asarray(mean, dtype=np.float64), 1e-12)
    tau2 = np.broadcast_to(np.asarray(tau2, dtype=np.float64), o.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        poisson = special.gammainc(np.maximum(o, 1e-12), mu)
        t = np.where(tau2 > 0, tau2, 1.0)
        negbin = special.betainc(np.maximum(o, 1e-12), 1.0 / t, t * mu / (1.0 + t * mu))
    tail = np.where(tau2 > 0, negbin, poisson)
    return np.where(o > 0, np.clip(tail, 0.0, 1.0), 1.0)


def _tau2(observed: np.ndarray, expected: np.ndarray, min_expected: float) -> float:
    """Spiegelhalter's additive over-dispersion on the ratio scale, from the z-scores' robust spread."""
    use = expected >= min_expected  # NaN (left out) compares False
    if use.sum() < 5:
        return 0.0
    o, e = observed[use], expected[use]
    z = (o - e) / np.sqrt(e)
    n = len(z)
    # robust spread of the z-scores (scaled MAD): a handful of deviant entities, the ones
    # we look for, cannot inflate the allowance for ordinary variation
    phi = float((1.4826 * np.median(np.abs(z - np.median(z)))) ** 2)
    w = e  # 1 / s^2 with s^2 = 1/E on the ratio scale
    denom = w.sum() - (w**2).sum() / w.sum()
    return max(0.0, (n * phi - (n - 1)) / denom) if denom > 0 else 0.0


class EntityRateTest:
    """Over-dispersed rate tests of entities (officers or units), one per signal.

    Parameters
    ----------
    min_expected : float
        Entities with fewer expected events (in cluster units) do not inform the
        dispersion estimate.
    """

    def __init__(self, min_expected: float = 1.0):
        self.min_expected = min_expected

    def fit(
        self, observed: np.ndarray, expected: np.ndarray, design=None, *, anomalous=None
    ) -> EntityRateTest:
        """Learn the null's scale and ``tau^2`` per signal from the reference entities.

        The scale recentres the expected counts on the typical entity (the
        median of ``(O + 1/2) / (E + 1/2)``, at least 1): where the peer model
        is generous for every entity alike, this corrects it, and a few
        deviant entities cannot move a median. ``anomalous`` (entities,
        signals), optional: entities already found anomalous on a signal, left
        out of its honest variation.
        """
        d = np.ones_like(expected) if design is None else design
        o, e = observed / d, expected / d
        if anomalous is not None:
            o, e = np.where(anomalous, np.nan, o), np.where(anomalous, np.nan, e)
        k = observed.shape[1]
        self.scale_ = np.ones(k)
        for j in range(k):
            use = e[:, j] >= _SCALE_MIN_EXPECTED  # a ratio needs a few expected events to mean much
            if use.sum() >= 5:
                ratio = (o[use, j] + 0.5) / (e[use, j] + 0.5)
                # upwards only: a peer model that under-predicts for everyone is corrected; one
                # that over-predicts stays conservative (a median of entities where a practice is
                # rare would otherwise shrink the expectations of the units that have it)
                self.scale_[j] = float(np.clip(np.median(ratio), 1.0, 20.0))
        scaled = e * self.scale_
        self.tau2_ = np.array([_tau2(o[:, j], scaled[:, j], self.min_expected) for j in range(k)])
        return self

    def calibrate(self, expected: np.ndarray) -> np.ndarray:
        """Expected counts on the recentred null (what the tests and the reports use)."""
        return expected * self.scale_

    def apply(self, observed: np.ndarray, expected: np.ndarray, design=None) -> np.ndarray:
        """One-sided p-values of excess events, (entities, signals): ``P(X >= O)``.

        ``expected`` is calibrated (:meth:`calibrate`). ``X`` is negative binomial
        with mean ``E + 2`` and variance ``E + tau^2 E^2`` in cluster units
        (Poisson where ``tau^2 = 0``): exact for small counts, where a normal
        approximation would turn one event against 0.001 expected into
        certainty. The two pseudo-events stand for the uncertainty of a rare
        baseline: a peer rate near zero is never known to be zero, so a handful
        of events is not proof against an entity.
        """
        d = np.ones_like(expected) if design is None else design
        o, e = observed / d, expected / d
        p = count_tail(o, e + BASELINE_PSEUDO, np.broadcast_to(self.tau2_, o.shape))
        return np.where(expected > 0, p, np.where(observed > 0, 0.5, 1.0))
