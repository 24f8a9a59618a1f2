"""Numbers, amounts, durations, dates and rarity written the reader's way, in English or Vietnamese.

Every number shown to people (the HTML report, the command line's messages,
reason sentences) goes through this module, so that a Vietnamese page never
mixes "100,000" (which a Vietnamese reader takes for one hundred) with
"120.000". English groups thousands with commas and writes a decimal point
("1,500,000", "3.4"); Vietnamese groups with dots and writes a decimal comma
("1.500.000", "3,4"). Missing values print as "–".

Evidence strength is said in words, never as a p-value: :func:`rarity` turns
``2.7e-280`` into "extremely rare: fewer than 1 in a billion dossiers"
("cực kỳ hiếm: chưa đến 1 trên 1 tỷ hồ sơ").

Examples
--------
>>> format_money(150000, "vi"), format_money(150000, "en")
('150.000 đồng', '150,000 VND')
>>> format_days(12, "vi"), format_days(3.4, "en"), format_number(3.4, "vi", 1)
('12 ngày làm việc', '3.4 working days', '3,4')
>>> rarity(1e-6, "vi", of="case")
'rất hiếm: khoảng 1 trên 1 triệu hồ sơ'
>>> rarity(1e-6, "en", of="case")
'very rare: about 1 in a million dossiers'
"""

from __future__ import annotations

import math
import numbers

import pandas as pd

__all__ = [
    "LANGS",
    "MISSING",
    "check_lang",
    "format_date",
    "format_datetime",
    "format_days",
    "format_money",
    "format_number",
    "format_percent",
    "format_value",
    "rarity",
]

#: The languages every text of the library is written in.
LANGS = ("en", "vi")

#: What a missing value prints as.
MISSING = "–"


def check_lang(lang, func: str, param: str = "lang") -> str:
    """``lang`` if it is one of :data:`LANGS`, else the house ValueError naming ``func``.

    >>> check_lang("vi", "render_report")
    'vi'
    """
    if not isinstance(lang, str) or lang not in LANGS:
        raise ValueError(
            f"The {param!r} parameter of {func} must be one of {LANGS}. Got {lang!r} instead."
        )
    return lang


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, numbers.Real) and not math.isfinite(value)


def _localise(text: str, lang: str) -> str:
    """English separators ("1,500.5") to the reader's ("1.500,5" in Vietnamese)."""
    if lang != "vi":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_number(value, lang: str, digits: int = 0) -> str:
    """A number with grouped thousands and ``digits`` decimals.

    >>> format_number(1500000, "vi"), format_number(1500000, "en"), format_number(2.345, "vi", 2)
    ('1.500.000', '1,500,000', '2,35')
    >>> format_number(float("nan"), "en"), format_number(-0.04, "en", 1)
    ('–', '0.0')
    """
    if _is_missing(value):
        return MISSING
    text = f"{float(value):,.{digits}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # no "-0"
    return _localise(text, lang)


def _auto_digits(value: float) -> int:
    """0 for whole numbers and values from 100 up, else 1 (2 below 1, so 0.16 is not 0.2; one
    significant digit below 0.01, so 0.0007 expected events is not "0.0")."""
    v = abs(float(value))
    if abs(v - round(v)) < 1e-9 or v >= 100:
        return 0
    if v < 0.01:
        return min(6, -math.floor(math.log10(v)))
    return 2 if v < 1 and round(v, 1) != round(v, 2) else 1


def format_value(value, lang: str) -> str:
    """A measured value with as many decimals as it needs: whole numbers grouped, others
    with one decimal (two below 1).

    >>> format_value(150000.0, "vi"), format_value(12.345, "en"), format_value(0.16, "vi")
    ('150.000', '12.3', '0,16')
    >>> format_value(1382.94, "vi"), format_value(0.5, "vi"), format_value(0.000663, "vi")
    ('1.383', '0,5', '0,0007')
    """
    if _is_missing(value):
        return MISSING
    return format_number(value, lang, _auto_digits(value))


def format_money(value, lang: str) -> str:
    """An amount in Vietnamese dong: "150.000 đồng" (vi), "150,000 VND" (en).

    >>> format_money(1_500_000, "vi"), format_money(0, "en"), format_money(None, "vi")
    ('1.500.000 đồng', '0 VND', '–')
    """
    if _is_missing(value):
        return MISSING
    return f"{format_number(value, lang)} {'đồng' if lang == 'vi' else 'VND'}"


def format_days(value, lang: str, *, working: bool = True) -> str:
    """A duration in (working) days: "12 ngày làm việc", "1 working day", "0.5 working days".

    >>> format_days(1, "en"), format_days(0.5, "vi"), format_days(4, "en", working=False)
    ('1 working day', '0,5 ngày làm việc', '4 days')
    """
    if _is_missing(value):
        return MISSING
    number = format_value(value, lang)
    if lang == "vi":
        return f"{number} {'ngày làm việc' if working else 'ngày'}"
    day = "day" if number == "1" else "days"
    return f"{number} {'working ' if working else ''}{day}"


