"""CaseFeatures: the three families on one shared context, plus their interactions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError

from ..resolution import mask_not_applicable
from ..scoring.canonical import canonical_cases, canonical_order
from .base import CaseContext, CaseTransformer, FeatureSpec, feature_frame
from .fees import FeeFeatures
from .handlers import HandlerFeatures
from .timing import TimingFeatures

__all__ = ["CaseFeatures"]

_S = FeatureSpec

#: Interaction features: (name, first p-value feature, second p-value feature, description).
INTERACTIONS = (
    (
        "pair_x_fast",
        "handlers__pair_p",
        "timing__fast_p",
        "repeated pair and fast handling together",
    ),
    (
        "pair_x_jump",
        "handlers__pair_p",
        "timing__queue_jump_p",
        "repeated pair and queue jumping together",
    ),
    (
        "pair_x_waiver",
        "handlers__pair_p",
        "fees__waiver_p",
        "repeated pair and a waived fee together",
    ),
)


def _surprise(p: np.ndarray) -> np.ndarray:
    return np.maximum(-np.log10(np.clip(p, 1e-300, 1.0)), 0.0)


class CaseFeatures(CaseTransformer):
    """All case features: timing, fees, handlers, and pair interactions.

    The interactions ``handlers__pair_x_fast``, ``handlers__pair_x_jump`` and
    ``handlers__pair_x_waiver`` are the geometric mean of the two surprises
    ``-log10 p``: large only when both signals are present.

    Parameters
    ----------
    calendar : WorkCalendar, optional
    catalog : DataFrame or CatalogData, optional
    shrinkage : float, default 20
        Credibility constant of the timing and fee peer baselines.
    as_of : datetime-like, optional
        Extract date for pending cases.
    """

    family = "case"

    def __init__(self, *, calendar=None, catalog=None, shrinkage: float = 20.0, as_of=None):
        self.calendar = calendar
        self.catalog = catalog
        self.shrinkage = shrinkage
        self.as_of = as_of

    def _parts(self):
        return (
            TimingFeatures(
                calendar=self.calendar,
                catalog=self.catalog,
                shrinkage=self.shrinkage,
                as_of=self.as_of,
            ),
            FeeFeatures(catalog=self.catalog, shrinkage=self.shrinkage),
            HandlerFeatures(catalog=self.catalog),
        )

    def _context(self, X, as_of=None):
        ctx = super()._context(X, self.as_of if as_of is None else as_of)
        # one row order whatever the input's (sums over cases then add up in one order): the
        # features are computed by case id and handed back in the input's order and index
        given = ctx.cases
        ordered = canonical_cases(given)
        if ordered is not given:
            ctx.restore = (np.argsort(canonical_order(given["case_id"])), given.index)
        # a column a unit or officer does not record (nearly empty, or one value on every row)
        # is no evidence there: blanked before any family reads it
        ctx.cases, ctx.index = mask_not_applicable(ordered), ordered.index
        return ctx

    def fit(self, X, y=None):
        self._check_params()
        ctx = X if isinstance(X, CaseContext) else self._context(X)
        self.timing_, self.fees_, self.handlers_ = (part.fit(ctx) for part in self._parts())
        parts = (self.timing_, self.fees_, self.handlers_)
        self.n_features_in_ = ctx.cases.shape[1]
        self.feature_names_in_ = np.asarray(ctx.cases.columns, dtype=object)
        self.input_columns_ = self.timing_.input_columns_
        self.feature_sources_ = {k: v for part in parts for k, v in part.feature_sources_.items()}
        self.na_indicators_ = {k: v for part in parts for k, v in part.na_indicators_.items()}
        self.coverage_ = {k: v for part in parts for k, v in part.coverage_.items()}
        for name, a, b, _ in INTERACTIONS:
            key = f"handlers__{name}"
            self.feature_sources_[key] = tuple(
                dict.fromkeys(self.feature_sources_[a] + self.feature_sources_[b])
            )
            self.na_indicators_[key] = sorted({*self.na_indicators_[a], *self.na_indicators_[b]})
            bad = [self.coverage_[f] for f in (a, b) if self.coverage_[f] != "ok"]
            self.coverage_[key] = bad[0] if bad else "ok"
        return self

    def transform(self, X) -> pd.DataFrame:
        if not hasattr(self, "timing_"):
            raise NotFittedError(
                "This CaseFeatures instance is not fitted yet. Call 'fit' with reference cases "
                "before using this transformer."
            )
        ctx = X if isinstance(X, CaseContext) else self._context(X)

        def families():  # family by family, then the derived columns of the context are freed
            for part in (self.timing_, self.fees_, self.handlers_):
                yield {f"{part.family}__{k}": v for k, v in part._transform(ctx).items()}
            ctx.release()

        def interactions(column):
            return {
                f"handlers__{name}": np.sqrt(_surprise(column(a)) * _surprise(column(b)))
                for name, a, b, _ in INTERACTIONS
            }

        out = feature_frame(families(), self.get_feature_names_out(), ctx.index, interactions)
        restore = getattr(ctx, "restore", None)
        if restore is not None:  # the input's own order and index
            out = out.iloc[restore[0]]
            out.index = restore[1]
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        names = [
            *(f"timing__{s.name}" for s in TimingFeatures.specs),
            *(f"fees__{s.name}" for s in FeeFeatures.specs),
            *(f"handlers__{s.name}" for s in HandlerFeatures.specs),
            *(f"handlers__{name}" for name, *_ in INTERACTIONS),
        ]
        return np.asarray(names, dtype=object)

    specs: tuple[_S, ...] = ()
