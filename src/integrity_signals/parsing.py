"""Vectorised parsers for the values found in administrative exports.

Dates are parsed in :mod:`integrity_signals.dates`, with the helpers here. Each
parser takes a pandas Series of whatever the reader produced (text from
CSV, typed values from Parquet, a mix of both from Excel) and returns a
:class:`Parsed` result: the values, which entries were empty, and which were
present but could not be read. Nothing is dropped here; the caller decides
between "missing" and "reject".

Text is handled with pyarrow compute kernels over whole columns. Columns with
few distinct values (amounts, counts, channels) are parsed once per distinct
value and mapped back through the dictionary codes.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .textkeys import label_key

__all__ = [
    "Parsed",
    "parse_amounts",
    "parse_channels",
    "parse_counts",
    "parse_days",
    "parse_ids",
]


@dataclass
class Parsed:
    """Result of parsing one column.

    ``values`` is a numpy array (datetime64[ns], float64), a Categorical
    (channels) or a pyarrow large-string array, chunked as the input was (ids,
    text); ``missing`` marks empty input, ``bad`` marks input that is present
    but unreadable. The two never overlap.
    """

    values: np.ndarray | pd.Categorical | pa.Array | pa.ChunkedArray
    missing: np.ndarray
    bad: np.ndarray


# --------------------------------------------------------------------------- text helpers


def _fold(text: str) -> str:
    """Lowercase, drop diacritics (đ -> d), keep punctuation; for value matching."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()


