"""Writing tables for people and scripts: CSV that is safe to open in Excel, Parquet, JSON."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .atomic import replacing

__all__ = ["FORMATS", "neutralise_formulas", "write_table", "write_to"]

FORMATS = ("csv", "parquet", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with ``'`` (CSV injection).

    Only text columns change; numbers stay numbers.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "ok", "-x"], "b": [-1, 2, 3]}))
          a  b
    0  '=1+1 -1
    1    ok  2
    2   '-x  3
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
            text = s.astype("string")
            risky = text.str.startswith(_FORMULA_START).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out[col] = s.where(~risky, "'" + text.astype(object))
    return out


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """The output format: explicit, else from the file's extension (default csv)."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise ValueError(f"The output format must be one of {FORMATS}. Got {fmt!r} instead.")
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"pq": "parquet"}.get(suffix, suffix) if suffix in (*FORMATS, "pq") else "csv"


def write_table(df: pd.DataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``df`` as CSV (UTF-8 with BOM, formulas neutralised), Parquet or JSON records.

    The file is written beside ``path`` and renamed over it at the end: a failure (a full
    disk, Ctrl-C, a killed process) never leaves a half-written file under ``path``
    (:mod:`~integrity_signals.atomic`).
    """
    path = Path(path)
    fmt = format_of(path, fmt)
    with replacing(path) as tmp:  # a failure leaves the previous file as it was
        write_to(df, tmp, fmt)
    return path


def write_to(df: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write ``df`` to ``path`` in ``fmt`` (no temporary file: see :func:`write_table`)."""
    if fmt == "parquet":
        df.to_parquet(path, index=False)
    elif fmt == "json":
        df.to_json(path, orient="records", date_format="iso", force_ascii=False, indent=1)
    else:
        table = pa.Table.from_pandas(neutralise_formulas(df), preserve_index=False)
        with open(path, "wb") as fh:
            fh.write("\ufeff".encode())  # so that Excel reads Vietnamese text as UTF-8
            pacsv.write_csv(table, fh)
