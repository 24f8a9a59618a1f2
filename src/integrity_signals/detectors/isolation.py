"""Isolation forest on the peer-normalised case features.

scikit-learn's :class:`~sklearn.ensemble.IsolationForest` is fitted on a
sample of the reference cases (its quality does not need all rows, see
``PERFORMANCE.md``) over features that are already relative to peers: robust
z-scores, ratios to the statutory term, pair lift, and the surprise
``-log10 p`` of each tail probability. Missing values (signals that do not
apply) are filled with the reference median. The forest's anomaly score is
turned into an empirical tail probability against the reference cases, so it
can be combined with the statistical p-values. scikit-learn's convention
(higher ``score_samples`` = more normal) is flipped in exactly one place,
:meth:`IsolationDetector.anomaly`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

from .combine import surprise

__all__ = ["IF_FEATURES", "IsolationDetector"]

#: Features the forest sees: (column, transform); "surprise" columns are p-values.
IF_FEATURES: tuple[tuple[str, str], ...] = (
    ("timing__peer_z", "raw"),
    ("timing__ratio_to_allowed", "log1p"),
    ("timing__days_late", "log1p"),
    ("timing__queue_jump_share", "raw"),
    ("timing__supplements", "log1p"),
    ("timing__fast_p", "surprise"),
    ("timing__slow_p", "surprise"),
    ("timing__supplements_p", "surprise"),
    ("timing__off_time_p", "surprise"),
    ("fees__excess_ratio", "raw"),
    ("fees__excess_p", "surprise"),
    ("fees__waiver_p", "surprise"),
    ("fees__learned_z", "raw"),
    ("handlers__pair_lift", "log1p"),
    ("handlers__pair_p", "surprise"),
    ("handlers__receiver_is_handler_p", "surprise"),
    ("handlers__pair_x_fast", "raw"),
    ("handlers__pair_x_waiver", "raw"),
)


def _matrix(features: pd.DataFrame) -> np.ndarray:
    cols = []
    for name, how in IF_FEATURES:
        x = (
            features[name].to_numpy(dtype=np.float64)
            if name in features
            else np.full(len(features), np.nan)
        )
        if how == "surprise":
            x = np.where(np.isnan(x), np.nan, surprise(x))
        elif how == "log1p":
            x = np.sign(x) * np.log1p(np.abs(x))
        cols.append(x)
    return np.column_stack(cols)


class IsolationDetector:
    """Isolation forest anomaly p-values of cases.

    Parameters
    ----------
    n_estimators : int
    max_fit_rows : int
        The forest is fitted on at most this many reference cases (drawn at random).
    random_state : int, RandomState or None
    n_jobs : int
        Threads for scoring (row chunks scored in parallel).
    """

    def __init__(self, n_estimators=100, max_fit_rows=25_600, random_state=None, n_jobs=2):
        self.n_estimators = n_estimators
        self.max_fit_rows = max_fit_rows
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, features: pd.DataFrame) -> IsolationDetector:
        x = _matrix(features)
        self.fill_ = np.array(
            [np.median(col[~np.isnan(col)]) if (~np.isnan(col)).any() else 0.0 for col in x.T]
        )
        x = np.where(np.isnan(x), self.fill_, x)
        rng = np.random.default_rng(self.random_state)
        rows = (
            rng.choice(len(x), size=min(len(x), self.max_fit_rows), replace=False) if len(x) else []
        )
        seed = int(rng.integers(2**31 - 1))
        self.forest_ = IsolationForest(n_estimators=self.n_estimators, random_state=seed).fit(
            x[rows]
        )
        self.reference_ = np.sort(self.anomaly(features, _filled=x[rows]))
        return self

    def anomaly(self, features: pd.DataFrame, _filled: np.ndarray | None = None) -> np.ndarray:
        """Anomaly score, higher = more anomalous (the sign flip of ``score_samples``)."""
        x = _filled if _filled is not None else _matrix(features)
        x = np.where(np.isnan(x), self.fill_, x)
        if len(x) == 0:  # an empty batch: nothing to score
            return np.empty(0)
        # Row chunks on threads, each scored by all trees in order: parallel and still
        # byte-for-byte deterministic (a threaded sum over trees is not).
        chunks = np.array_split(np.arange(len(x)), max(1, min(self.n_jobs, len(x) // 10_000)))
        with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
            parts = list(pool.map(lambda rows: self.forest_.score_samples(x[rows]), chunks))
        return -np.concatenate(parts) if parts else np.empty(0)

    def apply(self, features: pd.DataFrame) -> np.ndarray:
        """Share of reference cases at least as anomalous, the case counted (``1/(n+1)`` at the
        extreme): a valid p-value."""
        a = self.anomaly(features)
        n = len(self.reference_)
        greater = n - np.searchsorted(self.reference_, a, side="right")
        equal = np.searchsorted(self.reference_, a, side="right") - np.searchsorted(
            self.reference_, a, side="left"
        )
        return (greater + equal + 1) / (n + 1)
