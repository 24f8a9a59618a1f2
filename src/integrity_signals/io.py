"""Readers for case files: CSV (UTF-8 with or without BOM, UTF-16, Windows-1258), Parquet, Excel.

Readers are strict: every value is read as written (text stays text until the
schema parses it), every line is either a row or a quarantined malformed
line, and an unusable file raises :class:`~integrity_signals.SchemaError`
with the fix.
"""

from __future__ import annotations

import codecs
import csv
import numbers
import unicodedata
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .columns import ColumnMap, load_column_map, resolve_columns
from .exceptions import IntegritySignalsWarning, SchemaError
from .filetypes import FileType, first_undecodable, sniff
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
    """A file as read, before the schema: text columns, record numbers, malformed lines.

    For a workbook, ``sheet`` is the sheet read and ``sheets`` all its sheets.
    """

    frame: pd.DataFrame
    row_numbers: np.ndarray
    malformed: pd.DataFrame
    source: str
    sheet: str | None = None
    sheets: tuple[str, ...] = ()

    @property
    def n_input(self) -> int:
        return len(self.frame) + len(self.malformed)

    @property
    def label(self) -> str:
        """The file read, and the sheet for a workbook: ``cases.xlsx (sheet 'Dữ liệu')``."""
        return self.source if self.sheet is None else f"{self.source} (sheet {self.sheet!r})"


#: What a file name says it is -> the reader for it.
_READER_OF_NAME = {"csv": "csv", "parquet": "parquet", "excel": "excel", "xls": None}
_READER_LABEL = {
    "csv": "CSV text",
    "parquet": "a Parquet file",
    "excel": "an .xlsx workbook",
    "xls": "an old Excel workbook",
}


def _kind(path: Path) -> str:
    """What the name says: "csv", "parquet", "excel" or "xls"; an error for anything else."""
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
        return "xls"
    content = sniff(path)
    holds = f" (it holds {content.label})" if content.kind != "text" else ""
    raise SchemaError(
        f"{path.name}: unknown file type {last or '(no extension)'!r}{holds}; use .csv, .tsv, "
        ".txt, .parquet or .xlsx (CSV may be compressed: .csv.gz).",
        code="unknown_extension",
        params={"path": str(path), "suffix": last, "content": content.kind},
    )


def _not_a_table(path: Path, content: FileType) -> SchemaError:
    """The error for a file whose content no reader takes, saying what it is and the fix."""
    if content.kind in ("xls", "html", "xml_sheet", "ods"):
        fix = (
            "Open it in Excel (or LibreOffice) and save it as an .xlsx workbook or as "
            "'CSV UTF-8', then read that."
        )
    else:
        fix = "Check that this is the case export: a CSV, Parquet or .xlsx file."
    return SchemaError(
        f"{path.name} is {content.label}, not a table this library reads. {fix}",
        code="not_a_table",
        params={"path": str(path), "content": content.kind, "label": content.label},
    )


def read_raw(
    source: str | Path, *, encoding: str | None = None, delimiter: str | None = None, sheet_name=0
) -> RawTable:
    """Read a file into a raw table (see :class:`RawTable`) without applying any schema.

    The content decides how: a workbook renamed ``.csv``, or CSV text named
    ``.xlsx``, is read as what it is, with a warning; a file that is no table
    (an old ``.xls``, an image, a program) is an error that says what it is.
    """
    path = Path(source)
    if not path.is_file():
        raise SchemaError(
            f"File {str(path)!r} does not exist or is not a file.",
            code="file_missing",
            params={"path": str(path)},
        )
    named = _kind(path)
    content = sniff(path)
    if content.kind == "empty":
        raise SchemaError(
            f"{path.name}: the file is empty; a header row is needed.",
            code="empty_file",
            params={"path": str(path)},
        )
    if content.reader is None:
        raise _not_a_table(path, content)
    named_compression = _NAME_COMPRESSION.get(path.suffix.lower())
    if content.reader != _READER_OF_NAME[named] or content.compression != named_compression:
        warnings.warn(
            IntegritySignalsWarning(
                f"{path.name} is {content.label}, not {_READER_LABEL.get(named, named)} as its "
                "name says; it was read as what it is.",
                code="content_not_name",
                params={
                    "path": str(path),
                    "label": content.label,
                    "content": content.kind,
                    "named": named,
                },
            ),
            stacklevel=3,
        )
    if content.reader == "csv":
        return _read_csv(path, encoding or content.encoding, delimiter, content.compression)
    if content.reader == "parquet":
        try:
            frame = pd.read_parquet(path)
        except (pa.ArrowException, OSError) as exc:
            raise SchemaError(
                f"{path.name}: not a readable Parquet file ({exc}).",
                code="parquet_unreadable",
                params={"path": str(path), "detail": str(exc)},
            ) from exc
        _check_headers(list(frame.columns), path)
        return RawTable(frame, np.arange(1, len(frame) + 1), _no_malformed(), str(path))
    return _read_excel(path, sheet_name)


