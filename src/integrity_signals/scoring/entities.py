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

__all__ = [
    "EntityEvidence",
    "codes_of",
    "entity_figures",
    "fit_level",
    "level_evidence",
    "pair_ids",
    "pair_simes",
]


def pair_ids(cases: pd.DataFrame) -> np.ndarray:
    """A code per applicant-officer pair (-1 without an applicant)."""
    if "applicant_id" not in cases.columns:
        return np.full(len(cases), -1, dtype=np.int64)
    a, _ = pd.factorize(cases["applicant_id"])
    h, handlers = pd.factorize(cases["handler_id"])
    return np.where(a >= 0, a.astype(np.int64) * (len(handlers) + 1) + h, -1)


_SHIFT = np.array([s.test == "shift" for s in SIGNALS])
_CLUSTER = np.array([s.test == "cluster" for s in SIGNALS])
#: The pair test itself: an entity's evidence is its most steered applicants' pair tests.
_PAIR = [j for j, s in enumerate(SIGNALS) if s.null == "binomial"]


def pair_simes(codes, pairs, p, n: int, testable=None) -> np.ndarray:
    """Per entity: Simes' combination of its applicant-officer pairs' tests (1 without any).

    A steered applicant is one draw, whatever its number of dossiers: each pair of an
    applicant with two or more dossiers and an officer is one test (its dossiers share
    it), and an entity with ``m`` such pairs has ``min_k m p_(k) / k``, valid under the
    pairs' positive dependence. Only pairs whose test could be significant count
    (``testable``, Tarone's rule). Two brokers whose thirty dossiers all reached one
    officer make that officer a finding; one heavy filer's unlucky allocation (a pair
    test of 0.09 among forty pairs) does not.

    >>> pair_simes(np.array([0, 0, 0, 1]), np.array([5, 5, 6, 7]),
    ...            np.array([1e-6, 1e-6, 0.5, 0.09]), 2).tolist()
    [2e-06, 0.09]
    """
    ok = (codes >= 0) & (pairs >= 0) & np.isfinite(p) & (p < 1.0)
    if testable is not None:
        ok &= testable
    out = np.ones(n)
    if not ok.any():
        return out
    first = np.unique(pairs[ok], return_index=True)[1]  # one test per pair
    ent, pv = codes[ok][first], p[ok][first]
    order = np.lexsort((pv, ent))
    ent, pv = ent[order], pv[order]
    start = np.searchsorted(ent, ent, side="left")
    m = np.searchsorted(ent, ent, side="right") - start
    rank = np.arange(len(ent)) - start + 1
    np.minimum.at(out, ent, m * pv / rank)
    return np.minimum(out, 1.0)


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
    tests (dict of arrays per entity); ``tau2`` (signals,) the honest entities'
    dispersion of their rates around the prediction (log scale).
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
    tau2: np.ndarray | None = None


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
    """Observed and expected events, and the clustered variance of the expected count.

    The design effect (variance over expected) of clustered signals is read off the
    entity's cases that are *not* events: how its ordinary applicants cluster. A
    broker's own hundred dossiers are the finding, not part of the chance variation.
    """
    observed = entity_counts(codes, tails.events, n, mask)
    expected = entity_counts(codes, chance, n, mask)
    quiet = np.where(tails.events == 1, np.nan, chance)
    weight = np.where(_CLUSTER, tails.cluster[:, None], 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        design = entity_counts(codes, quiet * weight, n, mask) / entity_counts(
            codes, quiet, n, mask
        )
    return (
        observed,
        expected,
        expected * np.where(np.isfinite(design), np.maximum(design, 1.0), 1.0),
    )


def fit_level(
    tails: Tails, values: pd.Series, pairs: np.ndarray, anomalous: pd.DataFrame | None = None
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
    for j in _PAIR:
        p[:, j] = pair_simes(codes, pairs, tails.p[:, j], len(ids), tails.testable)
    return test, EntityRecord(ids, observed, calibrated, variance, p)


def level_evidence(
    level: str,
    values: pd.Series,
    tails: Tails,
    pairs: np.ndarray,
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
    for j in _PAIR:  # the pair tests already pool each applicant's record
        p_batch[:, j] = history["p"][:, j] = pair_simes(
            codes, pairs, tails.p[:, j], n, tails.testable
        )
    p = with_history(p_batch, history["p"])
    evidence = EntityEvidence(
        level, ids, codes, observed, expected, shift, design, p_batch, history, p, digits,
        np.asarray(test.tau2_, dtype=np.float64),
    )  # fmt: skip
    return evidence, chance
