"""One row order for every batch: the same dossiers give the same answer, however exported.

An export sorted by date, by officer or not at all, with any index, holds the
same dossiers. Every sum over cases (peer rates, officer counts, the forest's
sample) is computed in floating point, whose result depends on the order of
the terms by one unit in the last place; a p-value on one side of a threshold
can then flip. :func:`canonical_cases` puts a batch in one order, by case id
(unique in valid data), on a fresh ``RangeIndex``, before anything is fitted
or scored, so that fit and score see the same rows in the same order whatever
order the user's export had.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["canonical_cases", "canonical_order"]


def canonical_order(case_ids: pd.Series) -> np.ndarray:
    """Row positions that sort ``case_ids`` by their text (ties: the one before first).

    >>> canonical_order(pd.Series(["b", "a", "c"])).tolist()
    [1, 0, 2]
    """
    values = pa.array(case_ids.astype(str).to_numpy(dtype=object), type=pa.string())
    return np.asarray(pc.sort_indices(values), dtype=np.int64)


def canonical_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """``cases`` ordered by case id, on a ``RangeIndex`` (the input itself when it already is)."""
    if "case_id" not in cases.columns:  # nothing to order by: the caller's checks say why
        return cases
    order = canonical_order(cases["case_id"])
    in_order = bool((order == np.arange(len(order))).all())
    if in_order and cases.index.equals(pd.RangeIndex(len(cases))):
        return cases
    return (cases if in_order else cases.take(order)).reset_index(drop=True)