def _read_excel(path: Path, sheet_name) -> RawTable:
    """One sheet of a workbook (by name or 0-based number), every cell as written."""
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise SchemaError(
            f"{path.name}: not a readable .xlsx workbook ({exc}).",
            code="xlsx_unreadable",
            params={"path": str(path), "detail": str(exc)},
        ) from exc
    with book:
        sheets = tuple(book.sheet_names)
        if isinstance(sheet_name, numbers.Integral) and 0 <= sheet_name < len(sheets):
            sheet = sheets[sheet_name]
        elif sheet_name in sheets:
            sheet = sheet_name
        else:
            raise SchemaError(
                f"{path.name} has no sheet {sheet_name!r}. Sheets: "
                f"{', '.join(map(repr, sheets))}; pass one of them as sheet_name (a name or a "
                "0-based number).",
                code="sheet_missing",
                params={"path": str(path), "sheet": sheet_name, "sheets": list(sheets)},
            )
        frame = pd.read_excel(book, sheet_name=sheet, dtype=object)
    frame.columns = [unicodedata.normalize("NFC", str(c).strip()) for c in frame.columns]
    raw = RawTable(
        frame.reset_index(drop=True),
        np.arange(1, len(frame) + 1),
        _no_malformed(),
        str(path),
        sheet,
        sheets,
    )
    try:
        _check_headers(list(frame.columns), path)
    except SchemaError as exc:
        raise with_sheets(exc, raw) from None
    return raw


def with_sheets(exc: SchemaError, raw: RawTable, schema=None, columns=None) -> SchemaError:
    """``exc`` about the sheet read, completed with the other sheets of the workbook and,
    given the schema, the sheets whose headers hold every required column."""
    others = [s for s in raw.sheets if s != raw.sheet]
    if raw.sheet is None or not others:
        return exc
    fits = []
    if schema is not None:
        with pd.ExcelFile(raw.source, engine="openpyxl") as book:
            for name in others:
                columns_of = pd.read_excel(book, sheet_name=name, nrows=0).columns
                headers = [unicodedata.normalize("NFC", str(c).strip()) for c in columns_of]
                try:
                    resolve_columns(headers, schema, load_column_map(columns))
                except SchemaError:
                    continue
                fits.append(name)
    hint = (
        f" This is the sheet {raw.sheet!r}; the workbook also has {', '.join(map(repr, others))}."
    )
    if fits:
        hint += f" The sheet {fits[0]!r} has every required column: pass sheet_name={fits[0]!r}."
    else:
        hint += " Pass sheet_name= to read another sheet."
    params = {**exc.params, "sheet": raw.sheet, "sheets": list(raw.sheets), "fits": fits}
    return SchemaError(str(exc) + hint, exc.failures, code=exc.code, params=params)


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
            "give every column a name in the first row.",
            code="blank_headers",
            params={"path": str(path), "cells": blank},
        )
    seen, repeated = set(), []
    for h in names:
        if h in seen:
            repeated.append(h)
        seen.add(h)
    if repeated:
        raise SchemaError(
            f"{path.name}: the header repeats {sorted(set(repeated))}; rename the copies.",
            code="repeated_headers",
            params={"path": str(path), "headers": sorted(set(repeated))},
        )


def _decode_error(path: Path, codec: str, compression: str | None) -> SchemaError:
    """The file does not decode as ``codec``: where, and what to do about it."""
    where = first_undecodable(path, codec, compression)
    line, byte = where if where is not None else (None, None)
    at = f"line {line} holds the byte 0x{byte:02X}, which" if where else "some bytes"
    if codec == "utf-8":
        message = (
            f"{path.name}: the file is not UTF-8 text ({at} UTF-8 does not allow). If it came "
            "from an older Vietnamese Windows program, pass encoding='cp1258'; or save it "
            "again as 'CSV UTF-8' in Excel."
        )
    else:
        message = (
            f"{path.name}: the file is not {codec} text ({at} {codec} cannot read). Name its "
            "encoding with encoding= (e.g. 'utf-8', 'utf-16', 'cp1258'), or save it again as "
            "'CSV UTF-8' in Excel."
        )
    return SchemaError(
        message,
        code="not_utf8" if codec == "utf-8" else "decode_error",
        params={"path": str(path), "encoding": codec, "line": line, "byte": byte},
    )


