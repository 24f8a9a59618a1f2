"""Validating a CSV larger than memory: the same checks, a block of rows at a time.

``integrity-signals validate`` reads a case file whole when it fits in the
memory allowed, and otherwise through :func:`validate_csv_in_chunks`: the
file is streamed (Arrow's CSV reader, the same encoding, delimiter and
quoting as :func:`~integrity_signals.read_cases`), each block of rows is
validated with the same rules, and only the counts, the rejected rows and a
64-bit hash of each valid case id are kept. A case id seen in an earlier
block makes the later row a ``duplicate_id`` reject, so the invariant
``n_input == n_valid + n_rejected`` holds over the whole file. What the
data can carry (:mod:`~integrity_signals.resolution`) is read on the first
block.
"""

from __future__ import annotations

import codecs
import csv
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .exceptions import SchemaError
from .filetypes import sniff
from .io import _check_headers, _may_hold_quotes, _sniff_delimiter, _sniff_encoding
from .schema import CASE_SCHEMA, RejectReason
from .validation import REJECT_COLUMNS, summarise, validate_table

__all__ = ["ChunkedValidation", "validate_csv_in_chunks"]

#: Bytes of CSV per block (about 100,000 rows of a case export).
BLOCK_BYTES = 16 * 2**20


@dataclass
class ChunkedValidation:
    """The result of a chunked validation: counts and rejects, no cases kept in memory."""

    n_input: int
    n_valid: int
    rejects: pd.DataFrame
    column_map: dict
    source: str
    n_blocks: int
    first_block: pd.DataFrame = field(repr=False)

    @property
    def n_rejected(self) -> int:
        return int(self.rejects["row"].nunique()) if len(self.rejects) else 0

    def summary(self):
        return summarise(self.rejects, self.n_input, self.n_valid, self.column_map, self.source)


def _duplicates(keys, contents, rows, names) -> pd.DataFrame:
    """The rows whose case id repeats one of another block (or of their own): all of them
    when their contents differ, the later copies of an exact repeat (as in memory)."""
    key, content, row = (np.concatenate(a) if a else np.empty(0) for a in (keys, contents, rows))
    order = np.lexsort((row, key))
    key, content, row = key[order], content[order], row[order]
    repeated = np.r_[False, key[1:] == key[:-1]] | np.r_[key[:-1] == key[1:], False]
    out = []
    for k in np.unique(key[repeated]):
        at = np.flatnonzero(key == k)
        exact = (content[at] == content[at[0]]).all()
        name = names.get(int(k), "?")
        for i in at[1:] if exact else at:
            message = (f"case_id {name!r} repeats row {row[at[0]]} exactly; keep one copy" if exact
                       else f"case_id {name!r} is on several rows with different content; keep "
                       "the right one and read the file again")  # fmt: skip
            out.append(
                (int(row[i]), name, "case_id", str(RejectReason.DUPLICATE_ID), name, message)
            )
    return pd.DataFrame(out, columns=REJECT_COLUMNS)


def validate_csv_in_chunks(
    path,
    columns=None,
    *,
    dayfirst: bool = True,
    tz: str = "Asia/Ho_Chi_Minh",
    encoding: str | None = None,
    delimiter: str | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> ChunkedValidation:
    """Validate a (possibly gzipped) CSV case file block by block (see the module notes)."""
    path = Path(path)
    compression = sniff(path).compression  # the content's, whatever the name says
    with pa.input_stream(str(path), compression=compression) as stream:
        head = stream.read(1 << 16)
    if not head.strip():
        raise SchemaError(f"{path.name}: the file is empty; a header row is needed.",
                          code="empty_file", params={"path": str(path)})  # fmt: skip
    codec = codecs.lookup(encoding or _sniff_encoding(head) or "utf-8").name
    text = codecs.getincrementaldecoder(codec)().decode(head, final=False)
    first_line = text.lstrip("\ufeff").splitlines()[0]
    delimiter = delimiter or _sniff_delimiter(first_line)
    header = [unicodedata.normalize("NFC", h.strip())
              for h in next(csv.reader([first_line], delimiter=delimiter))]  # fmt: skip
    _check_headers(header, path)
    bad: list = []

    def collect(row):
        bad.append((row.number, row.text, row.actual_columns))
        return "skip"

    reader = pacsv.open_csv(
        pa.input_stream(str(path), compression=compression),
        read_options=pacsv.ReadOptions(
            encoding="utf8" if codec == "utf-8" else codec, use_threads=False, skip_rows=1,
            column_names=header, block_size=block_bytes,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, invalid_row_handler=collect,
            newlines_in_values=_may_hold_quotes(path, codec, compression is not None),
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.large_string() for h in header}, strings_can_be_null=True,
            quoted_strings_can_be_null=True, null_values=[""],
        ),
    )  # fmt: skip
    seen = np.empty(0, dtype=np.uint64)
    keys, contents, rows, names = [], [], [], {}
    rejects, mapping, first = [], {}, None
    n_input = n_valid = n_blocks = 0
    row = 0  # rows read so far (1-based numbers follow)
    for batch in reader:
        frame = batch.to_pandas()
        n_blocks += 1
        numbers = np.arange(row + 1, row + 1 + len(frame))
        row += len(frame)
        valid, bad_rows, mapping = validate_table(
            frame, CASE_SCHEMA, columns=columns, dayfirst=dayfirst, tz=tz,
            row_numbers=numbers,
        )  # fmt: skip
        text = valid["case_id"].astype(str).to_numpy(dtype=object)
        ids = pd.util.hash_array(text)
        again = np.isin(ids, seen) | pd.Series(ids).duplicated(keep=False).to_numpy()
        names.update(zip(ids[again].tolist(), text[again].tolist(), strict=True))
        keys.append(ids)
        contents.append(pd.util.hash_pandas_object(valid.astype(str), index=False).to_numpy())
        rows.append(numbers[valid.index.to_numpy()])
        seen = np.union1d(seen, ids)
        if first is None:
            first = valid
        n_input += len(frame)
        n_valid += len(valid)
        rejects.append(bad_rows)
    duplicates = _duplicates(keys, contents, rows, names)
    n_valid -= len(duplicates)
    rejects.append(duplicates)
    if bad:  # malformed lines: rows too, rejected
        n_input += len(bad)
        rejects.append(pd.DataFrame({
            "row": [n - 1 for n, _, _ in bad], "case_id": None, "column": "(line)",
            "reason": str(RejectReason.MALFORMED_ROW), "value": [t for _, t, _ in bad],
            "message": [f"line {n} has {k} fields where the header has {len(header)}"
                        for n, _, k in bad],
        }))  # fmt: skip
    table = pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame()
    table = table.reindex(columns=REJECT_COLUMNS)
    empty = pd.DataFrame(columns=[c.name for c in CASE_SCHEMA.columns])
    return ChunkedValidation(n_input, n_valid, table, dict(mapping), str(path), n_blocks,
                             first if first is not None else empty)  # fmt: skip
