"""Entity evidence: each officer's (or unit's) events of every signal, tested against its case mix.

For one level (officers or units) and one batch: the observed events, the
expected ones (for ``"shift"`` signals under the entity's own shifted
baseline, :mod:`~integrity_signals.detectors.shift`), the cluster design effect
of repeated pairs, the batch's test, the reference record pooled with the
batch's new cases, and the digit tests of the amounts collected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..detectors.entity import EntityRateTest, entity_counts
from ..detectors.shift import estimate_shift, shifted_chance
from ..detectors.statistical import Tails
from ..signals import SIGNALS
from .record import EntityRecord, design_effect, with_history

__all__ = ["EntityEvidence", "codes_of", "entity_figures", "fit_level", "level_evidence"]

_SHIFT = np.array([s.test == "shift" for s in SIGNALS])
_CLUSTER = np.array([s.test == "cluster" for s in SIGNALS])


def codes_of(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (0..k-1) and the distinct values of an id column."""
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), pd.Index(uniques)


@dataclass(frozen=True)
class EntityEvidence:
    """One level's evidence for one batch, (entities, signals) arrays unless said otherwise.

    ``codes`` is each case's entity (cases,); ``expected`` is calibrated and, for
    shift signals, under the entity's own shift ``shift`` (probit units, < 0:
    more events than peers on the whole distribution); ``design`` the cluster
    design effect; ``p_batch`` the batch's test; ``history`` the reference record
    pooled with the new cases (dict of arrays, ``which``: 0 reference only, 1
    reference and batch, 2 batch only); ``p`` both combined; ``digits`` the digit
    tests (dict of arrays per entity).
    """

    level: str
    ids: pd.Index
    codes: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    shift: np.ndarray
    design: np.ndarray
    p_batch: np.ndarray
    history: dict
    p: np.ndarray
    digits: dict


def entity_figures(tails: Tails, codes: np.ndarray, n: int):
    """(observed, expected, variance, shift, chance): the raw (uncalibrated) entity figures.

    ``chance`` is each case's event chance under its entity's shifted baseline;
    ``variance`` the clustered variance of the expected count (``chance x cluster
    size`` summed; the expected count itself for unclustered signals).
    """
    shift = np.zeros((n, len(SIGNALS)))
    chance = tails.expected.copy()
    for j in np.flatnonzero(_SHIFT):
        shift[:, j] = estimate_shift(
            codes, tails.cell, n, tails.events[:, j], tails.moderate[:, j],
            tails.expected[:, j], tails.moderate_expected[:, j],
        )  # fmt: skip
        chance[:, j] = shifted_chance(tails.expected[:, j], shift[np.maximum(codes, 0), j])
    return (*_sums(tails, codes, n, chance), shift, chance)


def _sums(tails: Tails, codes, n, chance, mask=None):
    observed = entity_counts(codes, tails.events, n, mask)
    expected = entity_counts(codes, chance, n, mask)
    weight = np.where(_CLUSTER, tails.cluster[:, None], 1.0)
    variance = entity_counts(codes, chance * weight, n, mask)
    return observed, expected, variance


def fit_level(
    tails: Tails, values: pd.Series, anomalous: pd.DataFrame | None = None
) -> tuple[EntityRateTest, EntityRecord]:
    """The rate test of one level fitted on the reference cases, and the level's record.

    ``anomalous``: entities (index) found anomalous on signals (columns), left out of the
    test's honest variation.
    """
    codes, ids = codes_of(values)
    observed, expected, variance, _, _ = entity_figures(tails, codes, len(ids))
    left_out = None
    if anomalous is not None:
        left_out = anomalous.reindex(ids, fill_value=False).to_numpy(dtype=bool)
    test = EntityRateTest().fit(
        observed, expected, design_effect(expected, variance), anomalous=left_out
    )
    calibrated, variance = test.calibrate(expected), test.calibrate(variance)
    p = test.apply(observed, calibrated, design_effect(calibrated, variance))
    return test, EntityRecord(ids, observed, calibrated, variance, p)


def level_evidence(
    level: str,
    values: pd.Series,
    tails: Tails,
    test: EntityRateTest,
    record: EntityRecord,
    new: np.ndarray,
    digits: dict,
) -> EntityEvidence:
    """A batch's evidence about the entities of one level (see :class:`EntityEvidence`), and each
    case's event chance under its entity's baseline (cases, signals)."""
    codes, ids = codes_of(values)
    n = len(ids)
    observed, expected, variance, shift, chance = entity_figures(tails, codes, n)
    expected, variance = test.calibrate(expected), test.calibrate(variance)
    design = design_effect(expected, variance)
    p_batch = test.apply(observed, expected, design)
    has_new = np.bincount(codes[new & (codes >= 0)], minlength=n) > 0
    new_counts = tuple(
        test.calibrate(x) if i else x for i, x in enumerate(_sums(tails, codes, n, chance, new))
    )
    history = record.pooled(test, ids, new_counts, has_new)
    p = with_history(p_batch, history["p"])
    evidence = EntityEvidence(
        level, ids, codes, observed, expected, shift, design, p_batch, history, p, digits
    )
    return evidence, chance