def _sniff_encoding(head: bytes) -> str | None:
    """UTF-8 or UTF-16 from the byte-order mark, else UTF-8 if the head is; None otherwise."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return "utf-8"


def _sniff_delimiter(line: str) -> str:
    counts = {d: len(next(csv.reader([line], delimiter=d))) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.get)


def _may_hold_quotes(path: Path, codec: str, compressed: bool | None = None) -> bool:
    """False only when the file certainly has no quote character, so no value spans lines.

    Arrow splits an unquoted file into blocks in parallel; a value may only hold a line
    break when quoted, and tracking quotes makes the splitting serial. The check looks
    for the byte ``"`` encodes to (UTF-8, UTF-16, cp1258 alike); compressed files and
    encodings where ``"`` is another byte count as quoted.
    """
    if compressed is None:
        compressed = path.suffix.lower() in _COMPRESSION_SUFFIXES
    if compressed or b'"' not in '"'.encode(codec):
        return True
    block = bytearray(_SCAN_BYTES)
    with open(path, "rb", buffering=0) as fh:
        while size := fh.readinto(block):
            if block.find(b'"', 0, size) >= 0:
                return True
    return False


_NAME_COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".lz4": "lz4"}


def _read_csv(
    path: Path, encoding: str | None, delimiter: str | None, compression: str | None = None
) -> RawTable:
    """CSV text; ``compression`` is the file's own (from its content), whatever its name says."""
    try:
        return _read_text_table(path, encoding, delimiter, compression)
    except OSError as exc:  # Arrow's decompression errors are plain OSErrors
        if compression is None or type(exc) is not OSError:
            raise
        raise SchemaError(
            f"{path.name}: the file starts like a {compression}-compressed file but cannot be "
            f"decompressed ({exc}): it is damaged or truncated. Compress it again, or save it "
            "as plain CSV.",
            code="compressed_damaged",
            params={"path": str(path), "compression": compression, "detail": str(exc)},
        ) from None


def _read_text_table(
    path: Path, encoding: str | None, delimiter: str | None, compression: str | None
) -> RawTable:
    named = _NAME_COMPRESSION.get(path.suffix.lower())
    with pa.input_stream(str(path), compression=compression) as stream:
        head = stream.read(_SNIFF_BYTES)
    if not head.strip():
        raise SchemaError(
            f"{path.name}: the file is empty; a header row is needed.",
            code="empty_file",
            params={"path": str(path)},
        )
    if encoding is None:
        encoding = _sniff_encoding(head)
        if encoding is None:
            raise _decode_error(path, "utf-8", compression)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise SchemaError(
            f"Unknown encoding {encoding!r}; use a Python codec name such as 'utf-8', 'utf-16' "
            "or 'cp1258'.",
            code="unknown_encoding",
            params={"encoding": encoding},
        ) from None
    try:
        text = codecs.getincrementaldecoder(codec)().decode(head, final=False)
    except UnicodeError:  # UTF-16 without its mark raises the parent class
        raise _decode_error(path, codec, compression) from None
    body = text.lstrip("\ufeff")
    if not body.strip():  # a byte-order mark and nothing else
        raise SchemaError(
            f"{path.name}: the file is empty; a header row is needed.",
            code="empty_file",
            params={"path": str(path)},
        )
    first_line = body.splitlines()[0]
    delimiter = delimiter or _sniff_delimiter(first_line)
    header = [
        unicodedata.normalize("NFC", h.strip())
        for h in next(csv.reader([first_line], delimiter=delimiter))
    ]
    _check_headers(header, path)
    arrow_encoding = "utf8" if codec == "utf-8" else codec
    n_cols = len(header)
    quoted = _may_hold_quotes(path, codec, compression is not None)
    # Each block becomes a chunk of every column; the parsers work chunk by chunk, and a
    # few large chunks cost less than many small ones.
    block_size = min(max(path.stat().st_size // 16, _BLOCK_BYTES[0]), _BLOCK_BYTES[1])

    def read(threads: bool, handler):
        # by path where the name tells the compression right, else through a stream
        source = str(path) if named == compression else pa.input_stream(str(path), compression)
        return pacsv.read_csv(
            source,
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
    except UnicodeError:  # Arrow decodes other encodings than UTF-8 with Python's codecs
        raise _decode_error(path, codec, compression) from None
    except pa.ArrowInvalid as exc:
        if "invalid UTF8" in str(exc):
            raise _decode_error(path, codec, compression) from None
        if "Could not skip initial" in str(exc):  # a header without a line break: no rows
            frame = pd.DataFrame({h: pd.Series(dtype=object) for h in header})
            return RawTable(frame, np.zeros(0, np.int64), _no_malformed(), str(path))
        raise SchemaError(
            f"{path.name}: cannot read the CSV ({exc}). Check the encoding (encoding=...) "
            "and the delimiter (delimiter=...).",
            code="csv_unreadable",
            params={"path": str(path), "detail": str(exc), "delimiter": delimiter},
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
        ``.xlsx`` file. A DataFrame is passed to :func:`validate_cases`. The
        content decides how a file is read: a workbook or a compressed CSV
        under another name is read as what it is (with a warning); a file that
        is no table (an old ``.xls``, an image, a program) is an error naming
        what it is.
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
        Excel sheet, by name or 0-based number. When the sheet read lacks a
        required column, the error names it, the workbook's other sheets and
        the one that holds every required column.

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
    try:
        valid, rejects, mapping = validate_table(
            raw.frame,
            CASE_SCHEMA,
            columns=columns,
            dayfirst=dayfirst,
            tz=tz,
            row_numbers=raw.row_numbers,
            prior_rejects=raw.malformed,
        )
    except SchemaError as exc:
        if exc.code != "missing_column":
            raise
        raise with_sheets(exc, raw, CASE_SCHEMA, columns) from None
    return CaseData(valid, rejects, raw.n_input, mapping, raw.label)
