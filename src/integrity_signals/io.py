"""Readers for case files: CSV (UTF-8 with or without BOM, UTF-16, Windows-1258), Parquet, Excel.

Readers are strict: every value is read as written (text stays text until the
schema parses it), every line is either a row or a quarantined malformed
line, and an unusable file raises :class:`~integrity_signals.SchemaError`
with the fix.
"""

from __future__ import annotations

import codecs
import csv
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .columns import ColumnMap
from .exceptions import SchemaError
from .schema import CASE_SCHEMA, RejectReason
from .validation import REJECT_COLUMNS, CaseData, validate_cases, validate_table

__all__ = ["RawTable", "read_cases", "read_raw"]

_CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_COMPRESSION_SUFFIXES = {".gz", ".bz2", ".zst", ".lz4"}
_SNIFF_BYTES = 1 << 16
_SCAN_BYTES = 1 << 22
_BLOCK_BYTES = (1 << 20, 1 << 23)  # CSV read in blocks of 1-8 MB, 16 or more when it can


@dataclass
class RawTable:
    """A file as read, before the schema: text columns, record numbers, malformed lines."""

    frame: pd.DataFrame
    row_numbers: np.ndarray
    malformed: pd.DataFrame
    source: str

    @property
    def n_input(self) -> int:
        return len(self.frame) + len(self.malformed)


def _kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSION_SUFFIXES:
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in _CSV_SUFFIXES:
        return "csv"
    if last in _PARQUET_SUFFIXES:
        return "parquet"
    if last in _EXCEL_SUFFIXES:
        return "excel"
    if last == ".xls":
        raise SchemaError(
            f"{path.name}: the old Excel .xls format is not supported; "
            "save the sheet as .xlsx or CSV UTF-8 and read that."
        )
    raise SchemaError(
        f"{path.name}: unknown file type {last or '(no extension)'!r}; use .csv, .tsv, .txt, "
        ".parquet or .xlsx (CSV may be compressed: .csv.gz)."
    )


def read_raw(
    source: str | Path, *, encoding: str | None = None, delimiter: str | None = None, sheet_name=0
) -> RawTable:
    """Read a file into a raw table (see :class:`RawTable`) without applying any schema."""
    path = Path(source)
    if not path.is_file():
        raise SchemaError(f"File {str(path)!r} does not exist or is not a file.")
    kind = _kind(path)
    if kind == "csv":
        return _read_csv(path, encoding, delimiter)
    if kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except (pa.ArrowException, OSError) as exc:
            raise SchemaError(f"{path.name}: not a readable Parquet file ({exc}).") from exc
    else:
        try:
            frame = pd.read_excel(path, sheet_name=sheet_name, dtype=object, engine="openpyxl")
        except (ValueError, KeyError, OSError) as exc:
            raise SchemaError(f"{path.name}: not a readable .xlsx workbook ({exc}).") from exc
        frame.columns = [unicodedata.normalize("NFC", str(c).strip()) for c in frame.columns]
    _check_headers(list(frame.columns), path)
    frame = frame.reset_index(drop=True)
    return RawTable(frame, np.arange(1, len(frame) + 1), _no_malformed(), str(path))


def _no_malformed() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=np.int64 if c == "row" else object) for c in REJECT_COLUMNS}
    )


def _check_headers(headers: list, path: Path) -> None:
    names = [str(h) for h in headers]
    blank = [i + 1 for i, h in enumerate(names) if not h.strip() or h.startswith("Unnamed: ")]
    if blank:
        raise SchemaError(
            f"{path.name}: header cells {blank} (counting from 1) are empty; "
            "give every column a name in the first row."
        )
    seen, repeated = set(), []
    for h in names:
        if h in seen:
            repeated.append(h)
        seen.add(h)
    if repeated:
        raise SchemaError(
            f"{path.name}: the header repeats {sorted(set(repeated))}; rename the copies."
        )


