"""Digit tests of the amounts each officer collected (Nigrini's mean absolute deviation).

Administrative fees follow schedules, not Benford's law, so the expected
digit distribution of an officer is its *case mix's*: the mixture, over its
cases, of the digit distributions of the same procedures in the reference
period. Amounts are read in thousands of VND (fees are multiples of 1,000).
The conformity of the first digit and of the last two digits is the mean
absolute deviation (MAD) between observed and expected proportions, classed
with Nigrini's bands (first digit: 0.006 / 0.012 / 0.015; the first-two-digit
bands 0.0012 / 0.0018 / 0.0022 are used for the last two digits). Officers
with fewer than ``min_sample`` paid cases are not tested.

The MADs of the officers tested form their own null: a robust z of each
log-MAD against the others' (median and scaled MAD) gives a one-sided
p-value that the entity tests combine with the rate tests, as supporting
evidence (bounded: digits alone do not flag an officer).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse, stats

__all__ = ["BANDS", "DigitTest", "conformity"]

#: Nigrini's MAD upper limits: close, acceptable, marginally acceptable; above = nonconformity.
BANDS = {"first": (0.006, 0.012, 0.015), "last_two": (0.0012, 0.0018, 0.0022)}
_LABELS = np.array(["close", "acceptable", "marginal", "nonconformity"], dtype=object)


def conformity(mad: np.ndarray, test: str) -> np.ndarray:
    """Nigrini's conformity class of each MAD ("" where not tested).

    >>> conformity(np.array([0.004, 0.013, 0.02, np.nan]), "first").tolist()
    ['close', 'marginal', 'nonconformity', '']
    """
    mad = np.asarray(mad, dtype=np.float64)
    cls = _LABELS[
        np.searchsorted(np.asarray(BANDS[test]), np.nan_to_num(mad, nan=0.0), side="left")
    ]
    return np.where(np.isnan(mad), "", cls)


def _digits(amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First digit (1-9) and last two digits (0-99) of amounts in thousands; -1 when not usable."""
    k = np.where(np.isfinite(amounts) & (amounts >= 1000), np.floor(amounts / 1000), 0).astype(
        np.int64
    )
    usable = k > 0
    first = k // 10 ** np.floor(np.log10(np.maximum(k, 1))).astype(np.int64)
    return np.where(usable, first, -1), np.where(usable, k % 100, -1)


class DigitTest:
    """First- and last-two-digit conformity per entity against the case-mix expectation.

    Parameters
    ----------
    min_sample : int
        Paid cases an entity needs to be tested.
    """

    def __init__(self, min_sample: int = 100):
        self.min_sample = min_sample

    def fit(self, amounts: np.ndarray, procedure: np.ndarray, n_procedures: int) -> DigitTest:
        first, last = _digits(amounts)
        ok = (first > 0) & (procedure >= 0)
        self.first_ = self._table(procedure[ok], first[ok], n_procedures, 10)
        self.last_ = self._table(procedure[ok], last[ok], n_procedures, 100)
        return self

    @staticmethod
    def _table(proc: np.ndarray, digit: np.ndarray, n_proc: int, width: int) -> np.ndarray:
        counts = np.bincount(proc * width + digit, minlength=n_proc * width).reshape(n_proc, width)
        counts = counts.astype(np.float64) + 0.01  # a trace of every digit: never an exact zero
        return counts / counts.sum(axis=1, keepdims=True)

    def apply(self, codes, amounts, procedure, n_entities: int) -> dict[str, np.ndarray]:
        """Per entity: n, MAD and class of each test, and a combined one-sided p-value."""
        first, last = _digits(amounts)
        ok = (first > 0) & (procedure >= 0) & (procedure < len(self.first_)) & (codes >= 0)
        c, proc = codes[ok], procedure[ok]
        n = np.bincount(c, minlength=n_entities).astype(np.float64)
        # each entity's paid cases per procedure: its expected digits are these counts times
        # the procedures' digit tables
        mix = sparse.csr_array((np.ones(c.size), (c, proc)), shape=(n_entities, len(self.first_)))
        out = {"n": n}
        for name, digit, table, width in (
            ("first", first, self.first_, 10),
            ("last_two", last, self.last_, 100),
        ):
            observed = np.bincount(c * width + digit[ok], minlength=n_entities * width)
            observed = observed.reshape(n_entities, width).astype(np.float64)
            expected = mix @ table
            with np.errstate(invalid="ignore", divide="ignore"):
                cols = slice(1, 10) if name == "first" else slice(0, 100)
                mad = (
                    np.abs(observed - expected)[:, cols].sum(axis=1) / n / (cols.stop - cols.start)
                )
            mad = np.where(n >= self.min_sample, mad, np.nan)
            out[f"{name}_mad"] = mad
            out[f"{name}_class"] = conformity(mad, name)
            out[f"{name}_p"] = _robust_tail(np.log(mad))  # MADs are right-skewed; logs are not
        p = np.column_stack([out["first_p"], out["last_two_p"]])
        smallest = np.where(np.isnan(p), np.inf, p).min(axis=1)
        out["p_value"] = np.where(
            np.isfinite(smallest), smallest * 2, np.nan
        )  # Bonferroni over 2 tests
        out["p_value"] = np.minimum(out["p_value"], 1.0)
        return out


def _robust_tail(values: np.ndarray) -> np.ndarray:
    """One-sided p-value of each value's excess over the others' median (scaled MAD)."""
    ok = np.isfinite(values)
    if ok.sum() < 5:
        return np.full(values.shape, np.nan)
    med = np.median(values[ok])
    scale = 1.4826 * np.median(np.abs(values[ok] - med))
    scale = scale if scale > 0 else max(float(np.std(values[ok])), 1e-12)
    return np.where(ok, stats.norm.sf((values - med) / scale), np.nan)
