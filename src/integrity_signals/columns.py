"""Column maps: from the headers of a user's file to the canonical names.

A map is a dict ``{"user header": "canonical_name"}`` or a TOML / JSON file
holding one. A file may also hold a ``[channel]`` table that maps written
channel values to ``online`` / ``in_person`` / ``postal``::

    [columns]
    "Số biên nhận" = "case_id"
    "CB thụ lý" = "handler_id"

    [channel]
    "Qua ứng dụng VNeID" = "online"

Headers that no map names are matched against the built-in aliases of the
schema, ignoring case, diacritics, spacing and punctuation.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .exceptions import SchemaError
from .schema import TableSchema
from .textkeys import label_key

__all__ = ["ColumnMap", "load_column_map", "resolve_columns"]


@dataclass(frozen=True)
class ColumnMap:
    """A user's column map: header -> canonical name, plus extra channel spellings."""

    columns: dict[str, str] = field(default_factory=dict)
    channel: dict[str, str] = field(default_factory=dict)


def load_column_map(columns: Mapping | str | Path | ColumnMap | None) -> ColumnMap:
    """Read a column map from a dict, a ``.toml`` / ``.json`` file, or pass one through.

    Examples
    --------
    >>> load_column_map({"Số biên nhận": "case_id"}).columns
    {'Số biên nhận': 'case_id'}
    """
    if columns is None:
        return ColumnMap()
    if isinstance(columns, ColumnMap):
        return columns
    if isinstance(columns, str | Path):
        path = Path(columns)
        if not path.is_file():
            raise SchemaError(f"Column map file {str(path)!r} does not exist.")
        text = path.read_text(encoding="utf-8-sig")
        try:
            if path.suffix.lower() == ".toml":
                raw = tomllib.loads(text)
            elif path.suffix.lower() == ".json":
                raw = json.loads(text)
            else:
                raise SchemaError(
                    f"Column map file {str(path)!r} must end in .toml or .json; got {path.suffix!r}."
                )
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise SchemaError(f"Column map file {str(path)!r} is not valid: {exc}") from exc
        columns = raw
    if not isinstance(columns, Mapping):
        raise SchemaError(
            f"The 'columns' parameter must be a dict, a path to a .toml/.json file or None. "
            f"Got {type(columns).__name__} instead."
        )
    if "columns" in columns or "channel" in columns:
        unknown = set(columns) - {"columns", "channel"}
        if unknown:
            raise SchemaError(
                f"A column map file holds only the tables [columns] and [channel]; "
                f"found also {sorted(unknown)}."
            )
        cols, channel = dict(columns.get("columns", {})), dict(columns.get("channel", {}))
    else:
        cols, channel = dict(columns), {}
    for name, mapping in (("columns", cols), ("channel", channel)):
        bad = {k: v for k, v in mapping.items() if not isinstance(v, str)}
        if bad:
            raise SchemaError(f"Every entry of the [{name}] map must be text -> text; got {bad}.")
    return ColumnMap(cols, channel)


def _quote_list(items) -> str:
    return ", ".join(repr(str(i)) for i in items)


def resolve_columns(headers: list, schema: TableSchema, column_map: ColumnMap) -> dict[str, str]:
    """Decide which header feeds each canonical column; returns ``{header: canonical}``.

    Raises :class:`SchemaError` when a mapped header is absent, a target is not
    a canonical name, two headers claim one column, or a required column has
    no header (naming the closest header and alias found).
    """
    headers = [str(h) for h in headers]
    known = set(schema.names)
    resolved: dict[str, str] = {}
    for header, canon in column_map.columns.items():
        if canon not in known:
            close = difflib.get_close_matches(canon, schema.names, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise SchemaError(
                f"The column map sends {header!r} to {canon!r}, which is not a {schema.name} "
                f"column. Canonical columns: {_quote_list(schema.names)}.{hint}",
                code="map_target_unknown",
                params={"header": header, "column": canon, "columns": schema.names,
                        "closest": close[0] if close else None},
            )  # fmt: skip
        if header not in headers:
            close = difflib.get_close_matches(header, headers, n=1, cutoff=0.5)
            hint = f" Closest header: {close[0]!r}." if close else ""
            raise SchemaError(
                f"The column map names the header {header!r}, which the file does not have. "
                f"Headers found: {_quote_list(headers)}.{hint}",
                code="map_header_absent",
                params={"header": header, "headers": headers,
                        "closest": close[0] if close else None},
            )  # fmt: skip
        resolved[header] = canon
    claimed = {canon: h for h, canon in resolved.items()}
    for header in headers:
        if header in resolved:
            continue
        canon = schema.alias_index.get(label_key(header))
        if canon is None:
            continue
        if canon in claimed:
            if claimed[canon] in column_map.columns and header not in known:
                continue  # the user chose another header for this column; keep this one as an extra
            if claimed[canon] in column_map.columns:
                raise SchemaError(
                    f"The column map sends {claimed[canon]!r} to {canon!r}, but the file also has "
                    f"a column named {header!r}; rename or drop that column first.",
                    code="map_clash",
                    params={"header": claimed[canon], "column": canon, "other": header},
                )
            raise SchemaError(
                f"Both {claimed[canon]!r} and {header!r} look like the column {canon!r}. "
                f"Choose one with columns={{{claimed[canon]!r}: {canon!r}}}.",
                code="ambiguous_column",
                params={"headers": [claimed[canon], header], "column": canon},
            )
        claimed[canon] = header
        resolved[header] = canon
    missing = [c for c in schema.required if c not in claimed]
    if missing:
        raise _missing_column(missing[0], headers, resolved, schema)
    return resolved


def _missing_column(canon: str, headers: list[str], resolved: dict, schema: TableSchema):
    col = schema[canon]
    spellings = [col.name, *col.aliases]
    free = [h for h in headers if h not in resolved]
    keys = {label_key(a): a for a in spellings}
    best = None
    for header in free:
        close = difflib.get_close_matches(label_key(header), list(keys), n=1, cutoff=0.6)
        if close:
            score = difflib.SequenceMatcher(None, label_key(header), close[0]).ratio()
            if best is None or score > best[0]:
                best = (score, header, keys[close[0]])
    if best is not None:
        hint = (
            f" Closest: the header {best[1]!r} looks like the alias {best[2]!r}; "
            f"map it with columns={{{best[1]!r}: {canon!r}}}."
        )
    else:
        hint = f" Map your header to it with columns={{'<your header>': {canon!r}}}."
    message = (
        f"Required column {canon!r} ({col.description}) is missing. "
        f"Headers found: {_quote_list(headers) or 'none'}.{hint} "
        f"Accepted headers: {_quote_list(spellings)}."
    )
    closest = {"header": best[1], "alias": best[2]} if best is not None else {}
    return SchemaError(
        message,
        code="missing_column",
        params={"column": canon, "headers": headers, "accepted": spellings, **closest},
    )
