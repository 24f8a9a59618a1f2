"""Entity tests: each officer's (or unit's) count of events against what its case mix predicts.

For every signal, ``O`` is an entity's number of events and ``E`` the sum of
its cases' event probabilities under their peers (indirect standardisation:
a unit that handles slow procedures is expected to have more slow cases).
Honest entities differ more than Poisson chance allows (some officers are
legitimately slower), so the test allows for over-dispersion as in
Spiegelhalter (2005, Stat Med 24:1185): the spread of the Poisson z-scores
estimates the dispersion (robustly, by their scaled median absolute
deviation, where Spiegelhalter winsorises), and an additive
between-entity variance ``tau^2`` on the ratio scale widens every entity's
interval. One-sided (excess) p-values are the upper tail of a negative
binomial count with mean ``E`` and variance ``E + tau^2 E^2`` (the Poisson-
gamma model of that variance); ``tau^2`` is learned on the reference period and
kept for later batches, as is a recentring of the expected counts on the
median entity (the peer model of some signals is conservative for everyone).
False-discovery control across entities is Benjamini-Hochberg.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["BASELINE_PSEUDO", "EntityRateTest", "entity_counts"]

#: Events added to every expected count in the tests (baseline uncertainty).
BASELINE_PSEUDO = 2.0


def entity_counts(codes: np.ndarray, events: np.ndarray, expected: np.ndarray, n_entities: int):
    """(observed, expected, cases) per entity and signal; NaN entries do not count."""
    n_signals = events.shape[1]
    observed = np.zeros((n_entities, n_signals))
    predicted = np.zeros((n_entities, n_signals))
    cases = np.zeros((n_entities, n_signals))
    ok_rows = codes >= 0
    for j in range(n_signals):
        ok = ok_rows & ~np.isnan(events[:, j])
        observed[:, j] = np.bincount(codes[ok], events[ok, j], n_entities)
        predicted[:, j] = np.bincount(codes[ok], expected[ok, j], n_entities)
        cases[:, j] = np.bincount(codes[ok], minlength=n_entities)
    return observed, predicted, cases


def _tau2(observed: np.ndarray, expected: np.ndarray, min_expected: float) -> float:
    """Spiegelhalter's additive over-dispersion on the ratio scale, from the z-scores' robust spread."""
    use = expected >= min_expected
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
        Entities with fewer expected events do not inform the dispersion estimate.
    """

    def __init__(self, min_expected: float = 1.0):
        self.min_expected = min_expected

    def fit(self, observed: np.ndarray, expected: np.ndarray) -> EntityRateTest:
        """Learn the null's scale and ``tau^2`` per signal from the reference entities.

        The scale recentres the expected counts on the typical entity (the
        median of ``(O + 1/2) / (E + 1/2)``): where the peer model is
        conservative or generous for every entity alike, this corrects it,
        and a few deviant entities cannot move a median.
        """
        k = observed.shape[1]
        self.scale_ = np.ones(k)
        for j in range(k):
            use = expected[:, j] >= self.min_expected
            if use.sum() >= 5:
                ratio = (observed[use, j] + 0.5) / (expected[use, j] + 0.5)
                self.scale_[j] = float(np.clip(np.median(ratio), 0.05, 20.0))
        scaled = expected * self.scale_
        self.tau2_ = np.array(
            [_tau2(observed[:, j], scaled[:, j], self.min_expected) for j in range(k)]
        )
        return self

    def calibrate(self, expected: np.ndarray) -> np.ndarray:
        """Expected counts on the recentred null (what the tests and the reports use)."""
        return expected * self.scale_

    def pvalues(self, observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
        """One-sided p-values of excess events, (entities, signals): ``P(X >= O)``.

        ``X`` is negative binomial with mean ``E + 2`` and variance ``E + tau^2 E^2``
        (Poisson where ``tau^2 = 0``): exact for small counts, where a normal
        approximation would turn one event against 0.001 expected into certainty.
        The two pseudo-events stand for the uncertainty of a rare baseline: a
        peer rate near zero is never known to be zero, so a handful of events
        is not proof against an entity.
        """
        tau2 = np.broadcast_to(self.tau2_, observed.shape)
        e = expected + BASELINE_PSEUDO
        k = np.maximum(np.round(observed) - 1, -1)
        with np.errstate(invalid="ignore", divide="ignore"):
            poisson = stats.poisson.sf(k, e)
            r = 1.0 / np.where(tau2 > 0, tau2, 1.0)
            negbin = stats.nbinom.sf(k, r, 1.0 / (1.0 + np.where(tau2 > 0, tau2, 1.0) * e))
        p = np.where(tau2 > 0, negbin, poisson)
        return np.where(expected > 0, np.clip(p, 0.0, 1.0), np.where(observed > 0, 0.5, 1.0))

    def frame(self, ids: pd.Index, observed, expected, pvals, names) -> pd.DataFrame:
        """Long table: entity, signal, observed, expected, ratio, p_value."""
        k, s = observed.shape
        return pd.DataFrame(
            {
                "entity": np.repeat(np.asarray(ids), s),
                "signal": np.tile(np.asarray(names, dtype=object), k),
                "observed": observed.ravel(),
                "expected": expected.ravel(),
                "ratio": (observed / np.where(expected > 0, expected, np.nan)).ravel(),
                "p_value": pvals.ravel(),
            }
        )
