"""Validation with quarantine: every input row comes out valid or in ``rejects``.

:func:`validate_cases` checks a DataFrame already in memory;
:func:`~integrity_signals.io.read_cases` reads a file and ends here too. Both
return a :class:`CaseData`, whose invariant is
``n_input == len(cases) + n_rejected``.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .columns import ColumnMap, load_column_map, resolve_columns
from .exceptions import SchemaError
from .parsing import (
    parse_amounts,
    parse_channels,
    parse_counts,
    parse_datetimes,
    parse_days,
    parse_ids,
)
from .parsing.arrow import (
    Parsed,
    _bool_array,
    _null_mask,
    _pieces,
    _string_buffers,
)
from .schema import CASE_SCHEMA, CHANNELS, RejectReason, TableSchema

__all__ = [
    "REJECT_COLUMNS",
    "CaseData",
    "ValidationSummary",
    "check_cases",
    "validate_cases",
    "validate_table",
]

#: Columns of every rejects table, in order.
REJECT_COLUMNS = ["row", "case_id", "column", "reason", "value", "message"]

#: Dates outside this range are almost always placeholders (01/01/1900) or typos.
PLAUSIBLE_DATES = (np.datetime64("1990-01-01", "ns"), np.datetime64("2100-01-01", "ns"))

_PLAUSIBLE_NS = tuple(int(d.astype(np.int64)) for d in PLAUSIBLE_DATES)
_R = RejectReason
_NS_PER_DAY = 86_400 * 10**9
_NAT = np.iinfo(np.int64).min
_UNREADABLE = {
    "datetime": _R.UNPARSEABLE_DATE,
    "amount": _R.UNPARSEABLE_AMOUNT,
    "count": _R.UNPARSEABLE_COUNT,
    "days": _R.UNPARSEABLE_COUNT,
    "channel": _R.UNKNOWN_CHANNEL,
}
_CASE_DATES = ("submitted_at", "completed_at", "due_at")
_COST = {"datetime": 3, "amount": 2, "count": 2, "days": 2, "channel": 2, "id": 1, "text": 1}
_NEGATIVE = {"amount": _R.NEGATIVE_AMOUNT, "count": _R.NEGATIVE_COUNT, "days": _R.NEGATIVE_COUNT}


def _templates(dayfirst: bool) -> dict[RejectReason, str]:
    date_forms = "dd/mm/yyyy [HH:MM[:SS]]" if dayfirst else "mm/dd/yyyy [HH:MM[:SS]]"
    return {
        _R.MISSING_VALUE: "{column} is empty but required; fill it in or drop the row",
        _R.UNPARSEABLE_DATE: (
            f"{{column}} {{value!r}} is not a date; write {date_forms}, yyyy-mm-dd or an Excel date"
            + ("" if dayfirst else " (month first: dayfirst=False)")
        ),
        _R.IMPLAUSIBLE_DATE: "{column} {value!r} is outside 1990-2099; correct the date",
        _R.COMPLETED_BEFORE_SUBMITTED: (
            "completed_at {value!r} is before submitted_at {other!r}; correct one of the two dates"
        ),
        _R.DUE_BEFORE_SUBMITTED: (
            "due_at {value!r} is before submitted_at {other!r}; correct one of the two dates"
        ),
        _R.UNPARSEABLE_AMOUNT: (
            "{column} {value!r} is not an amount in VND; write 1.500.000, 1,500,000 or 1500000"
        ),
        _R.NEGATIVE_AMOUNT: "{column} {value!r} is negative; record refunds separately",
        _R.UNPARSEABLE_COUNT: (
            "{column} {value!r} is not a number: write a whole count (2) or working days (15)"
        ),
        _R.NEGATIVE_COUNT: "{column} {value!r} is negative; it must be 0 or more",
        _R.UNKNOWN_CHANNEL: (
            "channel {value!r} is not a known channel; use "
            + " / ".join(CHANNELS)
            + " or add it to the column map's [channel] table"
        ),
        _R.DUPLICATE_ID: "{column} {value!r} {other}",
        _R.MALFORMED_ROW: "{value!r}: {other}",
    }


@dataclass
class ValidationSummary:
    """Counts of a validation: rows in, valid, rejected, and rejected rows by reason."""

    n_input: int
    n_valid: int
    n_rejected: int
    by_reason: pd.Series
    column_map: dict[str, str]
    source: str | None = None

    def __str__(self) -> str:
        lines = [
            f"{self.source or 'input'}: {self.n_input:,} rows in, {self.n_valid:,} valid, "
            f"{self.n_rejected:,} rejected"
        ]
        if len(self.by_reason):
            lines.append("rejected rows by reason (a row may have several):")
            lines += [f"  {reason:<28} {count:>8,}" for reason, count in self.by_reason.items()]
        mapped = [f"{src!r} -> {canon}" for canon, src in self.column_map.items() if src != canon]
        if mapped:
            lines.append("columns mapped: " + ", ".join(mapped))
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):  # IPython
        p.text(str(self))


def summarise(
    rejects: pd.DataFrame, n_input: int, n_valid: int, column_map, source
) -> ValidationSummary:
    """The :class:`ValidationSummary` of a validated table."""
    by_reason = rejects.drop_duplicates(["row", "reason"])["reason"].value_counts().sort_index()
    by_reason.name = "rows"
    return ValidationSummary(
        n_input, n_valid, int(rejects["row"].nunique()), by_reason, dict(column_map), source
    )


@dataclass
class CaseData:
    """Validated cases and the quarantined rows.

    Attributes
    ----------
    cases : pandas.DataFrame
        Valid rows in the canonical schema (plus any extra input columns, kept
        as read). The index is the input's: for files, the 0-based record number.
    rejects : pandas.DataFrame
        One row per problem found: ``row`` (1-based record number in the input,
        header excluded), ``case_id``, ``column``, ``reason`` (a
        :class:`~integrity_signals.RejectReason` value), ``value`` (as written)
        and ``message``. A row that fails several checks appears several times.
    n_input : int
        Rows read. ``n_input == len(cases) + n_rejected`` always holds.
    column_map : dict
        Canonical column -> the input header it came from.
    source : str or None
        The file read, if any.
    """

    cases: pd.DataFrame
    rejects: pd.DataFrame
    n_input: int
    column_map: dict[str, str] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self):
        if self.n_input != len(self.cases) + self.n_rejected:
            raise AssertionError("rows lost in validation: please report this as a bug")

    @property
    def n_rejected(self) -> int:
        """Number of distinct input rows in ``rejects``."""
        return int(self.rejects["row"].nunique())

    def summary(self) -> ValidationSummary:
        """Rows in, valid and rejected, with rejected rows counted by reason."""
        return summarise(self.rejects, self.n_input, len(self.cases), self.column_map, self.source)

    def __repr__(self) -> str:
        return (
            f"CaseData({len(self.cases):,} cases, {self.n_rejected:,} rejected rows "
            f"of {self.n_input:,})"
        )


# --------------------------------------------------------------------------- engine


def _parse(kind: str, series: pd.Series, *, dayfirst, tz, channel_values) -> Parsed:
    if kind in ("id", "text"):
        return parse_ids(series)
    if kind == "datetime":
        return parse_datetimes(series, dayfirst=dayfirst, tz=tz)
    if kind == "amount":
        return parse_amounts(series)
    if kind == "count":
        return parse_counts(series)
    if kind == "days":
        return parse_days(series)
    if kind == "channel":
        return parse_channels(series, channel_values)
    raise AssertionError(kind)


_SLICED_DROPS = 64  # up to this many dropped rows, text columns keep the rest as slices


def _typed(kind: str, values, keep: np.ndarray, index: pd.Index):
    """The parsed values of the kept rows as the column's public dtype."""
    everything = keep.all()
    if kind in ("id", "text"):
        out = (values if everything else _kept_text(values, keep)).to_pandas()
        out.index = index
        return out
    values = values if everything else values[keep]  # a fresh copy unless everything is kept
    if kind == "count":
        values = pd.array(values, dtype="Float64").astype("Int64")
    return pd.Series(values, index=index, copy=everything)


