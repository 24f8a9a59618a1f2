"""XES event logs (IEEE 1849), streamed with the standard library's XML parser.

``<trace>`` attributes become columns named ``case:<key>`` on each of its
events (the convention of pm4py's CSV export, so one preset reads both forms
of a log); ``<event>`` attributes keep their key. Values stay text, as in a
CSV file, until the event-log reader parses them. Nested attributes (lists,
containers, attributes of attributes) are not read. Files may be
gzip-compressed (``.xes.gz``); the whole file is never held as a tree: each
trace is cleared once its events are taken.
"""

from __future__ import annotations

import gc
import gzip
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from .exceptions import SchemaError

__all__ = ["is_xes", "read_xes"]

_VALUE_TAGS = {"string", "date", "int", "float", "boolean", "id"}


def is_xes(path: Path) -> bool:
    """``.xes`` or ``.xes.gz`` (any case)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] == ".xes"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Columns:
    """Sparse columns: for each key, the event numbers that have it and their values."""

    def __init__(self):
        self.rows: dict[str, list[int]] = {}
        self.values: dict[str, list[str]] = {}

    def put(self, key: str, row: int, value: str) -> None:
        rows = self.rows.get(key)
        if rows is None:
            rows = self.rows[key] = []
            self.values[key] = []
        rows.append(row)
        self.values[key].append(value)

    def put_many(self, key: str, rows: list[int], value: str) -> None:
        if key not in self.rows:
            self.rows[key], self.values[key] = [], []
        self.rows[key].extend(rows)
        self.values[key].extend([value] * len(rows))

    def frame(self, n: int) -> pd.DataFrame:
        out = {}
        for key in self.rows:
            column = np.full(n, None, dtype=object)
            column[np.asarray(self.rows[key], dtype=np.int64)] = self.values[key]
            out[key] = column
        return pd.DataFrame(out, index=pd.RangeIndex(n))


def read_xes(path: str | Path) -> pd.DataFrame:
    """One row per event of an XES file: trace attributes as ``case:<key>``, event attributes.

    Events outside any trace get no ``case:`` values. Rows are in file order,
    so row ``i`` (0-based) is the file's event number ``i + 1``.

    Raises
    ------
    SchemaError
        The file is not XML, is truncated, or holds no ``<event>``.
    """
    path = Path(path)
    if not path.is_file():
        raise SchemaError(
            f"File {str(path)!r} does not exist or is not a file.",
            code="file_missing",
            params={"path": str(path)},
        )
    with open(path, "rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if compressed else open
    columns = _Columns()
    n = 0
    pending: list[int] = []  # events read since the last trace closed
    local: dict[str, str] = {}  # namespaced tag -> local name (a handful of distinct tags)

    def name(tag: str) -> str:
        found = local.get(tag)
        if found is None:
            found = local[tag] = _local(tag)
        return found

    def attributes(elem) -> list[tuple[str, str]]:
        return [
            (child.get("key"), child.get("value"))
            for child in elem
            if name(child.tag) in _VALUE_TAGS and "key" in child.attrib and "value" in child.attrib
        ]

    collecting = gc.isenabled()
    gc.disable()  # millions of small objects, no cycles: the collector would only rescan the heap
    try:
        with opener(path, "rb") as fh:
            for _, elem in ET.iterparse(fh, events=("end",)):
                tag = name(elem.tag)
                if tag == "event":  # its attributes are its direct children, complete now
                    for key, value in attributes(elem):
                        columns.put(key, n, value)
                    pending.append(n)
                    n += 1
                    elem.clear()
                elif tag == "trace":
                    k = sum(1 for child in elem if name(child.tag) == "event")
                    mine, pending = pending[len(pending) - k :], []  # earlier: outside any trace
                    for key, value in attributes(elem):
                        columns.put_many(f"case:{key}", mine, value)
                    elem.clear()
                elif tag in ("global", "extension", "classifier"):
                    elem.clear()
    except ET.ParseError as exc:
        line, col = exc.position
        raise SchemaError(
            f"{path.name}: not well-formed XES at line {line}, column {col} ({exc}); the file "
            "may be truncated or not XML. Re-export it, or check it opens in a process-mining tool.",
            code="xes_malformed",
            params={"path": str(path), "line": line, "col": col, "detail": str(exc)},
        ) from None
    except (OSError, EOFError) as exc:
        raise SchemaError(f"{path.name}: cannot read the file ({exc}).") from None
    finally:
        if collecting:
            gc.enable()
    if n == 0:
        raise SchemaError(
            f"{path.name}: the XES file holds no <event>; nothing to read.",
            code="xes_empty",
            params={"path": str(path)},
        )
    return columns.frame(n)
