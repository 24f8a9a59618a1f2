"""The reference record: each entity's event counts of the reference period, carried into later batches.

A month scored with last year's model knows last year's pattern: an
officer's 11 waived fees this month are weighed with the 18 of last year. The
record keeps, per level, every entity's observed and expected events (and
their cluster variance) of the reference period. A later batch's cases that
the record cannot contain (submitted outside the reference period) are added
to it and the pooled counts tested; the pooled test is Cauchy-combined with
the batch's own (:func:`with_history`). Cases from inside the reference period
add nothing, so scoring the reference itself counts nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..detectors.combine import cauchy_combine
from ..detectors.entity import EntityRateTest

__all__ = ["EntityRecord", "design_effect", "record_label", "with_history"]

_LABELS = {
    "en": (
        "reference period: ",
        "reference period and this batch: ",
        "this batch's new dossiers: ",
    ),
    "vi": ("kỳ tham chiếu: ", "kỳ tham chiếu và đợt này: ", "hồ sơ mới của đợt này: "),
}


@dataclass(frozen=True)
class EntityRecord:
    """One level's reference counts: ids, observed and (calibrated) expected events, the
    cluster variance of the expected counts, and the p-values, (entities, signals)."""

    ids: pd.Index
    observed: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    p: np.ndarray

    def of(self, ids: pd.Index) -> dict[str, np.ndarray]:
        """The record of these entities (NaN for entities the reference did not see)."""
        pos = self.ids.get_indexer(ids)
        seen = (pos >= 0)[:, None]
        take = np.maximum(pos, 0)
        fields = ("observed", "expected", "variance", "p")
        if len(self.ids) == 0:
            shape = (len(ids), self.observed.shape[1])
            return {k: np.full(shape, np.nan) for k in fields}
        return {k: np.where(seen, getattr(self, k)[take], np.nan) for k in fields}

    def pooled(
        self,
        test: EntityRateTest,
        ids: pd.Index,
        new_counts: tuple[np.ndarray, np.ndarray, np.ndarray],
        has_new: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Each entity's record plus its new cases of this batch, tested together.

        ``new_counts`` are the new cases' (observed, calibrated expected, variance)
        per entity; ``has_new`` which entities have any. Over-dispersion stays on
        the ratio scale, so pooling sharpens the test only as far as the two
        periods agree; a change of behaviour still shows in the batch's own test.
        Returns observed, expected, p and ``label`` (which periods the figures hold).
        """
        past = self.of(ids)
        seen = ~np.isnan(past["p"][:, 0]) if past["p"].size else np.zeros(len(ids), bool)
        which = np.where(seen & has_new, 1, np.where(seen, 0, 2))
        if not has_new.any():
            return past | {"which": which}
        o_new, e_new, v_new = new_counts
        observed = np.nan_to_num(past["observed"]) + o_new
        expected = np.nan_to_num(past["expected"]) + e_new
        variance = np.nan_to_num(past["variance"]) + v_new
        design = design_effect(expected, variance)
        return {
            "observed": observed, "expected": expected, "variance": variance,
            "p": test.apply(observed, expected, design), "which": which,
        }  # fmt: skip


def record_label(which: int, lang: str = "en") -> str:
    """The prefix of a record sentence: which periods its figures hold."""
    return _LABELS[lang][which]


def design_effect(expected: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """The design effect ``V / E`` (at least 1; 1 where nothing is expected)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected > 0, np.maximum(variance / expected, 1.0), 1.0)


def with_history(batch: np.ndarray, history: np.ndarray) -> np.ndarray:
    """Per entity and signal, the batch's test combined with the pooled record's.

    Cauchy-combined: the two tests share the batch's cases, and the
    combination stays valid under dependence. Where the record has nothing
    (NaN), the batch's test stands alone.
    """
    pairs = np.stack([batch, history], axis=-1).reshape(-1, 2)
    return cauchy_combine(pairs).reshape(batch.shape)
