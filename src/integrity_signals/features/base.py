"""Shared machinery of the case feature transformers.

:class:`CaseContext` derives, once per batch, what every family needs: integer
codes of the id columns, working-day clocks, the catalog's statutory days and
posted fee per case. :class:`CaseTransformer` is the template: the public
``fit`` / ``transform`` validate once, and each family implements only
``_fit(ctx)`` and ``_transform(ctx)``.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

from ..calendar import WorkCalendar
from ..catalog import CatalogData, validate_catalog
from ..exceptions import SchemaError
from ..validation import check_cases
from .peers import search

__all__ = [
    "CaseContext",
    "CaseTransformer",
    "Codebook",
    "FeatureSpec",
    "feature_frame",
    "outside_period",
    "period_of",
]

_NS_PER_SECOND = 10**9


class FeatureSpec(tuple):
    """(name, input columns, indicator(s) explaining a NaN ("a|b") or None, description)."""

    __slots__ = ()

    def __new__(cls, name: str, sources: tuple[str, ...], na: str | None, description: str):
        return super().__new__(cls, (name, sources, na, description))

    name = property(lambda self: self[0])
    sources = property(lambda self: self[1])
    na = property(lambda self: self[2])
    description = property(lambda self: self[3])


def period_of(submitted: np.ndarray) -> tuple[np.datetime64, np.datetime64]:
    """First and last submission of a reference period (NaT, NaT when there is none)."""
    known = submitted[~np.isnat(submitted)]
    if known.size == 0:
        return np.datetime64("NaT", "ns"), np.datetime64("NaT", "ns")
    return known.min(), known.max()


def outside_period(submitted: np.ndarray, period) -> np.ndarray:
    """Cases submitted before or after the reference period: ones its record cannot contain.

    The guard of every "reference record plus this batch" figure: a batch from
    inside the reference period (the reference itself, or a month of it) adds
    nothing to the record, so no case is ever counted twice. Missing dates
    count as inside.
    """
    submitted = np.asarray(submitted, dtype="datetime64[ns]")
    if period is None or np.isnat(period[0]):
        return np.zeros(len(submitted), dtype=bool)
    return (submitted < period[0]) | (submitted > period[1])


class Codebook:
    """Categories learned in ``fit``; maps a batch's values to their codes (-1 = unseen).

    Only the batch's distinct values are looked up, so mapping a million rows
    costs one factorisation.
    """

    def __init__(self, values: pd.Series):
        # sorted: the codes (and anything keyed on them) do not depend on the row order
        self.categories = pd.Index(pd.unique(values.dropna())).sort_values()

    @classmethod
    def from_uniques(cls, uniques: pd.Index) -> Codebook:
        """The code book of distinct values already known (a factorisation's uniques): no copy."""
        book = cls.__new__(cls)
        book.categories = uniques
        return book

    def __len__(self) -> int:
        return len(self.categories)

    def codes(self, batch_codes: np.ndarray, batch_uniques: pd.Index) -> np.ndarray:
        table = np.append(self.categories.get_indexer(batch_uniques), -1)
        return table[batch_codes]  # batch code -1 (missing) picks the trailing -1


def _catalog_frame(catalog) -> pd.DataFrame | None:
    if catalog is None:
        return None
    if isinstance(catalog, CatalogData):
        return catalog.catalog
    if isinstance(catalog, pd.DataFrame):
        checked = validate_catalog(catalog)
        if checked.n_rejected:
            raise SchemaError(
                f"The catalog has {checked.n_rejected} invalid rows "
                f"({'; '.join(checked.rejects['message'].head(3))}). Fix them, or pass "
                "isig.read_catalog(...) / validate_catalog(...) to quarantine them explicitly."
            )
        return checked.catalog
    raise SchemaError(
        f"The 'catalog' parameter must be a DataFrame, a CatalogData or None. "
        f"Got {type(catalog).__name__} instead."
    )


class CaseContext:
    """Per-batch derived columns shared by the feature families (computed lazily, once)."""

    def __init__(self, cases: pd.DataFrame, calendar: WorkCalendar, catalog=None, as_of=None):
        self.cases = cases
        self.calendar = calendar
        self.catalog = _catalog_frame(catalog)
        self._as_of = as_of
        self.n = len(cases)
        self.index = cases.index

    def memo(self, key, compute):
        """``compute()`` once per context and key (fit and transform of one batch share it)."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def release(self) -> None:
        """Drop the derived columns kept for reuse (before the caller allocates its output)."""
        for name in ("_memo", "_clock", "_factorized"):
            self.__dict__.pop(name, None)

    def has(self, column: str) -> bool:
        return column in self.cases.columns and bool(self.cases[column].notna().any())

    def factorized(self, column: str) -> tuple[np.ndarray, pd.Index]:
        """Batch codes (-1 = missing) and uniques of an id column."""
        cache = self.__dict__.setdefault("_factorized", {})
        if column not in cache:
            if column in self.cases.columns:
                codes, uniques = pd.factorize(self.cases[column], use_na_sentinel=True)
            else:
                codes, uniques = np.full(self.n, -1, dtype=np.int64), pd.Index([])
            cache[column] = (codes.astype(np.int64), pd.Index(uniques))
        return cache[column]

    def times(self, column: str) -> np.ndarray:
        """datetime64[ns] values of a date column (all NaT if absent)."""
        if column not in self.cases.columns:
            return np.full(self.n, np.datetime64("NaT", "ns"))
        return self.cases[column].to_numpy(dtype="datetime64[ns]")

    @cached_property
    def as_of(self) -> np.datetime64:
        """The extract date: the given one, else the latest timestamp in the batch."""
        if self._as_of is not None:
            return np.datetime64(pd.Timestamp(self._as_of), "ns")
        stamps = np.concatenate([self.times("submitted_at"), self.times("completed_at")])
        stamps = stamps[~np.isnat(stamps)]
        return stamps.max() if stamps.size else np.datetime64("NaT", "ns")

    def clock(self, column: str) -> np.ndarray:
        """Working-day clock W(t) of a date column (NaN where missing)."""
        cache = self.__dict__.setdefault("_clock", {})
        if column not in cache:
            cache[column] = self.calendar.working_clock(self.times(column))
        return cache[column]

    @cached_property
    def catalog_rows(self) -> np.ndarray:
        """Row of the catalog that applies to each case (-1 = none): same procedure, the
        latest ``valid_from`` on or before submission (rows without ``valid_from`` apply always)."""
        if self.catalog is None or not len(self.catalog):
            return np.full(self.n, -1, dtype=np.int64)
        cat = self.catalog.reset_index(drop=True)
        codes, uniques = self.factorized("procedure_id")
        cat_codes = pd.Index(uniques).get_indexer(cat["procedure_id"])
        start = (
            cat["valid_from"].to_numpy(dtype="datetime64[ns]")
            if "valid_from" in cat.columns
            else np.full(len(cat), np.datetime64("NaT", "ns"))
        )
        start_s = np.where(np.isnat(start), 0, start.view(np.int64) // _NS_PER_SECOND + 1)
        seen = cat_codes >= 0
        if not seen.any():  # none of the batch's procedures is in the catalog
            return np.full(self.n, -1, dtype=np.int64)
        shift = np.int64(1) << 34  # seconds since 1970 stay below 2**34 until the year 2514
        cat_key = cat_codes[seen] * shift + start_s[seen]
        order = np.argsort(cat_key, kind="stable")
        cat_key, cat_rows = cat_key[order], np.flatnonzero(seen)[order]
        sub = self.times("submitted_at").view(np.int64) // _NS_PER_SECOND + 1
        case_key = codes * shift + sub
        pos = search(cat_key, case_key, side="right") - 1
        hit = (codes >= 0) & (pos >= 0)
        pos = np.where(hit, pos, 0)
        hit &= cat_key[pos] // shift == codes  # the found row belongs to the same procedure
        return np.where(hit, cat_rows[pos], -1)

    def catalog_values(self, column: str) -> np.ndarray:
        """A catalog column per case (NaN where the catalog has no row or no value)."""
        if self.catalog is None or column not in self.catalog.columns:
            return np.full(self.n, np.nan)
        values = self.catalog[column].to_numpy(dtype=np.float64, na_value=np.nan)
        rows = self.catalog_rows
        return np.where(rows >= 0, values[np.maximum(rows, 0)], np.nan)

    def numbers(self, column: str) -> np.ndarray:
        """A numeric column as float64 (NaN where missing or absent)."""
        if column not in self.cases.columns:
            return np.full(self.n, np.nan)
        return self.cases[column].to_numpy(dtype=np.float64, na_value=np.nan)


def feature_frame(groups, names, index: pd.Index, derive=None) -> pd.DataFrame:
    """One float64 block of the features ``names``, filled group by group.

    ``groups`` yields dicts ``{name: array}``; each array is released once copied,
    so the peak is the block plus one group. ``derive(column)`` may then return
    further named columns computed from the block (``column(name)`` reads one).
    """
    where = {name: j for j, name in enumerate(names)}
    block = np.empty((len(index), len(where)), dtype=np.float64, order="F")
    for columns in groups:
        for name in list(columns):
            block[:, where[name]] = columns.pop(name)
    if derive is not None:
        for name, values in derive(lambda name: block[:, where[name]]).items():
            block[:, where[name]] = values
    return pd.DataFrame(block, index=index, columns=pd.Index(list(names)), copy=False)


class CaseTransformer(TransformerMixin, BaseEstimator):
    """Template for the feature families: validate once, then ``_fit`` / ``_transform``.

    Subclasses set ``family`` and ``specs`` (one :class:`FeatureSpec` per output
    column) and implement ``_fit(ctx)`` and ``_transform(ctx) -> dict``.
    """

    family: str = ""
    specs: tuple[FeatureSpec, ...] = ()

    def _check_params(self) -> None:
        """Validate parameters (called by fit); subclasses extend."""
        if self.calendar is not None and not isinstance(self.calendar, WorkCalendar):
            raise ValueError(
                f"The 'calendar' parameter of {type(self).__name__} must be a WorkCalendar or "
                f"None. Got {type(self.calendar).__name__} instead."
            )

    def _context(self, X, as_of=None) -> CaseContext:
        cases = check_cases(X, context=f"{type(self).__name__}")
        calendar = self.calendar if self.calendar is not None else WorkCalendar()
        return CaseContext(cases, calendar, self.catalog, as_of)

    def fit(self, X, y=None):
        """Learn the peer baselines from reference cases (a CaseData or a valid DataFrame)."""
        self._check_params()
        ctx = X if isinstance(X, CaseContext) else self._context(X)
        self._fit(ctx)
        self.n_features_in_ = ctx.cases.shape[1]
        self.feature_names_in_ = np.asarray(ctx.cases.columns, dtype=object)
        self.input_columns_ = sorted(c for c in ctx.cases.columns if c in _CANONICAL)
        self.feature_sources_ = {f"{self.family}__{s.name}": s.sources for s in self.specs}
        self.na_indicators_ = {
            f"{self.family}__{s.name}": [f"{self.family}__{i}" for i in s.na.split("|")]
            for s in self.specs
            if s.na
        }
        self.coverage_ = self._coverage(ctx)
        return self

    def fit_transform(self, X, y=None, **fit_params) -> pd.DataFrame:
        """``fit(X).transform(X)`` sharing one context: derived columns are computed once."""
        self._check_params()
        ctx = X if isinstance(X, CaseContext) else self._context(X)
        self.fit(ctx)
        out = self.transform(ctx)
        if not isinstance(X, CaseContext):
            ctx.release()
        return out

    def transform(self, X) -> pd.DataFrame:
        """Features of a batch with the fitted baselines; a DataFrame on the input's index."""
        if not hasattr(self, "feature_sources_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "reference cases before using this transformer."
            )
        ctx = X if isinstance(X, CaseContext) else self._context(X)
        out = {f"{self.family}__{k}": v for k, v in self._transform(ctx).items()}
        if not isinstance(X, CaseContext):
            ctx.release()
        return feature_frame([out], self.get_feature_names_out(), ctx.index)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray([f"{self.family}__{s.name}" for s in self.specs], dtype=object)

    def _coverage(self, ctx: CaseContext) -> dict[str, str]:
        """Per feature: "ok" or why it cannot be computed on this data (no silent zeros)."""
        missing = {c for s in self.specs for c in s.sources if not ctx.has(c)}
        report = {}
        for s in self.specs:
            absent = [c for c in s.sources if c in missing and c not in _OPTIONAL_WITH_FALLBACK]
            report[f"{self.family}__{s.name}"] = (
                "ok" if not absent else "not applicable: no " + ", ".join(absent)
            )
        return report


# Inputs whose absence a feature covers by another source (due_at <- catalog, fee_official <- catalog
# or learned levels), so they do not make the feature "not applicable" on their own.
_OPTIONAL_WITH_FALLBACK = {"due_at", "fee_official", "catalog"}
_CANONICAL = {
    "case_id", "procedure_id", "unit_id", "handler_id", "submitted_at", "completed_at", "due_at",
    "applicant_id", "receiver_id", "fee_charged", "fee_official", "channel",
    "supplement_requests", "status",
}  # fmt: skip
