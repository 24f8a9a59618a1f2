"""Numbers and dates as people in each language write them.

English groups thousands with commas ("1,500,000"), Vietnamese with dots and
writes the decimal comma ("1.500.000", "2,5"). Missing values print as "–".
"""

from __future__ import annotations

import math
import numbers

import pandas as pd

__all__ = ["MISSING", "fmt_date", "fmt_number", "fmt_percent", "fmt_pvalue", "fmt_value"]

MISSING = "–"


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, numbers.Real) and not math.isfinite(value)


def _localise(text: str, lang: str) -> str:
    if lang != "vi":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fmt_number(value, lang: str, digits: int = 0) -> str:
    """A number with grouped thousands and ``digits`` decimals.

    >>> fmt_number(1500000, "vi"), fmt_number(1500000, "en"), fmt_number(2.345, "vi", 2)
    ('1.500.000', '1,500,000', '2,35')
    >>> fmt_number(float("nan"), "en")
    '–'
    """
    if _is_missing(value):
        return MISSING
    return _localise(f"{float(value):,.{digits}f}", lang)


def fmt_value(value, lang: str) -> str:
    """A measured value: whole numbers grouped, others with three significant digits.

    >>> fmt_value(150000.0, "vi"), fmt_value(12.345, "en"), fmt_value(0.01234, "vi")
    ('150.000', '12.3', '0,0123')
    """
    if _is_missing(value):
        return MISSING
    v = float(value)
    if abs(v - round(v)) < 1e-9 or abs(v) >= 100:
        return fmt_number(v, lang)
    return _localise(f"{v:.3g}", lang)


def fmt_percent(share, lang: str) -> str:
    """A share as a percentage, e.g. 0.05 -> "5%", 0.125 -> "12.5%".

    >>> fmt_percent(0.05, "en"), fmt_percent(0.125, "vi")
    ('5%', '12,5%')
    """
    if _is_missing(share):
        return MISSING
    pct = 100 * float(share)
    text = f"{pct:.0f}" if abs(pct - round(pct)) < 1e-9 else f"{pct:.1f}"
    return _localise(text, lang) + "%"


def fmt_pvalue(p, lang: str) -> str:
    """A p-value with two significant digits; tiny values in scientific notation.

    >>> fmt_pvalue(0.0123, "en"), fmt_pvalue(3.2e-12, "vi")
    ('0.012', '3,2e-12')
    """
    if _is_missing(p):
        return MISSING
    p = float(p)
    text = f"{p:.2g}" if p >= 1e-3 or p == 0 else f"{p:.1e}"
    return _localise(text, lang)


def fmt_date(value, lang: str) -> str:
    """A date as dd/mm/yyyy (vi) or yyyy-mm-dd (en).

    >>> fmt_date(pd.Timestamp("2025-07-01 08:30"), "vi"), fmt_date("2025-07-01", "en")
    ('01/07/2025', '2025-07-01')
    """
    if _is_missing(value):
        return MISSING
    stamp = pd.Timestamp(value)
    return stamp.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")
