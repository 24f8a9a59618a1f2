"""Vectorised parsing of dates and date-times as administrative exports write them.

Text goes through a fixed-width fast path (``dd/mm/yyyy HH:MM`` and ISO, read
byte by byte in numpy) and regular expressions for the rest; typed datetimes,
Excel serial day numbers and mixed Excel cells are handled too. See
:func:`parse_datetimes` for every form accepted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrow import (
    Parsed,
    _bool_array,
    _clean,
    _is_text_dtype,
    _mixed,
    _null_mask,
    _object_kinds,
    _per_unique,
    _pieces,
    _string_buffers,
    _text,
)

__all__ = ["YEAR_PIVOT", "parse_datetimes"]

_EXCEL_EPOCH_DAYS = 25_569  # days from 1899-12-30 (Excel's day 0) to 1970-01-01
_MIN_YEAR, _MAX_YEAR = 1900, 2200  # outside this a "date" is not a date (and would overflow ns)


def parse_datetimes(
    series: pd.Series, *, dayfirst: bool = True, tz: str = "Asia/Ho_Chi_Minh"
) -> Parsed:
    """Dates and date-times to naive local ``datetime64[ns]``.

    Accepted: ISO ``yyyy-mm-dd[ HH:MM[:SS[.fff]]][±hh:mm|Z]``; ``dd/mm/yyyy
    [HH:MM[:SS]]`` with ``/``, ``-`` or ``.`` (``mm/dd/yyyy`` when
    ``dayfirst=False``), optionally with AM/PM or SA/CH, the time also
    written the Vietnamese way (``14h30``, ``14g30``, ``8h``); two-digit years
    (``3/4/25``), 00-68 read as 2000-2068 and 69-99 as 1969-1999 (the pivot of
    Python's ``%y``; dates before 1990 are then rejected as implausible); Excel
    serial day numbers; typed datetimes (timezone-aware ones are converted to
    ``tz`` and made naive). Impossible dates such as 31/02/2025 are
    unreadable, not rolled over.

    Examples
    --------
    >>> p = parse_datetimes(pd.Series(["03/04/2025 08:30", "2025-04-03", "31/02/2025", "", "45750"]))
    >>> [str(v) for v in p.values], p.bad.tolist()
    (['2025-04-03T08:30:00.000000000', '2025-04-03T00:00:00.000000000', 'NaT', 'NaT', '2025-04-03T00:00:00.000000000'], [False, False, True, False, False])
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _from_datetime_dtype(series, tz)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        return _from_serial(series.to_numpy(dtype=float, na_value=np.nan))
    if series.dtype == object and (_object_kinds(series) >= 2).any():
        return _mixed(
            series,
            {
                1: lambda s: parse_datetimes(s.astype(str), dayfirst=dayfirst, tz=tz),
                2: lambda s: _from_serial(s.to_numpy(dtype=float)),
                3: lambda s: _from_datetime_dtype(pd.Series(pd.to_datetime(s, utc=_has_tz(s))), tz),
            },
            np.datetime64("NaT", "ns"),
        )
    if not _is_text_dtype(series):
        return Parsed(
            np.full(len(series), np.datetime64("NaT", "ns")),
            series.isna().to_numpy(),
            series.notna().to_numpy(),
        )
    return _from_text(_text(series), dayfirst=dayfirst, tz=tz)


def _has_tz(s: pd.Series) -> bool:
    return any(getattr(v, "tzinfo", None) is not None for v in s)


def _from_datetime_dtype(series: pd.Series, tz: str) -> Parsed:
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert(tz).dt.tz_localize(None)
    values = series.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(values)
    return Parsed(values, missing, np.zeros(len(values), dtype=bool))


def _from_serial(days: np.ndarray) -> Parsed:
    """Excel serial day numbers (1900 date system) to datetime64[ns]."""
    missing = np.isnan(days)
    ok = ~missing & (days >= 1) & (days < 110_000)
    seconds = np.round((np.where(ok, days, 0) - _EXCEL_EPOCH_DAYS) * 86_400).astype(np.int64)
    values = np.where(ok, seconds * 10**9, np.iinfo(np.int64).min).view("datetime64[ns]")
    return Parsed(values, missing, ~missing & ~ok)


_YEARS = _MAX_YEAR - _MIN_YEAR + 1


def _month_table() -> np.ndarray:
    """Every month as ``first day << 5 | days in month`` (first day: days since 1970-01-01).

    Month ``mo`` of ``year`` is at ``(year - _MIN_YEAR + 1) * 101 + mo + 1``, for years
    _MIN_YEAR to _MAX_YEAR and months 1-12. The other slots (year out of range; month 0,
    13-99 or -1 for "not two digits") hold 0, where no day is valid.
    """
    months = np.arange((_MIN_YEAR - 1970) * 12, (_MAX_YEAR + 1 - 1970) * 12 + 1)
    starts = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    table = np.zeros((_YEARS + 2, 101), dtype=np.int32)
    table[1:-1, 2:14] = (starts[:-1] << 5 | np.diff(starts)).reshape(_YEARS, 12)
    return table.reshape(-1)


_MONTHS = _month_table()


def _unsigned(x) -> np.ndarray:
    """The same bits read as unsigned: -1 becomes the largest value, so ``<=`` checks a range."""
    x = np.asarray(x)
    return x.view(f"u{x.itemsize}")


def _assemble(y, mo, d, hh, mi, ss, ns) -> tuple[np.ndarray, np.ndarray]:
    """Calendar fields to epoch nanoseconds (NaT where invalid) and a validity mask.

    Fields are int arrays of any width (scalars for absent ones) holding two-digit values
    or -1 for "not two digits"; the year may be any int. 31/02 is invalid rather than
    rolled over to 03/03. The checks run on the narrow input types, the sum in int64.
    """
    year_slot = np.clip(y - (_MIN_YEAR - 1), 0, _YEARS + 1)  # 0, _YEARS + 1: out of range
    month = np.take(_MONTHS, year_slot * 101 + (mo + 1))
    ok = (d >= 1) & (d <= (month & 31))
    ok &= (_unsigned(hh) <= 23) & (_unsigned(mi) <= 59) & (_unsigned(ss) <= 59)
    total = (month >> 5).astype(np.int64)
    total += d - 1  # days since 1970-01-01
    total *= 86_400
    total += (np.int32(hh) * 60 + mi) * 60 + ss
    total *= 10**9
    total += ns
    total[~ok] = np.iinfo(np.int64).min
    return total, ok


_DIGIT_SPANS = {  # layout -> (year, month, day) byte spans within the first 10 bytes
    "dmy": ((6, 10), (3, 5), (0, 2)),
    "mdy": ((6, 10), (0, 2), (3, 5)),
    "ymd": ((0, 4), (5, 7), (8, 10)),
}


_PAIR_VALUE = np.full(1 << 16, -1, dtype=np.int16)  # two ASCII digits read as little-endian uint16
for _hi in range(10):
    for _lo in range(10):
        _PAIR_VALUE[(48 + _hi) | ((48 + _lo) << 8)] = _hi * 10 + _lo


_BLOCK_ROWS = 1 << 16  # rows decoded at a time: the temporaries stay in cache


def _fixed_width(arr: pa.Array, is_width: np.ndarray, width: int, dayfirst: bool):
    """Fast path for zero-padded ``dd/mm/yyyy`` or ``yyyy-mm-dd`` with ``HH:MM[:SS]``.

    ``is_width`` marks the rows of ``arr`` whose text is ``width`` bytes long. Yields,
    block by block of ``_BLOCK_ROWS`` rows (so that temporaries stay in cache), the rows
    (a slice or positions), their epoch nanoseconds (NaT where not valid), and the
    "valid date" and "has this shape" masks; rows without the shape go to the regex
    path. The bytes are read in place when a block's rows are back to back in the data
    buffer (any rows between them empty or null), else gathered.
    """
    offsets, data = _string_buffers(arr)
    windows = np.lib.stride_tricks.sliding_window_view(data, width)  # row i: bytes from i
    for start in range(0, len(arr), _BLOCK_ROWS):
        take = is_width[start : start + _BLOCK_ROWS]
        part = slice(start, start + len(take)) if take.all() else start + np.flatnonzero(take)
        at = offsets[part]
        if not len(at):
            continue
        if at[-1] - at[0] == (len(at) - 1) * width:
            mat = data[at[0] : at[0] + len(at) * width].reshape(-1, width)
        else:
            mat = windows[at]
        yield (part, *_decode_block(mat, dayfirst))


def _decode_block(mat: np.ndarray, dayfirst: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_fixed_width` on a few rows. Each byte position used is read once; digit
    pairs are read as 16-bit words and decoded by a lookup table (-1: not two digits)."""
    n, width = mat.shape
    flat = np.ascontiguousarray(mat).reshape(-1)

    def byte(at: int) -> np.ndarray:
        return np.ndarray((n,), dtype=np.uint8, buffer=flat, offset=at, strides=(width,)).copy()

    def pair(at: int) -> np.ndarray:
        words = np.ndarray((n,), dtype="<u2", buffer=flat, offset=at, strides=(width,))
        return np.take(_PAIR_VALUE, words)

    def separator(at: int) -> np.ndarray:
        column = byte(at)
        return (column == ord("/")) | (column == ord("-")) | (column == ord("."))

    shaped = separator(2) & separator(5)  # day or month first
    layout = "dmy" if dayfirst else "mdy"
    if not shaped.all():
        year_first = separator(4) & separator(7)
        shaped &= ~year_first
        if year_first.any() and shaped.any():  # mixed layouts: solve each half on its own
            out = [np.empty(n, dtype=np.int64), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)]
            for rows in (year_first, ~year_first):
                for target, part in zip(out, _decode_block(mat[rows], dayfirst), strict=True):
                    target[rows] = part
            return tuple(out)
        if year_first.any():
            shaped, layout = year_first, "ymd"
    (y0, _), (m0, _), (d0, _) = _DIGIT_SPANS[layout]
    century, year2, mo, d = pair(y0), pair(y0 + 2), pair(m0), pair(d0)
    digits = century | year2 | mo | d  # negative where any pair is not two digits
    hh = mi = ss = np.int16(0)
    if width >= 16:
        middle = byte(10)
        shaped &= ((middle == ord(" ")) | (middle == ord("T"))) & (byte(13) == ord(":"))
        hh, mi = pair(11), pair(14)
        digits |= hh | mi
    if width == 19:
        shaped &= byte(16) == ord(":")
        ss = pair(17)
        digits |= ss
    shaped &= digits >= 0
    total, ok = _assemble(century * np.int16(100) + year2, mo, d, hh, mi, ss, 0)
    return total, shaped & ok, shaped


_TIME = (
    r"(?:[ T]+(?P<H>\d{1,2})(?::(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"|\s*[hHgG]\s*(?P<M2>\d{2})?\s*(?:[pP']|phút)?)"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?|SA|CH|sa|ch)?)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_GENERAL = {
    "dmy": r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})" + _TIME,
    "ymd": r"^(?P<y>\d{4})[/.\-](?P<b>\d{1,2})[/.\-](?P<a>\d{1,2})" + _TIME,
}
#: Two-digit years: 00-68 are 2000-2068, 69-99 are 1969-1999 (Python's and POSIX's %y).
YEAR_PIVOT = 69
_SERIAL = r"^\d{5}(?:\.\d+)?$"


def _ints(struct: pa.StructArray, name: str) -> np.ndarray:
    field = struct.field(name)
    field = pc.if_else(pc.equal(field, ""), pa.scalar(None, field.type), field)
    return pc.cast(field, pa.int64()).fill_null(0).to_numpy()


def _offset_minutes(text: str) -> int:
    if text in ("", "Z"):
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:]))


def _general(arr: pa.Array, layout: str, dayfirst: bool):
    """Regex path for the formats the fixed-width path does not cover."""
    struct = pc.extract_regex(arr, pattern=_GENERAL[layout])
    matched = struct.is_valid().to_numpy(zero_copy_only=False)  # children of unmatched rows are ""
    a, b, y = _ints(struct, "a"), _ints(struct, "b"), _ints(struct, "y")
    short = pc.utf8_length(struct.field("y")).to_numpy(zero_copy_only=False) == 2
    y = np.where(short, np.where(y < YEAR_PIVOT, 2000 + y, 1900 + y), y)
    day, month = (a, b) if (layout == "ymd" or dayfirst) else (b, a)
    hh, ss = _ints(struct, "H"), _ints(struct, "S")
    mi = _ints(struct, "M") + _ints(struct, "M2")  # 08:30, or 8h30 / 8g30
    frac = pc.utf8_rpad(struct.field("f"), width=9, padding="0")
    ns = pc.cast(frac, pa.int64()).to_numpy()
    ampm = _per_unique(struct.field("ampm"), lambda s: s[:1].lower(), "", object)
    twelve_hour = ampm != ""
    valid_12h = ~twelve_hour | ((hh >= 1) & (hh <= 12))
    hh = np.where(np.isin(ampm, ["p", "c"]) & (hh < 12), hh + 12, hh)
    hh = np.where(np.isin(ampm, ["a", "s"]) & (hh == 12), 0, hh)
    total, ok = _assemble(y, month, day, hh, mi, ss, ns)
    tz_text = struct.field("tz")
    offsets = _per_unique(tz_text, _offset_minutes, 0, np.int64)
    has_tz = pc.not_equal(tz_text, "").to_numpy(zero_copy_only=False)
    total = np.where(has_tz & ok, total - offsets * 60 * 10**9, total)
    return total, matched & ok & valid_12h, matched, has_tz


def _from_text(arr: pa.Array | pa.ChunkedArray, *, dayfirst: bool, tz: str) -> Parsed:
    """Dates from raw text, piece by piece (see :func:`_pieces`)."""
    n = len(arr)
    out, missing, bad = np.empty(n, dtype=np.int64), np.empty(n, dtype=bool), np.empty(n, bool)
    start = 0
    for piece in _pieces(arr):
        rows = slice(start, start + len(piece))
        _dates_into(piece, out[rows], missing[rows], bad[rows], dayfirst=dayfirst, tz=tz)
        start = rows.stop
    return Parsed(out.view("datetime64[ns]"), missing, bad)


def _dates_into(arr: pa.Array, out, missing, bad, *, dayfirst: bool, tz: str) -> None:
    """Dates from raw text into ``out`` (epoch ns), ``missing`` and ``bad``: a fixed-width
    fast path, then trimming and regexes for the rest."""
    nat = np.iinfo(np.int64).min
    out[:] = nat
    missing[:] = _null_mask(arr)
    settled = missing.copy()  # rows whose fate (value, missing or bad) is decided
    bad[:] = False
    offsets, _ = _string_buffers(arr)
    lengths = np.subtract(offsets[1:], offsets[:-1], dtype=np.int32)  # no value is 2 GB long
    if arr.null_count:
        lengths[missing] = 0
    for width in (10, 16, 19):
        is_width = lengths == width
        if not is_width.any():
            continue
        for part, total, ok, shaped in _fixed_width(arr, is_width, width, dayfirst):
            out[part] = total  # NaT where not ok
            bad[part] = shaped & ~ok
            settled[part] = shaped
    rest = np.flatnonzero(~settled)
    if rest.size:
        sub = _clean(arr.take(pa.array(rest)))
        blank = _null_mask(sub)
        missing[rest[blank]] = True
        settled[rest[blank]] = True
        utc_rows = np.zeros(rest.size, dtype=bool)
        for layout in ("dmy", "ymd"):
            total, ok, matched, has_tz = _general(sub, layout, dayfirst)
            todo = ~settled[rest]
            hit = todo & matched
            out[rest[hit & ok]] = total[hit & ok]
            utc_rows |= hit & ok & has_tz
            bad[rest[hit & ~ok]] = True
            settled[rest[hit]] = True
        todo = ~settled[rest]
        serial_hit = todo & pc.match_substring_regex(sub, _SERIAL).fill_null(False).to_numpy(
            zero_copy_only=False
        )
        if serial_hit.any():
            serial = _from_serial(
                pc.cast(sub.filter(_bool_array(serial_hit)), pa.float64()).to_numpy()
            )
            out[rest[serial_hit]] = serial.values.view(np.int64)
            bad[rest[serial_hit]] = serial.bad
            settled[rest[serial_hit]] = True
        if utc_rows.any():
            idx = rest[utc_rows]
            local = pd.DatetimeIndex(out[idx].view("datetime64[ns]")).tz_localize("UTC")
            out[idx] = local.tz_convert(tz).tz_localize(None).asi8
    bad[~settled] = True
    out[bad] = nat