def format_percent(share, lang: str) -> str:
    """A share as a percentage: 0.05 -> "5%", 0.125 -> "12.5%" ("12,5%" in Vietnamese).

    >>> format_percent(0.05, "en"), format_percent(0.125, "vi")
    ('5%', '12,5%')
    """
    if _is_missing(share):
        return MISSING
    pct = 100 * float(share)
    return format_number(pct, lang, 0 if abs(pct - round(pct)) < 1e-9 else 1) + "%"


def format_date(value, lang: str) -> str:
    """A date as dd/mm/yyyy (vi) or yyyy-mm-dd (en).

    >>> format_date(pd.Timestamp("2025-07-01 08:30"), "vi"), format_date("2025-07-01", "en")
    ('01/07/2025', '2025-07-01')
    """
    if _is_missing(value):
        return MISSING
    return pd.Timestamp(value).strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")


def format_datetime(value, lang: str) -> str:
    """A moment as "25/12/2025 14:30" (vi) or "2025-12-25 14:30" (en).

    >>> format_datetime(pd.Timestamp("2025-12-25 14:30"), "vi")
    '25/12/2025 14:30'
    """
    if _is_missing(value):
        return MISSING
    return f"{format_date(value, lang)} {pd.Timestamp(value):%H:%M}"


# --------------------------------------------------------------------------- rarity

_NOUNS = {
    "en": {None: "", "case": " dossiers", "officer": " officers", "unit": " units"},
    "vi": {None: "", "case": " hồ sơ", "officer": " cán bộ", "unit": " đơn vị"},
}

#: (p-value below which, English word, Vietnamese word), strongest first.
RARITY_LEVELS = (
    (1e-4, "very rare", "rất hiếm"),
    (0.01, "rare", "hiếm"),
    (0.05, "unusual", "ít gặp"),
    (0.5, "not unusual", "không hiếm"),
)
#: Below this p-value the count is not worth spelling out: "fewer than 1 in a billion".
RARITY_FLOOR = 1e-9


def _big(n: float, lang: str) -> str:
    """A round number of one significant digit, millions and billions in words."""
    for size, en, vi in ((1e9, "billion", "tỷ"), (1e6, "million", "triệu")):
        if n >= size:
            m = format_number(n / size, lang)
            if lang == "vi":
                return f"{m} {vi}"
            return f"{'a' if m == '1' else m} {en}"
    return format_number(n, lang)


def _one_in(p: float) -> float:
    """``1 / p`` to one significant digit (two below 100, so that 1 in 25 is not 1 in 30)."""
    n = 1.0 / p
    keep = 1 if n >= 100 else 2
    scale = 10 ** (math.floor(math.log10(n)) - keep + 1)
    return max(math.floor(n / scale + 0.5) * scale, 1.0)


def rarity(p, lang: str, of: str | None = None) -> str:
    """How rare a pattern is by chance, in words: the evidence of a p-value for inspectors.

    Parameters
    ----------
    p : float
        The chance of a pattern at least this extreme among ordinary peers.
    lang : {"en", "vi"}
    of : {None, "case", "officer", "unit"}
        What is counted: "1 in a million dossiers" (``"case"``), officers or units.

    Examples
    --------
    >>> rarity(2.7e-280, "en", of="case")
    'extremely rare: fewer than 1 in a billion dossiers'
    >>> rarity(2.7e-280, "vi", of="case")
    'cực kỳ hiếm: chưa đến 1 trên 1 tỷ hồ sơ'
    >>> rarity(3.2e-5, "vi", of="officer"), rarity(0.004, "en")
    ('rất hiếm: khoảng 1 trên 30.000 cán bộ', 'rare: about 1 in 300')
    >>> rarity(0.04, "en", of="case"), rarity(0.7, "vi")
    ('unusual: about 1 in 25 dossiers', 'thường gặp')
    """
    if _is_missing(p):
        return MISSING
    p = float(p)
    noun = _NOUNS["vi" if lang == "vi" else "en"][of]
    if p < RARITY_FLOOR:
        if lang == "vi":
            return f"cực kỳ hiếm: chưa đến 1 trên 1 tỷ{noun}"
        return f"extremely rare: fewer than 1 in a billion{noun}"
    for below, en, vi in RARITY_LEVELS:
        if p < below:
            count = _big(_one_in(p), lang)
            if lang == "vi":
                return f"{vi}: khoảng 1 trên {count}{noun}"
            return f"{en}: about 1 in {count}{noun}"
    return "thường gặp" if lang == "vi" else "common"
