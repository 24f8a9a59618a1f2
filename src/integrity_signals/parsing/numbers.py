"""Amounts, counts and durations in days as exports write them ("150.000 đ", "Miễn phí",
"Không quá 03 ngày")."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from .arrow import Parsed, _fold, _map_uniques, _mixed, _object_kinds, _text

__all__ = ["parse_amount_text", "parse_amounts", "parse_counts", "parse_days"]


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
