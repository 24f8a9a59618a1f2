"""Vectorised parsers for the values found in administrative exports.

Each parser takes a pandas Series of whatever the reader produced (text from
CSV, typed values from Parquet, a mix of both from Excel) and returns a
:class:`Parsed` result: the values, which entries were empty, and which were
present but could not be read. Nothing is dropped here; the caller decides
between "missing" and "reject".

Text is handled with pyarrow compute kernels over whole columns. Columns with
few distinct values (amounts, counts, channels) are parsed once per distinct
value and mapped back through the dictionary codes.

Modules: :mod:`.arrow` (the :class:`Parsed` result and the Arrow text helpers),
:mod:`.dates` (dates and date-times), :mod:`.numbers` (amounts, counts, days)
and :mod:`.text` (identifiers, channels).
"""

from .arrow import Parsed
from .dates import YEAR_PIVOT, parse_datetimes
from .numbers import parse_amount_text, parse_amounts, parse_counts, parse_days
from .text import channel_lookup, parse_channels, parse_ids

__all__ = [
    "YEAR_PIVOT",
    "Parsed",
    "channel_lookup",
    "parse_amount_text",
    "parse_amounts",
    "parse_channels",
    "parse_counts",
    "parse_datetimes",
    "parse_days",
    "parse_ids",
]
