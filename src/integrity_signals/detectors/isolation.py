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


def _column(features: pd.DataFrame, name: str, how: str, rows=None) -> np.ndarray:
    """One column of the forest's matrix (of ``rows`` only, when given)."""
    if name not in features:
        return np.full(len(features) if rows is None else len(rows), np.nan)
    x = features[name].to_numpy(dtype=np.float64)
    if rows is not None:
        x = x[rows]
    if how == "surprise":
        return np.where(np.isnan(x), np.nan, surprise(x))
    if how == "log1p":
        return np.sign(x) * np.log1p(np.abs(x))
    return x


def _matrix(features: pd.DataFrame, fill: np.ndarray | None = None) -> np.ndarray:
    """The (cases, IF_FEATURES) matrix, built in place column by column (NaN replaced by
    ``fill`` when given): one copy of the matrix, never two."""
    x = np.empty((len(features), len(IF_FEATURES)))
    for j, (name, how) in enumerate(IF_FEATURES):
        col = _column(features, name, how)
        x[:, j] = col if fill is None else np.where(np.isnan(col), fill[j], col)
    return x


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
        n = len(features)
        rng = np.random.default_rng(self.random_state)
        rows = rng.choice(n, size=min(n, self.max_fit_rows), replace=False) if n else []
        seed = int(rng.integers(2**31 - 1))
        # column by column: the fill is each column's median over every reference case, and
        # only the sampled rows are kept (the forest is fitted on them)
        fill, sample = [], np.empty((len(rows), len(IF_FEATURES)))
        for j, (name, how) in enumerate(IF_FEATURES):
            col = _column(features, name, how)
            known = col[~np.isnan(col)]
            fill.append(np.median(known) if known.size else 0.0)
            sample[:, j] = col[rows]
        self.fill_ = np.array(fill)
        sample = np.where(np.isnan(sample), self.fill_, sample)
        self.forest_ = IsolationForest(n_estimators=self.n_estimators, random_state=seed).fit(
            sample
        )
        self.reference_ = np.sort(self.anomaly(features, _filled=sample))
        return self

    def anomaly(self, features: pd.DataFrame, _filled: np.ndarray | None = None) -> np.ndarray:
        """Anomaly score, higher = more anomalous (the sign flip of ``score_samples``)."""
        x = _filled if _filled is not None else _matrix(features, self.fill_)
        if len(x) == 0:  # an empty batch: nothing to score
            return np.empty(0)
        # Row chunks on threads, each scored by all trees in order: parallel and still
        # byte-for-byte deterministic (a threaded sum over trees is not).
        bounds = np.linspace(0, len(x), max(1, min(self.n_jobs, len(x) // 10_000)) + 1)
        chunks = [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
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
