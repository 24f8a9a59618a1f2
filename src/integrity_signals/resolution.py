"""What the data can carry: the resolution of the dates, and columns not recorded somewhere.

Exports differ within one province. One unit's system writes completion
dates without a time of day (every stamp at 00:00), another stamps every
dossier at the same minute (17:00, or 07:00 for UTC midnight shown in
Vietnam), a third leaves requests for documents empty or writes 0 in every
row. Read as evidence, such columns accuse: an officer whose dossiers are
stamped at midnight "completes them outside office hours", one whose
requests are never recorded "asks for nothing". This module finds them, per
source (the whole batch), unit and officer, so that the signals they feed
are computed only where the data carries them.

**Time of day** (:func:`time_resolution`, :func:`real_times`): each date
column's stamps per source, unit and officer with at least
:data:`MIN_VALUES` stamps are *date only* when at least :data:`DATE_ONLY`
of them are at midnight, a *constant time* when at least :data:`CONSTANT`
are at one and the same minute, else *times*. A case's completion time is
real when the finest of its officer, unit and source that has enough
stamps has times, and the stamp itself is not at midnight. Off-hours work
is read only from real times; working-day and holiday completions still
read the date.

**Columns not recorded** (:func:`not_applicable`): an optional column that
is nearly empty (at most 1 - :data:`NEARLY_EMPTY` of the rows filled) for a
unit or officer while the source mostly fills it, or constant (one value on
every row, at least :data:`MIN_VALUES` rows) for a unit or officer while
the source has several values, is *not applicable* there:
:func:`mask_not_applicable` blanks it on those rows before the features are
computed, so it is neither evidence for nor against anybody there. Which
levels a constant column is read at is declared per column in
:data:`APPLICABILITY` (a constant receiver is one counter officer for a
unit, but for an officer it may be the self-receipt scheme itself).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "APPLICABILITY",
    "CONSTANT",
    "DATE_COLUMNS",
    "DATE_ONLY",
    "MIN_VALUES",
    "NEARLY_EMPTY",
    "data_coverage",
    "mask_not_applicable",
    "not_applicable",
    "real_times",
    "time_resolution",
]

#: Stamps (or filled rows) a unit or officer needs to be judged on its own.
MIN_VALUES = 20
#: Share of stamps at midnight from which a column has no time of day.
DATE_ONLY = 0.9
#: Share of stamps at one minute (or rows with one value) from which it is constant.
CONSTANT = 0.98
#: Share of empty rows from which a column is nearly empty for a unit or officer.
NEARLY_EMPTY = 0.9
#: Share of filled rows the source needs for a nearly empty unit or officer to stand out.
SOURCE_FILLED = 0.5

DATE_COLUMNS = ("submitted_at", "completed_at", "due_at")
_LEVELS = ("handler_id", "unit_id")
_NS_PER_MINUTE = 60 * 10**9
_MINUTES_PER_DAY = 1440

#: Optional columns checked for each unit and officer: the levels at which one value on every
#: row means "not recorded" (nearly empty counts at both levels).
APPLICABILITY: dict[str, tuple[str, ...]] = {
    "supplement_requests": ("unit_id", "handler_id"),  # a system default (0) on every row
    "fee_charged": ("unit_id",),  # one amount for every procedure of a unit: not the fee charged
    "receiver_id": ("unit_id",),  # one counter officer; for an officer it may be the scheme
    "applicant_id": ("unit_id", "handler_id"),  # a placeholder ("0", "N/A") on every row
}


def _minutes(values: np.ndarray) -> np.ndarray:
    """Minutes after midnight of each stamp (-1 where missing)."""
    ns = values.astype("datetime64[ns]").view(np.int64)
    out = (ns % (_MINUTES_PER_DAY * _NS_PER_MINUTE)) // _NS_PER_MINUTE
    return np.where(np.isnat(values), -1, out)


def _status(n: int, midnight: int, top: int, minute: int) -> str:
    if n == 0:
        return "no values"
    if midnight >= DATE_ONLY * n:
        return "date only"
    if top >= CONSTANT * n and n > 1:
        return f"constant time {minute // 60:02d}:{minute % 60:02d}"
    return "times"


def _group_stats(codes: np.ndarray, minutes: np.ndarray, k: int):
    """Per group: stamps, midnight stamps, the most frequent minute and its count."""
    ok = (minutes >= 0) & (codes >= 0)
    c, m = codes[ok], minutes[ok]
    n = np.bincount(c, minlength=k)
    midnight = np.bincount(c[m == 0], minlength=k)
    keys, counts = np.unique(c.astype(np.int64) * _MINUTES_PER_DAY + m, return_counts=True)
    top = np.zeros(k, dtype=np.int64)
    minute = np.zeros(k, dtype=np.int64)
    if keys.size:
        group = keys // _MINUTES_PER_DAY
        # per group the largest count, the earliest minute among equal counts (sorted keys)
        order = np.lexsort((keys % _MINUTES_PER_DAY, -counts, group))
        first = order[np.r_[True, group[order][1:] != group[order][:-1]]]
        top[group[first]] = counts[first]
        minute[group[first]] = keys[first] % _MINUTES_PER_DAY
    return n, midnight, top, minute


def time_resolution(cases: pd.DataFrame, column: str = "completed_at") -> pd.DataFrame:
    """The time-of-day resolution of a date column per source, unit and officer.

    Returns one row per source (``level="source"``), unit and officer with
    ``n`` stamps, ``midnight`` (stamps at 00:00), ``top_time`` and
    ``top_share`` (the most frequent minute of the day and its share) and
    ``status``: ``"times"``, ``"date only"``, ``"constant time HH:MM"``,
    ``"no values"``, or ``"too few"`` (fewer than :data:`MIN_VALUES` stamps:
    judged with its unit, or the source).

    Examples
    --------
    >>> cases = pd.DataFrame({"unit_id": "U", "handler_id": ["a"] * 20 + ["b"] * 20,
    ...     "completed_at": pd.Timestamp("2025-03-03")
    ...     + pd.to_timedelta(np.r_[np.zeros(20), 600 + np.arange(20)], unit="min")})
    >>> time_resolution(cases).set_index("entity")["status"].to_dict()
    {'': 'times', 'U': 'times', 'a': 'date only', 'b': 'times'}
    """
    cols = ["column", "level", "entity", "n", "midnight", "top_time", "top_share", "status"]
    if column not in cases.columns:
        return pd.DataFrame(columns=cols)
    minutes = _minutes(cases[column].to_numpy(dtype="datetime64[ns]"))
    rows = []
    for level in ("source", *reversed(_LEVELS)):
        if level == "source":
            codes, ids = np.zeros(len(cases), dtype=np.int64), pd.Index([""])
        elif level in cases.columns:
            codes, ids = pd.factorize(cases[level], sort=True)
        else:
            continue
        n, midnight, top, minute = _group_stats(np.asarray(codes, np.int64), minutes, len(ids))
        for i, entity in enumerate(ids):
            status = _status(int(n[i]), int(midnight[i]), int(top[i]), int(minute[i]))
            if level != "source" and 0 < n[i] < MIN_VALUES:
                status = "too few"
            rows.append((
                column, level, str(entity), int(n[i]), int(midnight[i]),
                f"{minute[i] // 60:02d}:{minute[i] % 60:02d}" if n[i] else "",
                float(top[i] / n[i]) if n[i] else np.nan, status,
            ))  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def real_times(
    cases: pd.DataFrame, column: str = "completed_at", *, constant: bool = False
) -> np.ndarray:
    """Per case: whether its ``column`` stamp carries a real time of day.

    False where the stamp is missing or at midnight, and for every stamp of an
    officer (else its unit, else the source: the finest with at least
    :data:`MIN_VALUES` stamps) whose stamps are date only or, unless
    ``constant``, at one constant time. (A constant time may be a real routine,
    results returned at the 08:00 opening, so durations read it as it is; it
    says nothing about work outside office hours.)
    """
    n = len(cases)
    if column not in cases.columns or n == 0:
        return np.zeros(n, dtype=bool)
    minutes = _minutes(cases[column].to_numpy(dtype="datetime64[ns]"))
    stamps, _, top, _ = _group_stats(np.zeros(n, dtype=np.int64), minutes, 1)
    midnight_all = int((minutes == 0).sum())
    fine = ("times", "constant") if constant else ("times",)
    real = np.full(n, _status(int(stamps[0]), midnight_all, int(top[0]), 0).startswith(fine))
    decided = np.zeros(n, dtype=bool)
    for level in _LEVELS:  # the finest level with enough stamps decides
        if level not in cases.columns:
            continue
        codes, ids = pd.factorize(cases[level])
        codes = np.asarray(codes, dtype=np.int64)
        count, midnight, top, minute = _group_stats(codes, minutes, len(ids))
        enough = count >= MIN_VALUES
        ok = np.array([
            _status(int(a), int(b), int(c), int(d)).startswith(fine)
            for a, b, c, d in zip(count, midnight, top, minute, strict=True)
        ], dtype=bool)  # fmt: skip
        here = ~decided & (codes >= 0) & enough[np.maximum(codes, 0)]
        real = np.where(here, ok[np.maximum(codes, 0)], real)
        decided |= here
    return real & (minutes > 0)


def _present(series: pd.Series) -> np.ndarray:
    """Filled rows (not missing, not blank text)."""
    filled = series.notna().to_numpy(dtype=bool).copy()
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        filled &= series.astype(str).str.strip().ne("").to_numpy(dtype=bool)
    return filled


def not_applicable(cases: pd.DataFrame) -> pd.DataFrame:
    """Units and officers for which an optional column is nearly empty or constant.

    One row per (column, level, entity): ``n`` rows, ``filled`` rows, ``value``
    (the constant value, or "" when nearly empty) and ``status`` (``"nearly
    empty"`` or ``"constant"``). See the module notes for the rules.

    Examples
    --------
    >>> cases = pd.DataFrame({"unit_id": ["U1"] * 30 + ["U2"] * 30, "handler_id": "h",
    ...                       "supplement_requests": [0] * 30 + [0, 1, 2] * 10})
    >>> not_applicable(cases)[["column", "level", "entity", "status"]].values.tolist()
    [['supplement_requests', 'unit_id', 'U1', 'constant']]
    """
    cols = ["column", "level", "entity", "n", "filled", "value", "status"]
    rows = []
    for column, constant_levels in APPLICABILITY.items():
        if column not in cases.columns or not len(cases):
            continue
        series = cases[column]
        filled = _present(series)
        if not filled.any():
            continue  # absent everywhere: the column's own coverage says so
        values, distinct = pd.factorize(series.where(filled), sort=True)
        values = np.asarray(values, dtype=np.int64)
        several = len(distinct) > 1
        source_filled = filled.mean() >= SOURCE_FILLED
        for level in _LEVELS:
            if level not in cases.columns:
                continue
            codes, ids = pd.factorize(cases[level], sort=True)
            codes = np.asarray(codes, dtype=np.int64)
            k = len(ids)
            n = np.bincount(codes[codes >= 0], minlength=k)
            f = np.bincount(codes[(codes >= 0) & filled], minlength=k)
            lo = np.full(k, np.iinfo(np.int64).max)
            hi = np.full(k, -1)
            rows_f = (codes >= 0) & filled
            np.minimum.at(lo, codes[rows_f], values[rows_f])
            np.maximum.at(hi, codes[rows_f], values[rows_f])
            for i in range(k):
                if n[i] < MIN_VALUES:
                    continue
                if source_filled and f[i] <= (1 - NEARLY_EMPTY) * n[i]:
                    rows.append((column, level, str(ids[i]), int(n[i]), int(f[i]), "",
                                 "nearly empty"))  # fmt: skip
                elif (
                    level in constant_levels and several and f[i] >= MIN_VALUES
                    and lo[i] == hi[i] and f[i] >= CONSTANT * n[i]
                ):  # fmt: skip
                    rows.append((column, level, str(ids[i]), int(n[i]), int(f[i]),
                                 str(distinct[lo[i]]), "constant"))  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def mask_not_applicable(cases: pd.DataFrame, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """``cases`` with each column blanked (missing) for the units and officers where it is not
    applicable (:func:`not_applicable`); the input itself when there are none."""
    table = not_applicable(cases) if table is None else table
    if not len(table):
        return cases
    out = cases.copy()
    for column, part in table.groupby("column", sort=True):
        blank = np.zeros(len(out), dtype=bool)
        for level, entities in part.groupby("level", sort=True)["entity"]:
            blank |= out[level].astype(str).isin(set(entities)).to_numpy()
        out[column] = out[column].mask(blank)
    return out


def data_coverage(cases: pd.DataFrame) -> dict[str, str]:
    """What the data carries, as coverage entries (``RiskModel.coverage_``, ``validate``).

    ``resolution:<date column>``: the source's time of day (``"times"``,
    ``"date only"``, ``"constant time HH:MM"``) and the units and officers that
    differ; ``not_applicable:<column>``: the units and officers where an optional
    column is not applicable; ``signal:off_time`` is not applicable when the
    completions carry no real time of day anywhere.

    Examples
    --------
    >>> cases = pd.DataFrame({"unit_id": "U", "handler_id": "h",
    ...                       "completed_at": pd.to_datetime(["2025-03-03"] * 30)})
    >>> data_coverage(cases)
    {'resolution:completed_at': 'date only', 'signal:off_time': 'not applicable: no time_of_day'}
    """
    out: dict[str, str] = {}
    for column in DATE_COLUMNS:
        table = time_resolution(cases, column)
        if not len(table):
            continue
        source = table.loc[table["level"] == "source", "status"].iloc[0]
        odd = table[(table["level"] != "source") & ~table["status"].isin(["times", "too few"])]
        odd = odd[odd["status"] != source]
        parts = [
            f"{status} for {len(g)} {_PLURAL[level]} ({_some(g['entity'])})"
            for (level, status), g in odd.groupby(["level", "status"], sort=True)
        ]
        out[f"resolution:{column}"] = "; ".join([source, *parts])
    if "completed_at" in cases.columns and not real_times(cases, "completed_at").any():
        out["signal:off_time"] = "not applicable: no time_of_day"
    for column, part in not_applicable(cases).groupby("column", sort=True):
        parts = [
            f"{status} for {len(g)} {_PLURAL[level]} ({_some(g['entity'])})"
            for (level, status), g in part.groupby(["level", "status"], sort=True)
        ]
        out[f"not_applicable:{column}"] = "; ".join(parts)
    return out


_PLURAL = {"unit_id": "units", "handler_id": "officers"}


def _some(entities: pd.Series, k: int = 5) -> str:
    """The first ``k`` names, and how many more."""
    names = ", ".join(entities.head(k))
    return names + (f" and {len(entities) - k} more" if len(entities) > k else "")
