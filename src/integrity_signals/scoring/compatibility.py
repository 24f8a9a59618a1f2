"""Does a batch look like the data a model was fitted on? If not, the model refuses it.

A model measures a batch against its reference period. Applied to an export
it was not fitted for (other columns, dates without a time of day where the
reference had times, units and procedures it never saw), it does not measure
anything: a model fitted on two communes and applied to a province flags
almost every dossier and every officer. :func:`differences` compares the
batch with the fit's profile (:func:`batch_profile`, kept in the model) before
scoring:

- **columns**: an optional column filled in the reference and absent (or
  empty) in the batch, or the other way round;
- **coverage**: a column filled on most reference rows and on few of the
  batch's (:data:`FILLED_GAP`), or a date column whose time of day differs
  (times against date only or one constant time);
- **units and procedures**: more than :data:`MAX_UNKNOWN` of the batch's
  dossiers (and at least :data:`MIN_UNKNOWN`) in units, or of procedures, that
  the reference never saw (a new procedure the fit's catalog places in a sector
  is known: its sector's shares apply);

and, once the batch's evidence is computed, :func:`rate_differences`
compares every signal's events in the batch, summed over its officers, with
what the model predicts for its case mix, relative to the same ratio in the
reference period: a ratio beyond :data:`MAX_RATE_RATIO` either way, over at
least :data:`MIN_EXCESS` events, is not a few anomalous officers but another
kind of data.

``RiskModel.score`` raises :class:`~integrity_signals.IncompatibleBatchError`
listing them; ``force=True`` scores anyway and writes the differences into
the outputs (column ``model_mismatch``).
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd

from ..exceptions import IncompatibleBatchError, IntegritySignalsWarning
from ..resolution import time_resolution
from ..signals import SIGNALS

__all__ = [
    "FILLED_GAP",
    "MAX_RATE_RATIO",
    "MAX_UNKNOWN",
    "MIN_EXCESS",
    "batch_profile",
    "catalog_hash",
    "differences",
    "describe",
    "rate_differences",
    "refusal",
    "warn_forced",
    "with_mismatch",
]

#: Share of a batch's dossiers in unknown units (or of unknown procedures) that is refused...
MAX_UNKNOWN = 0.25
#: ... when they are at least this many (a handful of dossiers of a new procedure is scored).
MIN_UNKNOWN = 100
#: A column filled on at least this share more (or less) of the rows than in the fit differs.
FILLED_GAP = 0.5
#: Batch-wide events / expected events of a signal beyond which (either way) rates differ.
MAX_RATE_RATIO = 4.0
#: ... over at least this many events of difference.
MIN_EXCESS = 50

_OPTIONAL = (
    "completed_at", "due_at", "applicant_id", "receiver_id", "fee_charged", "fee_official",
    "channel", "supplement_requests",
)  # fmt: skip
_DATES = ("submitted_at", "completed_at")


def _filled(series: pd.Series) -> float:
    return float(series.notna().mean()) if len(series) else 0.0


def batch_profile(cases: pd.DataFrame) -> dict:
    """What the comparison needs to know of a batch: each optional column's filled share and
    each date column's time of day at the source."""
    resolution = {}
    for column in _DATES:
        table = time_resolution(cases, column)
        if len(table):
            resolution[column] = str(table.loc[table["level"] == "source", "status"].iloc[0])
    return {
        "filled": {c: _filled(cases[c]) for c in _OPTIONAL if c in cases.columns},
        "resolution": resolution,
    }


def _kind(status: str) -> str:
    return "constant time" if status.startswith("constant time") else status


