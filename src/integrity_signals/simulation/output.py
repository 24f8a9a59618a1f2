"""Writing a simulation: cases, truth and catalog as CSV (UTF-8 with BOM) or Parquet.

With ``vietnamese_headers=True`` the case and catalog files look like a
Vietnamese case-management export: headers such as "Mã hồ sơ", dates
``dd/mm/yyyy HH:MM:SS``, amounts ``1.500.000`` and channels "Trực tuyến" /
"Trực tiếp" / "Bưu chính". :func:`~integrity_signals.read_cases` reads such a
file back to the same cases.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..export import write_table
from .simulator import Simulation

__all__ = ["VIETNAMESE_HEADERS", "write_simulation"]

#: Canonical column -> Vietnamese header (built-in aliases of the case and catalog schemas).
VIETNAMESE_HEADERS: dict[str, str] = {
    "case_id": "Mã hồ sơ",
    "procedure_id": "Mã thủ tục",
    "unit_id": "Đơn vị",
    "handler_id": "Cán bộ xử lý",
    "receiver_id": "Cán bộ tiếp nhận",
    "applicant_id": "Người nộp",
    "submitted_at": "Ngày tiếp nhận",
    "due_at": "Ngày hẹn trả",
    "completed_at": "Ngày trả kết quả",
    "fee_charged": "Lệ phí",
    "fee_official": "Mức phí quy định",
    "channel": "Hình thức nộp",
    "supplement_requests": "Số lần bổ sung",
    "status": "Trạng thái",
    "statutory_days": "Thời hạn giải quyết",
    "sector": "Lĩnh vực",
    "name": "Tên thủ tục",
    "valid_from": "Hiệu lực từ",
}

#: Channel category -> the words a Vietnamese export uses.
VIETNAMESE_CHANNELS = {"online": "Trực tuyến", "in_person": "Trực tiếp", "postal": "Bưu chính"}

_FORMATS = ("csv", "parquet")


def _vnd(values: pd.Series) -> pd.Series:
    """Amounts written the Vietnamese way ("1.500.000"); NaN stays empty."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = np.array([f"{v:,.0f}".replace(",", ".") for v in uniques] + [None], dtype=object)
    return pd.Series(text[codes], index=values.index, dtype="str")


def _dates(values: pd.Series, fmt: str) -> pd.Series:
    seconds = pa.array(values.to_numpy(dtype="datetime64[s]"), pa.timestamp("s"), from_pandas=True)
    return pd.Series(pc.strftime(seconds, format=fmt).to_pandas().to_numpy(), index=values.index)


def vietnamese_frame(df: pd.DataFrame, *, catalog: bool = False) -> pd.DataFrame:
    """``df`` (cases or catalog) with Vietnamese headers and values written as in local exports."""
    out = {}
    for name, col in df.items():
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            col = _dates(col, "%d/%m/%Y" if catalog else "%d/%m/%Y %H:%M:%S")
        elif name in ("fee_charged", "fee_official"):
            col = _vnd(col)
            if catalog:
                col = col.where(col != "0", "Miễn phí")
        elif name == "channel":
            col = col.cat.rename_categories(VIETNAMESE_CHANNELS).astype("str")
        elif name == "statutory_days":
            col = col.map(lambda d: f"{d:g} ngày làm việc")
        out[VIETNAMESE_HEADERS.get(name, name)] = col
    return pd.DataFrame(out, index=df.index)


def write_simulation(
    sim: Simulation,
    cases_path: str | Path,
    *,
    truth_path: str | Path | None = None,
    catalog_path: str | Path | None = None,
    fmt: str | None = None,
    vietnamese_headers: bool = False,
) -> dict[str, Path]:
    """Write a simulation's cases (and optionally its truth and catalog) to files.

    Parameters
    ----------
    sim : Simulation
        From :func:`simulate`.
    cases_path : str or Path
        Case file. Parent folders are created.
    truth_path, catalog_path : str or Path, optional
        Files for ``sim.truth`` and ``sim.catalog``; not written when None.
        The truth file always has canonical headers (``case_id``,
        ``is_corrupt``, ``scheme``).
    fmt : {"csv", "parquet"}, optional
        Default: from each file's extension (``.parquet`` / ``.pq``, else CSV).
        CSV is UTF-8 with a byte-order mark, so that Excel shows Vietnamese text.
    vietnamese_headers : bool, default False
        Write the case and catalog files as a Vietnamese export (headers from
        :data:`VIETNAMESE_HEADERS`; in CSV also dd/mm/yyyy dates, 1.500.000
        amounts and Vietnamese channel names). Status values stay ``returned``
        / ``pending``.

    Returns
    -------
    dict
        ``{"cases": path, "truth": path, "catalog": path}`` for the files written.

    Examples
    --------
    >>> import tempfile, pathlib, integrity_signals as isig
    >>> from integrity_signals.simulation import simulate, write_simulation
    >>> sim = simulate(500, random_state=0)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> paths = write_simulation(sim, folder / "ho_so.csv", truth_path=folder / "truth.csv",
    ...                          vietnamese_headers=True)
    >>> back = isig.read_cases(paths["cases"])
    >>> back.n_rejected, back.cases.equals(sim.cases)
    (0, True)
    """
    if not isinstance(sim, Simulation):
        raise TypeError(
            "The 'sim' parameter of write_simulation must be a Simulation (from simulate). "
            f"Got {type(sim).__name__} instead."
        )
    if fmt is not None and fmt not in _FORMATS:
        raise ValueError(
            f"The 'fmt' parameter of write_simulation must be one of {_FORMATS} or None. "
            f"Got {fmt!r} instead."
        )
    targets = {"cases": (sim.cases, cases_path), "truth": (sim.truth, truth_path)}
    targets["catalog"] = (sim.catalog, catalog_path)
    written = {}
    for key, (frame, path) in targets.items():
        if path is None:
            continue
        path = Path(path)
        kind = fmt or ("parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv")
        if vietnamese_headers and key != "truth":
            frame = (
                vietnamese_frame(frame, catalog=key == "catalog")
                if kind == "csv"
                else frame.rename(columns=VIETNAMESE_HEADERS)
            )
        elif kind == "csv":  # whole seconds: "2025-01-02 09:12:25", not nanoseconds
            frame = frame.astype(dict.fromkeys(frame.select_dtypes("datetime"), "datetime64[s]"))
            if key == "catalog":
                frame = frame.assign(valid_from=frame["valid_from"].dt.date)
        written[key] = write_table(frame, path, kind)
    return written
