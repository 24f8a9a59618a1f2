"""Arrow helpers of the parsers: the :class:`Parsed` result, text cleaning (trim,
Unicode NFC) over whole columns, per-distinct-value parsing and mixed Excel cells."""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


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