def differences(model, cases: pd.DataFrame, groups) -> list[dict]:
    """How the batch differs from the model's fit, before scoring (see the module notes).

    Each difference is a dict with ``code`` and its facts; :func:`describe` says it.
    ``groups`` are the batch's fitted (procedure, unit, officer) codes.
    """
    fit = getattr(model, "profile_", None)
    if fit is None or not len(cases):  # a model saved before profiles existed
        return []
    here = batch_profile(cases)
    out = []
    for column in _OPTIONAL:
        before, now = fit["filled"].get(column, 0.0), here["filled"].get(column, 0.0)
        if before > 0 and now == 0:
            out.append({"code": "column_missing", "column": column, "fit": before})
        elif before == 0 and now > 0:
            out.append({"code": "column_new", "column": column, "batch": now})
        elif abs(before - now) >= FILLED_GAP:
            out.append({"code": "column_coverage", "column": column, "fit": before, "batch": now})
    for column in _DATES:
        before, now = fit["resolution"].get(column), here["resolution"].get(column)
        if before and now and "no values" not in (before, now) and _kind(before) != _kind(now):
            out.append({"code": "time_of_day", "column": column, "fit": before, "batch": now})
    procedure, unit, _ = groups
    n = len(cases)
    # a procedure new since the reference that the catalog places in a sector is not unknown:
    # its officers' sector shares apply (see the handler features)
    placed = cases["procedure_id"].isin(model.features_.handlers_.sector_ids_).to_numpy()
    for level, unknown in (("unit_id", unit < 0), ("procedure_id", (procedure < 0) & ~placed)):
        if unknown.sum() >= MIN_UNKNOWN and unknown.mean() > MAX_UNKNOWN:
            names = pd.unique(cases.loc[unknown, level].astype(str))
            out.append({
                "code": "unknown_" + ("units" if level == "unit_id" else "procedures"),
                "n_cases": int(unknown.sum()), "total": n, "n_unknown": len(names),
                "n_batch": int(cases[level].nunique()), "examples": sorted(names)[:3],
            })  # fmt: skip
    return out