def _sniff_encoding(head: bytes, path: Path) -> str:
    """BOM first; otherwise the head must be valid UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise SchemaError(
            f"{path.name}: the file is not UTF-8 (byte {exc.start} cannot be decoded). If it came "
            "from an older Vietnamese Windows program pass encoding='cp1258' (CLI: --encoding "
            "cp1258), or re-save it as 'CSV UTF-8' in Excel."
        ) from None
    return "utf-8"


def _sniff_delimiter(line: str) -> str:
    counts = {d: len(next(csv.reader([line], delimiter=d))) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.get)


def _may_hold_quotes(path: Path, codec: str) -> bool:
    """False only when the file certainly has no quote character, so no value spans lines.

    Arrow splits an unquoted file into blocks in parallel; a value may only hold a line
    break when quoted, and tracking quotes makes the splitting serial. The check looks
    for the byte ``"`` encodes to (UTF-8, UTF-16, cp1258 alike); compressed files and
    encodings where ``"`` is another byte count as quoted.
    """
    if path.suffix.lower() in _COMPRESSION_SUFFIXES or b'"' not in '"'.encode(codec):
        return True
    block = bytearray(_SCAN_BYTES)
    with open(path, "rb", buffering=0) as fh:
        while size := fh.readinto(block):
            if block.find(b'"', 0, size) >= 0:
                return True
    return False


def _read_csv(path: Path, encoding: str | None, delimiter: str | None) -> RawTable:
    with pa.input_stream(str(path), compression="detect") as stream:
        head = stream.read(_SNIFF_BYTES)
    if not head.strip():
        raise SchemaError(f"{path.name}: the file is empty; a header row is needed.")
    encoding = encoding or _sniff_encoding(head, path)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise SchemaError(
            f"Unknown encoding {encoding!r}; use a Python codec name such as 'utf-8', 'utf-16' "
            "or 'cp1258'."
        ) from None
    try:
        text = codecs.getincrementaldecoder(codec)().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{path.name}: cannot decode the file as {encoding}: {exc}.") from None
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    delimiter = delimiter or _sniff_delimiter(first_line)
    header = [
        unicodedata.normalize("NFC", h.strip())
        for h in next(csv.reader([first_line], delimiter=delimiter))
    ]
    _check_headers(header, path)
    arrow_encoding = "utf8" if codec == "utf-8" else codec
    n_cols = len(header)
    quoted = _may_hold_quotes(path, codec)
    # Each block becomes a chunk of every column; the parsers work chunk by chunk, and a
    # few large chunks cost less than many small ones.
    block_size = min(max(path.stat().st_size // 16, _BLOCK_BYTES[0]), _BLOCK_BYTES[1])

    def read(threads: bool, handler):
        return pacsv.read_csv(
            str(path),
            read_options=pacsv.ReadOptions(
                encoding=arrow_encoding,
                use_threads=threads,
                skip_rows=1,
                column_names=header,
                block_size=block_size,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=quoted, invalid_row_handler=handler
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.large_string() for h in header},  # pandas keeps it as is
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )

    bad_rows: list = []

    def collect(row):
        bad_rows.append((row.number, row.text, row.actual_columns))
        return "skip"

    try:
        table = read(True, collect)
        if bad_rows:  # line numbers are only known when reading on one thread
            bad_rows.clear()
            table = read(False, collect)
    except pa.ArrowInvalid as exc:
        raise SchemaError(
            f"{path.name}: cannot read the CSV ({exc}). Check the encoding (encoding=...) "
            "and the delimiter (delimiter=...)."
        ) from None
    frame = table.to_pandas()
    n_total = len(frame) + len(bad_rows)
    bad_numbers = np.array([number - 1 for number, *_ in bad_rows], dtype=np.int64)
    is_good = np.ones(n_total + 1, dtype=bool)
    is_good[np.concatenate([[0], bad_numbers])] = False
    row_numbers = np.flatnonzero(is_good)
    malformed = pd.DataFrame(
        {
            "row": bad_numbers,
            "case_id": [None] * len(bad_rows),
            "column": ["(line)"] * len(bad_rows),
            "reason": [str(RejectReason.MALFORMED_ROW)] * len(bad_rows),
            "value": [t for _, t, _ in bad_rows],
            "message": [
                f"line {number} has {k} fields where the header has {n_cols}; check quoting "
                f"and the delimiter {delimiter!r}"
                for number, _, k in bad_rows
            ],
        }
    )
    frame.index = pd.RangeIndex(len(frame)) if not bad_rows else pd.Index(row_numbers - 1)
    return RawTable(frame, row_numbers, malformed if bad_rows else _no_malformed(), str(path))


def read_cases(
    source: str | Path | pd.DataFrame,
    columns: Mapping | str | Path | ColumnMap | None = None,
    *,
    dayfirst: bool = True,
    tz: str = "Asia/Ho_Chi_Minh",
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet_name: int | str = 0,
) -> CaseData:
    """Read a case file and validate it; rows that break the contract go to ``.rejects``.

    Parameters
    ----------
    source : str, Path or DataFrame
        A ``.csv`` / ``.tsv`` / ``.txt`` (optionally ``.gz``), ``.parquet`` or
        ``.xlsx`` file. A DataFrame is passed to :func:`validate_cases`.
    columns : dict, path or None
        Column map ``{"your header": "canonical_name"}``, or a TOML/JSON file
        with ``[columns]`` and ``[channel]`` tables. Built-in Vietnamese and
        English aliases apply to the other headers.
    dayfirst : bool, default True
        ``03/04/2025`` is 3 April; ``False`` reads it as March 4.
    tz : str, default "Asia/Ho_Chi_Minh"
        Time zone that offset timestamps are converted to (then made naive).
    encoding : str, optional
        CSV encoding. Default: from the byte-order mark (UTF-8, UTF-16), else UTF-8.
        Pass ``"cp1258"`` for legacy Vietnamese Windows exports.
    delimiter : str, optional
        CSV delimiter; default: sniffed from the header (``,``, ``;``, tab, ``|``).
    sheet_name : int or str, default 0
        Excel sheet.

    Returns
    -------
    CaseData

    Raises
    ------
    SchemaError
        The file is missing or unreadable, or a required column is absent (the
        message lists the headers found and the closest alias).

    Examples
    --------
    >>> import integrity_signals as isig
    >>> data = isig.read_cases("examples/data/ho_so_mau.csv")  # doctest: +SKIP
    >>> print(data.summary())  # doctest: +SKIP
    """
    if isinstance(source, pd.DataFrame):
        return validate_cases(source, columns, dayfirst=dayfirst, tz=tz)
    raw = read_raw(source, encoding=encoding, delimiter=delimiter, sheet_name=sheet_name)
    valid, rejects, mapping = validate_table(
        raw.frame,
        CASE_SCHEMA,
        columns=columns,
        dayfirst=dayfirst,
        tz=tz,
        row_numbers=raw.row_numbers,
        prior_rejects=raw.malformed,
    )
    return CaseData(valid, rejects, raw.n_input, mapping, raw.source)