def _kept_text(values: pa.Array | pa.ChunkedArray, keep: np.ndarray) -> pa.ChunkedArray:
    """``values[keep]``: zero-copy slices between the dropped rows when they are few."""
    dropped = np.flatnonzero(~keep)
    if len(dropped) > _SLICED_DROPS:
        return values.filter(_bool_array(keep))
    values = pa.chunked_array([values]) if isinstance(values, pa.Array) else values
    starts, ends = np.r_[0, dropped + 1], np.r_[dropped, len(values)]
    runs = zip(starts.tolist(), (ends - starts).tolist(), strict=True)  # at most 65 runs
    kept = [chunk for a, k in runs if k for chunk in values.slice(a, k).chunks]
    return pa.chunked_array(kept, type=values.type)


@dataclass
class _Failures:
    """Problems found so far, as parallel chunks: positions, column, reason, other-info."""

    chunks: list = field(default_factory=list)

    def add(self, pos, column: str, reason: RejectReason, other=None):
        pos = np.asarray(pos, dtype=np.int64)
        if pos.size:
            if other is None or isinstance(other, str):
                other = np.full(pos.size, other or "", dtype=object)
            self.chunks.append((pos, column, reason, np.asarray(other, dtype=object)))

    def rejected(self, n: int) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        for pos, *_ in self.chunks:
            mask[pos] = True
        return mask