def _ratios(observed: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per signal: events and (calibrated) expected events summed over the officers."""
    return np.nansum(observed, axis=0), np.nansum(expected, axis=0)


def rate_differences(model, officers) -> list[dict]:
    """Signals whose batch-wide events are far from the reference's own ratio of events to the
    model's predictions (``officers``: the batch's officer evidence)."""
    record = model.records_["handler_id"]
    o_ref, e_ref = _ratios(record.observed, record.expected)
    observed, expected = _ratios(officers.observed, officers.expected)
    out = []
    for j, s in enumerate(SIGNALS):
        usual = (o_ref[j] + 1.0) / (e_ref[j] + 1.0)  # about 1 for peer-calibrated signals
        # the events the reference's own ratio predicts for this batch (the reference itself: its
        # events exactly)
        o, e = float(observed[j]), max(float((expected[j] + 1.0) * usual - 1.0), 0.0)
        ratio = (o + 1.0) / (e + 1.0)
        if abs(o - e) >= MIN_EXCESS and not 1 / MAX_RATE_RATIO <= ratio <= MAX_RATE_RATIO:
            out.append({"code": "event_rate", "signal": s.name, "observed": o, "expected": e})
    return out


def describe(diff: dict, lang: str = "en") -> str:
    """One difference in words, in English or Vietnamese (``lang="vi"``).

    >>> describe({"code": "time_of_day", "column": "completed_at", "fit": "times",
    ...           "batch": "date only"}, "vi")
    'ngày trả kết quả chỉ có ngày, không có giờ (kỳ tham chiếu: có giờ)'
    """
    from ..formatting import format_number, format_percent
    from ..vocabulary import column_label, signal_label

    vi = lang == "vi"
    code = diff["code"]

    def pct(x):
        return format_percent(round(float(x), 2), lang)

    def num(x):
        return format_number(round(float(x)), lang)

    if code in ("column_missing", "column_new", "column_coverage", "time_of_day"):
        column = column_label(diff["column"], lang) if vi else diff["column"]
    if code == "column_missing":
        if vi:
            return f"không có cột {column} (kỳ tham chiếu: {pct(diff['fit'])} số dòng có)"
        return f"{column} is filled on {pct(diff['fit'])} of the reference rows and absent here"
    if code == "column_new":
        if vi:
            return f"có cột {column} ({pct(diff['batch'])} số dòng) mà kỳ tham chiếu không có"
        return f"{column} is filled here ({pct(diff['batch'])} of the rows), not in the reference"
    if code == "column_coverage":
        if vi:
            return (
                f"cột {column} có ở {pct(diff['batch'])} số dòng, kỳ tham chiếu {pct(diff['fit'])}"
            )
        return (
            f"{column} is filled on {pct(diff['batch'])} of the rows here against "
            f"{pct(diff['fit'])} in the reference"
        )
    if code == "time_of_day":
        if vi:
            return f"{column} {_resolution_vi(diff['batch'])} (kỳ tham chiếu: {_resolution_vi(diff['fit'])})"
        return f"{column} has {diff['batch']} here, {diff['fit']} in the reference"
    if code in ("unknown_units", "unknown_procedures"):
        units = code == "unknown_units"
        examples = ", ".join(diff["examples"])
        if vi:
            what = "đơn vị" if units else "thủ tục"
            return (
                f"{num(diff['n_unknown'])} trên {num(diff['n_batch'])} {what} của đợt này (ví dụ "
                f"{examples}; {num(diff['n_cases'])} trên {num(diff['total'])} hồ sơ) không có "
                "trong kỳ tham chiếu"
            )
        what = "units" if units else "procedures"
        return (
            f"{diff['n_unknown']} of the batch's {diff['n_batch']} {what} (e.g. {examples}; "
            f"{diff['n_cases']} of {diff['total']} dossiers) are not in the reference"
        )
    if code == "event_rate":
        label = signal_label(diff["signal"], lang)
        if vi:
            return (
                f"{num(diff['observed'])} hồ sơ \u201c{label}\u201d trong khi mô hình dự kiến "
                f"{num(diff['expected'])}"
            )
        return (
            f"{num(diff['observed'])} events of '{label}' where the model's rates predict "
            f"{num(diff['expected'])}"
        )
    raise AssertionError(code)


def _resolution_vi(status: str) -> str:
    if status == "date only":
        return "chỉ có ngày, không có giờ"
    if status.startswith("constant time"):
        return "luôn ghi cùng một giờ " + status.removeprefix("constant time ")
    return {"times": "có giờ", "no values": "trống"}.get(status, status)


def refusal(found: list[dict]) -> IncompatibleBatchError:
    """The error ``score`` raises for a batch with the differences ``found``."""
    return IncompatibleBatchError(
        "This batch is not like the data the model was fitted on: "
        + "; ".join(describe(d) for d in found)
        + ". Its scores would measure the difference, not the officers: fit a model on data like "
        "this batch, or pass force=True to score it anyway (the outputs then say how it differs).",
        code="incompatible_batch",
        params={"differences": found},
    )


def warn_forced(found: list[dict], stacklevel: int = 2) -> None:
    """Warn that a batch with the differences ``found`` was scored with ``force=True``."""
    warnings.warn(
        IntegritySignalsWarning(
            "Scored with force=True although the batch differs from the model's fit: "
            + "; ".join(describe(d) for d in found)
            + ". The outputs carry this in their model_mismatch column.",
            code="forced_mismatch",
            params={"differences": found},
        ),
        stacklevel=stacklevel,
    )


def with_mismatch(table: pd.DataFrame, found: list[dict], lang: str = "en") -> pd.DataFrame:
    """``table`` with a ``model_mismatch`` column when the batch was scored despite differing."""
    if found:
        table["model_mismatch"] = "; ".join(describe(d, lang) for d in found)
    return table


def catalog_hash(catalog) -> str | None:
    """SHA-256 of the catalog a model was fitted with (None without one)."""
    if catalog is None:
        return None
    frame = getattr(catalog, "catalog", catalog)
    return hashlib.sha256(
        pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    ).hexdigest()