def _string_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Zero-copy numpy views of a (large) string array: its ``len + 1`` offsets and its bytes.

    Value ``i`` is ``data[offsets[i]:offsets[i + 1]]``; null values may take bytes too.
    """
    _, offsets_buf, data_buf = arr.buffers()
    off_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=off_type)[arr.offset : arr.offset + len(arr) + 1]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    )
    return offsets, data


def _bool_array(mask: np.ndarray) -> pa.BooleanArray:
    """A numpy bool array as an Arrow one; packing the bits in numpy is much faster than pa.array."""
    return pa.Array.from_buffers(
        pa.bool_(), len(mask), [None, pa.py_buffer(np.packbits(mask, bitorder="little"))]
    )


def _null_mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """``arr.is_null()`` as a numpy bool array, read from the validity bitmaps."""
    if not arr.null_count:
        return np.zeros(len(arr), dtype=bool)
    if isinstance(arr, pa.ChunkedArray):
        return np.concatenate([_null_mask(chunk) for chunk in arr.chunks])
    bits = np.frombuffer(arr.buffers()[0], dtype=np.uint8)
    valid = np.unpackbits(bits, count=arr.offset + len(arr), bitorder="little")[arr.offset :]
    return valid == 0


_PIECE_ROWS = 1 << 14  # shorter chunks are joined: work on a piece has a fixed cost


def _pieces(arr: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    """``arr`` as contiguous arrays: its chunks, runs of short chunks joined into one.

    Working piece by piece spares copying a chunked column into one array (pandas keeps
    the chunks Arrow's CSV reader made); only short chunks are copied, to join them.
    """
    if isinstance(arr, pa.Array):
        return [arr]
    pieces, short, rows = [], [], 0
    for chunk in arr.chunks:  # over chunks, not rows
        short.append(chunk)
        rows += len(chunk)
        if rows >= _PIECE_ROWS:
            pieces.append(short[0] if len(short) == 1 else pa.concat_arrays(short))
            short, rows = [], 0
    if short or not pieces:
        pieces.append(pa.concat_arrays(short) if short else pa.array([], type=arr.type))
    return pieces


def _chunked(pieces: list[pa.Array]) -> pa.Array | pa.ChunkedArray:
    return pieces[0] if len(pieces) == 1 else pa.chunked_array(pieces, type=pieces[0].type)


# UTF-8 forms of the non-ASCII characters Arrow's utf8_trim_whitespace trims (those of
# str.isspace: U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
_SPACES = [chr(c).encode() for c in range(0x80, 0x3001) if chr(c).isspace()]
_SPACE_KEYS = np.array([int.from_bytes(b, "big") for b in _SPACES], dtype=np.int64)
_SPACE_FIRST = np.unique([b[0] for b in _SPACES]).astype(np.uint8)
_SPACE_LAST = np.unique([b[-1] for b in _SPACES]).astype(np.uint8)


def _among(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``np.isin`` for a few wanted bytes: one comparison per run of consecutive values."""
    runs = np.split(wanted, np.flatnonzero(np.diff(wanted) > 1) + 1)
    hit = np.zeros(len(values), dtype=bool)
    for run in runs:  # over the 4-16 byte values of the whitespace forms, not over rows
        hit |= (values - run[0]) <= (run[-1] - run[0])  # uint8 wraps below run[0]
    return hit


def _edge_spaces(offsets: np.ndarray, data: np.ndarray) -> bool:
    """Whether some value may begin or end with whitespace (False: trimming changes nothing).

    Any edge byte up to 0x20 counts as space. Values whose first or last byte may belong
    to a non-ASCII space (few, as a rule) have that edge compared with the UTF-8 forms.
    The answer errs only towards True.
    """
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    if not filled.all():
        starts, ends = starts[filled], ends[filled]
    first, last = np.take(data, starts), np.take(data, ends - 1)
    if (first <= 0x20).any() or (last <= 0x20).any():
        return True
    opens = starts[_among(first, _SPACE_FIRST)]
    closes = ends[_among(last, _SPACE_LAST)]
    if not (len(opens) or len(closes)):
        return False

    def keys(at: np.ndarray, width: int) -> np.ndarray:
        key = np.zeros(len(at), dtype=np.int64)
        for i in range(width):
            key = key << 8 | data[np.clip(at + i, 0, len(data) - 1)]
        return key

    edges = [keys(opens, 2), keys(opens, 3), keys(closes - 2, 2), keys(closes - 3, 3)]
    return bool(np.isin(np.concatenate(edges), _SPACE_KEYS).any())


def _nfc(arr: pa.Array) -> pa.Array:
    """Unicode NFC, so that "Phường" typed on Windows and on a Mac compare equal.

    Legacy code pages (cp1258) and some Mac exports write decomposed accents.
    ASCII columns pass untouched; others are normalised once per distinct value.
    """
    offsets, data = _string_buffers(arr)
    if data[offsets[0] : offsets[-1]].max(initial=0) < 0x80:
        return arr
    distinct = pc.unique(arr)  # cheaper than encoding, and as a rule all are NFC already
    if pc.utf8_normalize(distinct, "NFC").equals(distinct):
        return arr
    enc = pc.dictionary_encode(arr)
    return pc.utf8_normalize(enc.dictionary, "NFC").take(enc.indices)


def _clean(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """NFC, trimmed of Unicode whitespace; empty strings become null. Piece by piece.

    Trimming copies the text, so it only runs where some value has whitespace at an edge.
    """
    return _chunked([_clean_piece(piece) for piece in _pieces(arr)])


def _clean_piece(arr: pa.Array) -> pa.Array:
    if _edge_spaces(*_string_buffers(arr)):
        arr = pc.utf8_trim_whitespace(arr)
    arr = _nfc(arr)
    offsets, _ = _string_buffers(arr)
    present = offsets[1:] > offsets[:-1]
    if arr.null_count:
        present &= ~_null_mask(arr)
    if arr.offset:
        return pc.if_else(_bool_array(present), arr, pa.scalar(None, arr.type))
    # the same text with a new validity bitmap: no copy
    _, offsets_buf, data_buf = arr.buffers()
    validity = _bool_array(present).buffers()[1]
    return pa.Array.from_buffers(arr.type, len(arr), [validity, offsets_buf, data_buf])


def _object_kinds(series: pd.Series) -> np.ndarray:
    """Per-element kind of an object column: 0 missing, 1 text, 2 number, 3 date/time, 4 other.

    Only used for object columns that mix Python types (Excel cells); typed and
    pure-text columns never reach this loop.
    """

    def kind(v):
        if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            return 0
        if isinstance(v, str):
            return 1
        if isinstance(v, bool | np.bool_):
            return 4
        if isinstance(v, int | float | np.integer | np.floating):
            return 2
        if isinstance(v, _dt.date | np.datetime64):
            return 3
        return 4

    return series.map(kind).to_numpy(dtype=np.int8)


def _text(series: pd.Series) -> pa.Array | pa.ChunkedArray:
    """Series of strings (any string dtype, or object holding only str/None) -> arrow strings.

    Arrow-backed text comes as it is stored, without a copy (chunked if it is).
    """
    try:
        arr = pa.array(series, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array(
            series.astype(object).where(series.notna(), None).astype(str), type=pa.large_string()
        )
        arr = pc.if_else(pa.array(series.isna().to_numpy()), pa.scalar(None, arr.type), arr)
    return arr


def _is_text_dtype(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series.dtype) or series.dtype == object


def _mixed(series: pd.Series, parts: dict[int, Callable[[pd.Series], Parsed]], empty) -> Parsed:
    """Parse an object column element kind by element kind and stitch the results."""
    kinds = _object_kinds(series)
    n = len(series)
    values = np.full(n, empty)
    missing = kinds == 0
    bad = kinds == 4
    for k, fn in parts.items():
        rows = np.flatnonzero(kinds == k)
        if rows.size == 0:
            continue
        sub = fn(series.iloc[rows].reset_index(drop=True))
        values[rows] = sub.values
        missing[rows] = sub.missing
        bad[rows] = sub.bad
    for k in {1, 2, 3} - parts.keys():
        bad |= kinds == k
    return Parsed(values, missing, bad)


def _distinct(arr: pa.Array | pa.ChunkedArray, *, clean: bool = False) -> tuple[list, np.ndarray]:
    """The distinct values of ``arr`` and, per row, the position of its value; nulls get -1.

    With ``clean`` the distinct values are cleaned (see :func:`_clean`; empty ones become
    None), which is the same as cleaning the column first, at the cost of a few values.
    """
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):  # chunks share one dictionary after combining
        enc = enc.combine_chunks()
    words = _clean(enc.dictionary) if clean else enc.dictionary
    at = enc.indices.fill_null(-1) if enc.indices.null_count else enc.indices
    return words.to_pylist(), at.to_numpy(zero_copy_only=False).astype(np.intp)


def _per_unique(
    arr: pa.Array | pa.ChunkedArray, fn: Callable[[str], object], null, dtype, *, clean=False
):
    """``fn`` applied once per distinct value of ``arr`` and spread back; nulls get ``null``."""
    words, at = _distinct(arr, clean=clean)
    table = np.array([null if s is None else fn(s) for s in words] + [null], dtype=dtype)
    return table[at]  # -1: the null slot


def _map_uniques(arr: pa.Array | pa.ChunkedArray, fn: Callable[[str], float | None]) -> Parsed:
    """Clean and parse each distinct value once; None from ``fn`` means unreadable."""
    words, at = _distinct(arr, clean=True)
    values = np.array(
        [np.nan if s is None or (v := fn(s)) is None else v for s in words] + [np.nan]
    )
    missing = np.array([s is None for s in words] + [True])
    return Parsed(values[at], missing[at], (~missing & np.isnan(values))[at])


# --------------------------------------------------------------------------- ids and text


def parse_ids(series: pd.Series) -> Parsed:
    """Identifiers as trimmed text. Integral numbers (``123.0`` from Excel) become ``"123"``.

    Examples
    --------
    >>> p = parse_ids(pd.Series([" HS-01 ", "", None, 42.0], dtype=object))
    >>> p.values.to_pylist(), p.missing.tolist()
    (['HS-01', None, None, '42'], [False, True, True, False])
    """
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        series = _numbers_as_text(series)
    elif series.dtype == object:
        kinds = _object_kinds(series)
        if (kinds == 2).any():
            series = series.copy()
            nums = kinds == 2
            series[nums] = _numbers_as_text(
                pd.Series(series[nums].to_numpy(dtype=float))
            ).to_numpy()
    arr = _clean(_text(series))
    return Parsed(arr, _null_mask(arr), np.zeros(len(arr), dtype=bool))


def _numbers_as_text(series: pd.Series) -> pd.Series:
    values = series.to_numpy(dtype=float, na_value=np.nan)
    integral = np.isfinite(values) & (values == np.round(values))
    out = pd.Series(values.astype(str), dtype=object)
    out[integral] = values[integral].astype(np.int64).astype(str)
    out[np.isnan(values)] = None
    return out


# --------------------------------------------------------------------------- numbers

_FREE_WORDS = {"mien phi", "khong", "khong thu", "khong thu phi", "free", "none", "-"}
_AMOUNT = re.compile(
    r"^(?P<sign>[-\u2212])?\s*(?:vnd|\u20ab)?\s*(?P<num>\d[\d.,\s']*?)\s*"
    r"(?:vnd|dong|d|\u20ab)?\.?\s*(?:/\s*[a-z ]+)?$"
)
_THOUSANDS_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_THOUSANDS_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")


def parse_amount_text(text: str) -> float | None:
    """One written VND amount to a number, or None when it cannot be read.

    Thousands separators may be ``.`` (Vietnamese), ``,`` or spaces; a single
    separator followed by exactly three digits is a thousands separator (VND
    has no minor unit), otherwise a decimal mark. Currency marks (đ, VNĐ,
    đồng, ₫) and a per-unit suffix ("/hồ sơ") are ignored; "Miễn phí" is 0.

    Examples
    --------
    >>> [parse_amount_text(s) for s in ["1.500.000", "1,500,000 đ", "1.500.000 VNĐ", "50000"]]
    [1500000.0, 1500000.0, 1500000.0, 50000.0]
    >>> [parse_amount_text(s) for s in ["Miễn phí", "12.5", "-20.000", "1.5.0", "abc"]]
    [0.0, 12.5, -20000.0, None, None]
    """
    folded = _fold(text)
    if folded in _FREE_WORDS:
        return 0.0
    m = _AMOUNT.match(folded)
    if m is None:
        return None
    num = re.sub(r"[\s']", "", m["num"])
    if _THOUSANDS_DOT.fullmatch(num):
        value = float(num.replace(".", "").replace(",", "."))
    elif _THOUSANDS_COMMA.fullmatch(num):
        value = float(num.replace(",", ""))
    elif _DECIMAL.fullmatch(num):
        value = float(num.replace(",", "."))
    else:
        return None
    return -value if m["sign"] else value


def _numeric(series: pd.Series, text_fn: Callable[[str], float | None], check=None) -> Parsed:
    """Shared driver for number-like columns: typed numbers pass, text goes through ``text_fn``."""
    if pd.api.types.is_bool_dtype(series.dtype):
        n = len(series)
        return Parsed(np.full(n, np.nan), np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(values)
        bad = ~missing & ~np.isfinite(values)
        if check is not None:
            bad |= ~missing & ~check(values)
        return Parsed(np.where(bad, np.nan, values), missing, bad)
    if series.dtype == object and (_object_kinds(series) >= 2).any():
        return _mixed(
            series,
            {
                1: lambda s: _numeric(s.astype(str), text_fn, check),
                2: lambda s: _numeric(s.astype(float), text_fn, check),
            },
            np.nan,
        )
    return _map_uniques(_text(series), text_fn)


def parse_amounts(series: pd.Series) -> Parsed:
    """VND amounts, typed or written (see :func:`parse_amount_text`).

    Examples
    --------
    >>> parse_amounts(pd.Series(["1.500.000", "", "x"])).values.tolist()
    [1500000.0, nan, nan]
    """
    return _numeric(series, parse_amount_text)


def _count_text(text: str) -> float | None:
    folded = _fold(text)
    if folded in ("khong", "none"):
        return 0.0
    m = re.fullmatch(r"([-\u2212]?)\s*(\d+)(?:[.,]0+)?(?:\s*(?:lan|times?))?", folded)
    if m is None:
        return None
    return -float(m[2]) if m[1] else float(m[2])


def parse_counts(series: pd.Series) -> Parsed:
    """Whole counts ("2", "2.0", "2 lần"); fractions are unreadable. Negative values pass as numbers.

    Examples
    --------
    >>> p = parse_counts(pd.Series(["0", "2 lần", "1.5", ""]))
    >>> p.values.tolist(), p.bad.tolist()
    ([0.0, 2.0, nan, nan], [False, False, True, False])
    """
    return _numeric(series, _count_text, check=lambda v: v == np.round(v))


_DAYS = re.compile(
    r"(?:khong qua|toi da|trong vong|trong thoi han|trong)?\s*(?P<sign>-)?(?P<n>\d+(?:[.,]\d+)?)\s*"
    r"(?P<unit>ngay lam viec|ngay|gio lam viec|gio|working days?|days?|hours?|h)?"
)


def _days_text(text: str) -> float | None:
    folded = " ".join(_fold(text).split())
    if folded in ("trong ngay", "ngay trong ngay", "same day"):
        return 0.0
    m = _DAYS.fullmatch(folded)
    if m is None:
        return None
    n = float(m["n"].replace(",", ".")) * (-1 if m["sign"] else 1)
    unit = m["unit"] or ""
    return n / 8.0 if unit.startswith(("gio", "hour", "h")) else n


def parse_days(series: pd.Series) -> Parsed:
    """Statutory terms in working days: "15", "15 ngày làm việc", "04 giờ" (= 0.5 day), "Trong ngày" (= 0).

    Examples
    --------
    >>> parse_days(pd.Series(["15 ngày làm việc", "Không quá 03 ngày", "04 giờ", "Trong ngày"])).values.tolist()
    [15.0, 3.0, 0.5, 0.0]
    """
    return _numeric(series, _days_text)


def channel_lookup(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Folded written form -> canonical channel, the built-in forms plus ``extra``."""
    from .schema import CHANNELS

    table = {label_key(form): canon for canon, forms in CHANNELS.items() for form in forms}
    table.update({label_key(canon): canon for canon in CHANNELS})
    for form, canon in (extra or {}).items():
        if canon not in CHANNELS:
            raise ValueError(
                f"The channel value map sends {form!r} to {canon!r}; "
                f"it must be one of {sorted(CHANNELS)}."
            )
        table[label_key(form)] = canon
    return table


def parse_channels(series: pd.Series, extra: dict[str, str] | None = None) -> Parsed:
    """Filing channel to ``online`` / ``in_person`` / ``postal`` (values is a Categorical).

    Examples
    --------
    >>> parse_channels(pd.Series(["Trực tuyến", "trực tiếp", "Bưu chính", "fax"])).values.tolist()
    ['online', 'in_person', 'postal', nan]
    """
    from .schema import CHANNELS

    table = channel_lookup(extra)
    canon = list(CHANNELS)
    codes = _per_unique(
        _text(series),
        lambda s: canon.index(c) if (c := table.get(label_key(s))) else -2,
        -1,
        np.int8,
        clean=True,
    )
    missing = codes == -1
    bad = codes == -2
    values = pd.Categorical.from_codes(np.where(bad, -1, codes), categories=canon)
    return Parsed(values, missing, bad)