def _values_at(values: pa.Array | pa.ChunkedArray, pos: np.ndarray) -> list:
    """``values[pos]`` as Python objects, taken chunk by chunk.

    Arrow's take on a chunked array joins the chunks first: a copy of the whole column
    to read a few values.
    """
    if isinstance(values, pa.Array):
        return values.take(pa.array(pos, type=pa.int64())).to_pylist()
    out = np.empty(len(pos), dtype=object)
    ends = np.cumsum([len(chunk) for chunk in values.chunks])
    which = np.searchsorted(ends, pos, side="right")
    for k in np.unique(which).tolist():  # over the chunks holding some of the positions
        here = which == k
        local = pa.array(pos[here] - (ends[k] - len(values.chunk(k))))
        out[here] = values.chunk(k).take(local).to_pylist()
    return out.tolist()


def _raw_text(series: pd.Series, pos: np.ndarray) -> list[str]:
    if not len(pos):
        return []
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        raw = _values_at(pa.array(series), pos)  # the column's own chunks, no copy
    else:
        raw = series.iloc[pos]
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in raw]


_HASH_FACTOR = np.uint64(0x9E3779B97F4A7C15)  # odd, so each step is a bijection mod 2**64
_HASH_MAX_BYTES = 64
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _string_hashes(values: pa.Array) -> np.ndarray | None:
    """A 64-bit hash of each string, read eight bytes at a time; None for long strings.

    Equal strings get equal hashes, so distinct hashes prove distinct strings; equal
    hashes only say "compare these exactly". Values longer than ``_HASH_MAX_BYTES``
    would take too many passes: None tells the caller to compare everything exactly.
    """
    offsets, data = _string_buffers(values)
    starts = offsets[:-1].astype(np.int64) - offsets[0]
    lengths = np.diff(offsets).astype(np.int64)
    longest = int(lengths.max()) if len(lengths) else 0
    if longest > _HASH_MAX_BYTES:
        return None
    size = int(offsets[-1] - offsets[0])
    padded = np.zeros(size + longest + 8, dtype=np.uint8)  # every read stays inside
    padded[:size] = data[offsets[0] : offsets[-1]]
    words = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    hashes = lengths.astype(np.uint64)
    for skip in range(0, longest, 8):  # eight bytes of every value per pass
        word = words[starts + skip] & _LOW_BYTES[np.clip(lengths - skip, 0, 8)]
        hashes = hashes * _HASH_FACTOR + word
    return hashes


