"""Identifiers and filing channels as exports write them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..textkeys import label_key
from .arrow import Parsed, _clean, _null_mask, _object_kinds, _per_unique, _text

__all__ = ["channel_lookup", "parse_channels", "parse_ids"]


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


def channel_lookup(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Folded written form -> canonical channel, the built-in forms plus ``extra``."""
    from ..schema import CHANNELS

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
    from ..schema import CHANNELS

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
