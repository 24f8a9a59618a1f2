"""The procedure catalog: statutory days, posted fee, sector and name per procedure.

Optional. Where it is missing, or a value is empty (fees that vary with the
property value), features learn the procedure's usual levels from the cases.
A procedure may have several rows with different ``valid_from`` dates when a
new fee schedule took effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .columns import ColumnMap
from .exceptions import SchemaError
from .io import read_raw, with_sheets
from .schema import CATALOG_SCHEMA
from .validation import ValidationSummary, summarise, validate_table

__all__ = ["CatalogData", "read_catalog", "validate_catalog"]


@dataclass
class CatalogData:
    """A validated procedure catalog and its quarantined rows.

    ``catalog`` has the canonical columns procedure_id, statutory_days,
    fee_official, sector, name, valid_from (those present) plus extras;
    ``rejects`` has row, procedure_id, column, reason, value, message.
    """

    catalog: pd.DataFrame
    rejects: pd.DataFrame
    n_input: int
    column_map: dict[str, str] = field(default_factory=dict)
    source: str | None = None

    @property
    def n_rejected(self) -> int:
        return int(self.rejects["row"].nunique())

    def summary(self) -> ValidationSummary:
        return summarise(
            self.rejects, self.n_input, len(self.catalog), self.column_map, self.source
        )

    def __repr__(self) -> str:
        return f"CatalogData({len(self.catalog):,} procedures, {self.n_rejected:,} rejected rows)"


def validate_catalog(
    df: pd.DataFrame, columns: Mapping | str | Path | ColumnMap | None = None
) -> CatalogData:
    """Validate a catalog DataFrame held in memory (see :func:`read_catalog`).

    Examples
    --------
    >>> cat = validate_catalog(pd.DataFrame({
    ...     "Mã thủ tục": ["KS01", "DD02"],
    ...     "Thời hạn giải quyết": ["03 ngày làm việc", "Trong ngày"],
    ...     "Lệ phí": ["Miễn phí", "50.000 đồng/hồ sơ"],
    ... }))
    >>> cat.catalog[["procedure_id", "statutory_days", "fee_official"]]
      procedure_id  statutory_days  fee_official
    0         KS01             3.0           0.0
    1         DD02             0.0       50000.0
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"validate_catalog expects a pandas DataFrame; got {type(df).__name__}.")
    valid, rejects, mapping = validate_table(df, CATALOG_SCHEMA, columns=columns)
    return CatalogData(valid, rejects, len(df), mapping)


def read_catalog(
    source: str | Path | pd.DataFrame,
    columns: Mapping | str | Path | ColumnMap | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet_name: int | str = 0,
) -> CatalogData:
    """Read and validate a procedure catalog (CSV, Parquet or .xlsx), like :func:`read_cases`.

    Statutory terms may be written "15", "15 ngày làm việc", "Không quá 03
    ngày", "04 giờ" (half a working day) or "Trong ngày" (0); fees as VND
    amounts or "Miễn phí". Duplicate (procedure_id, valid_from) pairs, negative
    terms or fees and unreadable values are quarantined.
    """
    if isinstance(source, pd.DataFrame):
        return validate_catalog(source, columns)
    raw = read_raw(source, encoding=encoding, delimiter=delimiter, sheet_name=sheet_name)
    try:
        valid, rejects, mapping = validate_table(
            raw.frame,
            CATALOG_SCHEMA,
            columns=columns,
            row_numbers=raw.row_numbers,
            prior_rejects=raw.malformed,
        )
    except SchemaError as exc:
        if exc.code != "missing_column":
            raise
        raise with_sheets(exc, raw, CATALOG_SCHEMA, columns) from None
    return CatalogData(valid, rejects, raw.n_input, mapping, raw.label)
