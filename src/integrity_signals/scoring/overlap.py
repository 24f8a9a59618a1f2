"""The overlap guard: dossiers of a batch that the model's reference record already holds.

A later batch is read together with the reference record (an officer's 11
waived fees this month with the 18 of last year). Dossiers from inside the
reference period add nothing to it; but an export re-imported with its dates
shifted (or a month exported twice, or a system migration that moved the
dates) would be counted twice: once in the record, once as new. The model
therefore keeps a 64-bit hash of every reference dossier's case id and of
its content, and a batch's dossiers are recognised

- by **case id**, whatever their dates: they are never pooled with the record
  (:class:`CaseIndex`), and the batch says how many it found
  (:class:`ReferenceOverlapWarning`);
- by **content** (procedure, unit, officer, applicant, receiver, channel,
  amounts, requests, and the durations from receipt to promise and to
  return) where their ids were re-keyed: a warning names how many are likely
  duplicates, without dropping them (the same content may be two real
  dossiers).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..exceptions import IntegritySignalsWarning
from ..features.base import outside_period

__all__ = ["CONTENT_COLUMNS", "CaseIndex", "ReferenceOverlapWarning", "guard", "warn_overlap"]

#: Columns whose values, with the durations, make a dossier's content fingerprint.
CONTENT_COLUMNS = (
    "procedure_id", "unit_id", "handler_id", "applicant_id", "receiver_id", "channel",
    "fee_charged", "fee_official", "supplement_requests",
)  # fmt: skip


class ReferenceOverlapWarning(IntegritySignalsWarning):
    """Dossiers of the batch are already in the model's reference record (or look like it)."""


def _hash_ids(values: pd.Series) -> np.ndarray:
    return pd.util.hash_array(values.astype(str).to_numpy(dtype=object)).astype(np.uint64)


def _seconds(cases: pd.DataFrame, column: str) -> pd.Series:
    """Seconds from receipt to ``column`` (NaN where either is missing)."""
    if column not in cases.columns:
        return pd.Series(np.nan, index=cases.index)
    delta = cases[column] - cases["submitted_at"]
    return delta.dt.total_seconds()


def content_hashes(cases: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each dossier's content (dates left out, durations kept)."""
    frame = pd.DataFrame(index=cases.index)
    for column in CONTENT_COLUMNS:
        values = cases[column] if column in cases.columns else pd.Series(None, index=cases.index)
        frame[column] = values.astype(object).where(values.notna(), None).astype(str)
    for column in ("completed_at", "due_at"):
        frame[f"to_{column}"] = _seconds(cases, column).astype(str)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)


class CaseIndex:
    """Hashes of the reference dossiers' case ids and contents, sorted for look-ups.

    Examples
    --------
    >>> ref = pd.DataFrame({"case_id": ["a", "b"], "procedure_id": "P", "unit_id": "U",
    ...     "handler_id": "h", "submitted_at": pd.to_datetime(["2025-01-02", "2025-01-03"])})
    >>> index = CaseIndex(ref)
    >>> index.known(ref.assign(case_id=["b", "c"])).tolist()
    [True, False]
    >>> index.same_content(ref.assign(case_id=["x", "y"])).tolist()
    [True, True]
    """

    def __init__(self, cases: pd.DataFrame):
        self.ids_ = np.unique(_hash_ids(cases["case_id"]))
        self.contents_ = np.unique(content_hashes(cases))

    def __len__(self) -> int:
        return len(self.ids_)

    @staticmethod
    def _member(table: np.ndarray, values: np.ndarray) -> np.ndarray:
        if not len(table):
            return np.zeros(len(values), dtype=bool)
        pos = np.minimum(np.searchsorted(table, values), len(table) - 1)
        return table[pos] == values

    def known(self, cases: pd.DataFrame) -> np.ndarray:
        """Per dossier: its case id is one of the reference's."""
        return self._member(self.ids_, _hash_ids(cases["case_id"]))

    def same_content(self, cases: pd.DataFrame) -> np.ndarray:
        """Per dossier: its content is that of a reference dossier."""
        return self._member(self.contents_, content_hashes(cases))


def warn_overlap(known: np.ndarray, outside: np.ndarray, alike: np.ndarray) -> None:
    """Say how many dossiers the guard recognised (``stacklevel`` for the model's callers).

    ``known``: case id in the reference record; ``outside``: submitted outside the
    reference period (the ones that would have been counted twice); ``alike``: other
    dossiers outside the period whose content is a reference dossier's.
    """
    n, k_out, k_alike = len(known), int((known & outside).sum()), int(alike.sum())
    if k_out:
        warnings.warn(
            ReferenceOverlapWarning(
                f"{int(known.sum())} of {n} dossiers of this batch are already in the model's "
                f"reference record (recognised by case id), {k_out} of them with dates outside the "
                "reference period (a re-imported or shifted export?). They are scored, but not "
                "added to the record a second time.",
                code="reference_overlap",
                params={"n": int(known.sum()), "total": n, "shifted": k_out},
            ),
            stacklevel=6,
        )
    if k_alike:
        warnings.warn(
            ReferenceOverlapWarning(
                f"{k_alike} of {n} dossiers of this batch have the content of a reference dossier "
                "(procedure, unit, officers, applicant, amounts, durations) under another case id: "
                "likely duplicates of re-keyed dossiers. They are kept and counted; check the export "
                "before acting on their officers' figures.",
                code="likely_duplicates",
                params={"n": k_alike, "total": n},
            ),
            stacklevel=6,
        )


def guard(model, cases: pd.DataFrame) -> np.ndarray:
    """Per dossier of a batch (pseudonymised like the model's reference): whether the model's
    reference record holds it (by case id); warns about re-imported and re-keyed dossiers."""
    index = getattr(model, "reference_cases_", None)
    if index is None or not len(cases):  # a model saved before the guard existed
        return np.zeros(len(cases), dtype=bool)
    known = index.known(cases)
    outside = outside_period(
        cases["submitted_at"].to_numpy("datetime64[ns]"),
        model.features_.handlers_.reference_period_,
    )
    candidates = outside & ~known
    alike = np.zeros(len(cases), dtype=bool)
    if candidates.any():
        alike[candidates] = index.same_content(cases[candidates])
    warn_overlap(known, outside, alike)
    return known