def _repeated(ids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions of the non-null ids that occur more than once, in row order."""
    if ids.null_count:
        rows = np.flatnonzero(~_null_mask(ids))
    else:
        rows = np.arange(len(ids))
    hashes = [_string_hashes(piece) for piece in _pieces(ids)]
    if all(h is not None for h in hashes):  # one sort settles the common case, all ids distinct
        hashes = np.concatenate(hashes)
        hashes = hashes[rows] if ids.null_count else hashes
        ordered = np.sort(hashes)
        if not (ordered[1:] == ordered[:-1]).any():
            return rows[:0]
        rows = rows[pd.Series(hashes).duplicated(keep=False).to_numpy()]  # same hash: compare
    keys = ids.take(pa.array(rows)).to_pandas()
    return rows[keys.duplicated(keep=False).to_numpy()]


def _duplicates(ids: pa.Array, frame: pd.DataFrame, column: str) -> list:
    """Repeated keys, as failure records for :meth:`_Failures.add`.

    Exact repeats of a row keep the first copy; conflicting copies all go.
    """
    pos = _repeated(ids)
    if not pos.size:
        return []
    hashes = pd.util.hash_pandas_object(frame.iloc[pos].astype(str), index=False).to_numpy()
    keys = np.array(_values_at(ids, pos), dtype=object)
    groups = pd.DataFrame({"key": keys, "pos": pos, "hash": hashes})
    found = []
    for _, g in groups.groupby("key", sort=False):  # loop over duplicate groups only
        rows = g["pos"].to_numpy()
        if g["hash"].nunique() == 1:
            note = f"repeats row {rows[0] + 1} exactly; the first copy is kept"
            found.append((rows[1:], column, _R.DUPLICATE_ID, note))
        else:
            listed = ", ".join(str(r + 1) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
            note = f"is on rows {listed} with different contents; keep the right one and re-import"
            found.append((rows, column, _R.DUPLICATE_ID, note))
    return found


def validate_table(
    frame: pd.DataFrame,
    schema: TableSchema,
    *,
    columns=None,
    dayfirst: bool = True,
    tz: str = "Asia/Ho_Chi_Minh",
    row_numbers: np.ndarray | None = None,
    source: str | None = None,
    prior_rejects: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Map, parse and check a raw table. Returns (valid rows, rejects, canonical -> header).

    ``row_numbers`` gives each frame row's 1-based record number in the source
    (default 1..n); ``prior_rejects`` are rows the reader already quarantined
    (malformed lines), merged into the result.
    """
    column_map = load_column_map(columns)
    header_to_canon = resolve_columns(list(frame.columns), schema, column_map)
    canon_to_header = {c: h for h, c in header_to_canon.items()}
    n = len(frame)
    rows = np.arange(1, n + 1) if row_numbers is None else np.asarray(row_numbers)
    failures = _Failures()
    present = [c for c in schema.columns if c.name in canon_to_header]
    key = schema.key[0]

    def parse(col):  # the column's values, and its single-column failures
        raw = frame[canon_to_header[col.name]]
        p = _parse(col.kind, raw, dayfirst=dayfirst, tz=tz, channel_values=column_map.channel)
        return p, _column_failures(col, p)

    key_cols = [c for c in present if c.name in schema.key]

    def parse_key():
        parts = [parse(c) for c in key_cols]
        ids = parts[0][0].values
        if len(parts) > 1:  # e.g. (procedure_id, valid_from); NaT is part of a key too
            second = pa.array(np.asarray(parts[1][0].values).astype(str), type=ids.type)
            ids = pc.binary_join_element_wise(ids, second, pa.scalar("\x1f", ids.type))
        return parts, _duplicates(ids, frame, key)

    # Columns are independent: parse them on all cores (numpy and pyarrow release the GIL),
    # the key and its duplicate check first, then the costliest kinds first.
    others = sorted((c for c in present if c not in key_cols), key=lambda c: -_COST[c.kind])
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        key_job = pool.submit(parse_key)
        jobs = {col.name: pool.submit(parse, col) for col in others}
        rules = _Failures()
        if schema is CASE_SCHEMA:  # its dates parse first: check them while the rest parse
            dates = {name: jobs[name].result()[0] for name in _CASE_DATES if name in jobs}
            _case_rules(dates, frame, canon_to_header, rules)
        key_parts, duplicates = key_job.result()
        results = dict(zip([c.name for c in key_cols], key_parts, strict=True))
        results.update({name: job.result() for name, job in jobs.items()})
        parsed: dict[str, Parsed] = {name: p for name, (p, _) in results.items()}
        for col in present:
            for args in results[col.name][1]:
                failures.add(*args)
        failures.chunks += rules.chunks
        for args in duplicates:
            failures.add(*args)

        keep = ~failures.rejected(n)
        index = frame.index[keep]
        typed = {
            c.name: pool.submit(_typed, c.kind, parsed[c.name].values, keep, index)
            for c in schema.columns
            if c.name in parsed
        }
        rejects = _rejects_frame(
            failures, frame, canon_to_header, parsed[key].values, rows, dayfirst, key
        )
        out = {name: job.result() for name, job in typed.items()}
    for header in frame.columns:
        if header not in header_to_canon and header not in out:
            out[header] = frame[header].set_axis(frame.index) if keep.all() else frame[header][keep]
    valid = pd.DataFrame(out, index=index, copy=False)  # each column is its own Series already
    if prior_rejects is not None and len(prior_rejects):
        rejects = pd.concat([prior_rejects, rejects], ignore_index=True)
        rejects = rejects.sort_values(["row", "column"], kind="stable", ignore_index=True)
    rejects = rejects.rename(columns={"case_id": key}) if key != "case_id" else rejects
    return valid, rejects, canon_to_header


def _column_failures(col, p: Parsed) -> list:
    """The checks of one column on its own, as failure records for :meth:`_Failures.add`."""
    found = []
    if col.required:
        found.append((np.flatnonzero(p.missing), col.name, _R.MISSING_VALUE))
    if col.kind in _UNREADABLE:
        found.append((np.flatnonzero(p.bad), col.name, _UNREADABLE[col.kind]))
    if col.kind == "datetime":
        v, (lo, hi) = p.values.view(np.int64), _PLAUSIBLE_NS
        odd = np.flatnonzero((v < lo) | (v >= hi))  # NaT too: it is the smallest int64
        found.append((odd[~p.missing[odd] & ~p.bad[odd]], col.name, _R.IMPLAUSIBLE_DATE))
    if col.kind in _NEGATIVE:
        found.append((np.flatnonzero(p.values < 0), col.name, _NEGATIVE[col.kind]))
    return found


def _case_rules(parsed: dict[str, Parsed], frame, canon_to_header, failures: _Failures):
    """Row-level rules of the case schema that involve two columns."""
    s = parsed["submitted_at"].values.view(np.int64)
    day_start = s - s % _NS_PER_DAY  # midnight of the submission day
    for name, reason in (
        ("completed_at", _R.COMPLETED_BEFORE_SUBMITTED),
        ("due_at", _R.DUE_BEFORE_SUBMITTED),
    ):
        if name not in parsed:
            continue
        other = parsed[name].values.view(np.int64)
        # a date written without a time (midnight) means "that day": never before that day's
        # submission; any other time before the submission is
        before = (other < s) & (other != day_start) & (s != _NAT) & (other != _NAT)
        pos = np.flatnonzero(before)
        failures.add(pos, name, reason, _raw_text(frame[canon_to_header["submitted_at"]], pos))


def _rejects_frame(
    failures: _Failures, frame, canon_to_header, ids, rows, dayfirst, key
) -> pd.DataFrame:
    templates = _templates(dayfirst)
    if not failures.chunks:
        return _empty_rejects()
    parts = []
    for pos, column, reason, other in failures.chunks:
        values = (
            _raw_text(frame[canon_to_header[column]], pos)
            if column in canon_to_header
            else [""] * len(pos)
        )
        template = templates[reason]
        messages = [
            template.format(column=column, value=v, other=o)
            for v, o in zip(values, other, strict=True)
        ]
        parts.append(
            pd.DataFrame(
                {
                    "row": rows[pos],
                    "case_id": _values_at(ids, pos),
                    "column": column,
                    "reason": str(reason),
                    "value": values,
                    "message": messages,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["row", "column"], kind="stable", ignore_index=True)[REJECT_COLUMNS]


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series(dtype=np.int64),
            "case_id": pd.Series(dtype=object),
            "column": pd.Series(dtype=object),
            "reason": pd.Series(dtype=object),
            "value": pd.Series(dtype=object),
            "message": pd.Series(dtype=object),
        }
    )


# --------------------------------------------------------------------------- public


def validate_cases(
    df: pd.DataFrame,
    columns: Mapping | str | Path | ColumnMap | None = None,
    *,
    dayfirst: bool = True,
    tz: str = "Asia/Ho_Chi_Minh",
) -> CaseData:
    """Validate a DataFrame of cases held in memory; quarantine the rows that break the contract.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per case, with canonical or recognisable headers (see
        :data:`~integrity_signals.schema.CASE_SCHEMA`). Values may be typed or
        text as exported.
    columns : dict, path or None
        Column map ``{"your header": "canonical_name"}`` or a TOML/JSON file
        holding one (see :mod:`integrity_signals.columns`).
    dayfirst : bool, default True
        Read ``03/04/2025`` as 3 April (Vietnamese usage); ``False`` for month first.
    tz : str, default "Asia/Ho_Chi_Minh"
        Time zone that timestamps with an offset are converted to before the
        offset is dropped.

    Returns
    -------
    CaseData
        ``.cases`` (valid rows, input index kept), ``.rejects`` and ``.n_input``.

    Examples
    --------
    >>> import pandas as pd, integrity_signals as isig
    >>> raw = pd.DataFrame({
    ...     "Mã hồ sơ": ["HS1", "HS2", "HS2"],
    ...     "Mã thủ tục": ["KS01", "KS01", "KS01"],
    ...     "Đơn vị": ["Phường A"] * 3,
    ...     "Cán bộ xử lý": ["cb1", "cb2", "cb2"],
    ...     "Ngày tiếp nhận": ["02/01/2025 08:00", "03/01/2025", "04/01/2025"],
    ...     "Lệ phí": ["50.000", "", "-10.000"],
    ... })
    >>> data = isig.validate_cases(raw)
    >>> data.n_input, len(data.cases), data.n_rejected
    (3, 1, 2)
    >>> data.rejects[["row", "column", "reason"]]
       row       column           reason
    0    2      case_id     duplicate_id
    1    3      case_id     duplicate_id
    2    3  fee_charged  negative_amount
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(
            f"validate_cases expects a pandas DataFrame; got {type(df).__name__}. "
            "Use read_cases for files."
        )
    if not df.columns.is_unique:
        dups = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise SchemaError(f"The frame has repeated column names {dups}; rename them first.")
    valid, rejects, mapping = validate_table(
        df, CASE_SCHEMA, columns=columns, dayfirst=dayfirst, tz=tz
    )
    return CaseData(valid, rejects, len(df), mapping)


#: Frames that :func:`check_cases` validated itself, by identity (weakly held). They never
#: leave the library's own calls (a model passes them to its features), so checking one again
#: is free, as it is for a CaseData's ``.cases``.
_CHECKED: dict[int, weakref.ref] = {}


def check_cases(data, *, context: str = "this call") -> pd.DataFrame:
    """Cases ready for modelling: a CaseData's ``.cases`` or a DataFrame that must be fully valid.

    A DataFrame with any invalid row raises :class:`SchemaError` listing every
    failure (``exc.failures``), with the hint to quarantine them first. The
    frame returned for a DataFrame is checked once: passing it on (a model to
    its features) does not validate it again.
    """
    if isinstance(data, CaseData):
        return data.cases
    seen = _CHECKED.get(id(data))
    if seen is not None and seen() is data:
        return data
    checked = validate_cases(data)
    if len(checked.rejects):
        listed = "; ".join(
            f"row {r.row} {r.column}: {r.reason}" for r in checked.rejects.head(5).itertuples()
        )
        more = len(checked.rejects) - 5
        raise SchemaError(
            f"{checked.n_rejected} of {checked.n_input} rows passed to {context} break the data "
            f"contract ({listed}{f'; and {more} more' if more > 0 else ''}). Quarantine them with "
            "isig.validate_cases(df) and pass the result (or its .cases); exc.failures lists all.",
            failures=checked.rejects,
        )
    key = id(checked.cases)
    _CHECKED[key] = weakref.ref(checked.cases, lambda _, key=key: _CHECKED.pop(key, None))
    return checked.cases
