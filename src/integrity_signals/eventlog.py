"""Reading event logs with quarantine: every event ends up in a case or in the rejects.

:func:`read_event_log` reads a CSV (or ``.csv.gz``, Parquet, ``.xlsx``) or XES
(``.xes``, ``.xes.gz``) event log, or a DataFrame, rolls it up with
:func:`~integrity_signals.events.roll_up` and validates the cases against the
data contract. The result is an :class:`EventLogData`, a
:class:`~integrity_signals.CaseData` that ``RiskModel.fit`` / ``score`` /
``score_entities`` and the report accept as they are. Its counts are events:
``n_input == n_events_in_cases + n_rejected``.

Quarantine rules, event by event:

- a missing case id, activity or time stamp, an unreadable or implausible
  time stamp, a malformed CSV line: the event is rejected for that reason;
- an exact copy of an earlier event: ``duplicate_event`` (the first copy is kept);
- the other events of a case with a rejected event: ``incomplete_case``. A
  case is rolled up from all its events or not at all, since a lost end
  event would make a closed case look open;
- a rolled-up case that breaks the contract (no handler, an unknown channel,
  a negative fee, completed before submitted...): each of its events is
  rejected with the case's reason (``row`` is the event's, ``column`` the
  case column).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import ColumnMap
from .events import EventLogSpec, _event_failures, check_event_columns, load_preset, roll_up
from .exceptions import SchemaError
from .io import RawTable, _sniff_delimiter, read_raw
from .schema import CASE_SCHEMA, RejectReason
from .validation import REJECT_COLUMNS, CaseData, ValidationSummary, validate_table
from .xes import is_xes, read_xes

__all__ = ["EventLogData", "EventLogSummary", "failure_table", "read_event_log"]

_R = RejectReason
_XES_RESOURCE = "org:resource"
_MESSAGES = {
    _R.MISSING_VALUE: "{column} is empty; every event needs a case id, an activity and a time stamp",
    _R.UNPARSEABLE_DATE: (
        "{column} {value!r} is not a date; write yyyy-mm-dd HH:MM[:SS][+hh:mm], dd/mm/yyyy "
        "HH:MM, or set dayfirst"
    ),
    _R.IMPLAUSIBLE_DATE: "{column} {value!r} is outside 1990-2099; correct the date",
}


@dataclass
class EventLogSummary(ValidationSummary):
    """Counts of an event-log read: events in, events in cases, cases (open ones), rejected."""

    n_cases: int = 0
    n_open: int = 0

    def __str__(self) -> str:
        lines = [
            f"{self.source or 'event log'}: {self.n_input:,} events in, {self.n_valid:,} in "
            f"{self.n_cases:,} cases ({self.n_open:,} open), {self.n_rejected:,} rejected"
        ]
        if len(self.by_reason):
            lines.append("rejected events by reason (an event may have several):")
            lines += [f"  {reason:<28} {count:>8,}" for reason, count in self.by_reason.items()]
        return "\n".join(lines)


@dataclass(repr=False)
class EventLogData(CaseData):
    """Cases rolled up from an event log, and the quarantined events.

    A :class:`~integrity_signals.CaseData` whose counts are events:
    ``n_input`` events were read, ``n_events_in_cases`` of them are in
    ``.cases`` and the others are in ``.rejects`` (``row`` is the event's
    record number: its line in a CSV file, header excluded, or its position
    in an XES file), so ``n_input == n_events_in_cases + n_rejected``.

    Attributes
    ----------
    spec : EventLogSpec
        The roles used for the roll-up (from the preset and arguments).
    """

    n_events_in_cases: int = 0
    spec: EventLogSpec | None = None

    def __post_init__(self):
        if self.n_input != self.n_events_in_cases + self.n_rejected:
            raise AssertionError("events lost in the roll-up: please report this as a bug")

    @property
    def calendar(self):
        """The preset's :class:`~integrity_signals.WorkCalendar` (None when it sets none)."""
        from .calendar import WorkCalendar

        if self.spec is None or not self.spec.calendar:
            return None
        return WorkCalendar(**self.spec.calendar)

    def summary(self) -> EventLogSummary:
        rejects = self.rejects
        by_reason = rejects.drop_duplicates(["row", "reason"])["reason"].value_counts().sort_index()
        by_reason.name = "events"
        n_open = int(self.cases["completed_at"].isna().sum()) if len(self.cases) else 0
        return EventLogSummary(
            self.n_input, self.n_events_in_cases, self.n_rejected, by_reason,
            dict(self.column_map), self.source, len(self.cases), n_open,
        )  # fmt: skip

    def __repr__(self) -> str:
        return (
            f"EventLogData({len(self.cases):,} cases from {self.n_events_in_cases:,} events, "
            f"{self.n_rejected:,} rejected events of {self.n_input:,})"
        )


def _raw_text(series: pd.Series, pos: np.ndarray) -> list[str]:
    values = series.to_numpy(dtype=object)[pos]
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]


def failure_table(frame: pd.DataFrame, failures: list, rows: np.ndarray, spec) -> pd.DataFrame:
    """Rejects rows (``REJECT_COLUMNS``) of event-level failures ``(positions, column, reason)``."""
    parts = []
    case_text = frame[spec.case].to_numpy(dtype=object)
    for pos, column, reason in failures:
        values = _raw_text(frame[column], pos)
        template = _MESSAGES[reason]
        parts.append(
            pd.DataFrame(
                {
                    "row": rows[pos],
                    "case_id": case_text[pos],
                    "column": column,
                    "reason": str(reason),
                    "value": values,
                    "message": [template.format(column=column, value=v) for v in values],
                }
            )
        )
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["row", "column"], kind="stable", ignore_index=True)[REJECT_COLUMNS]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=np.int64 if c == "row" else object) for c in REJECT_COLUMNS}
    )


def _duplicates(
    frame: pd.DataFrame, candidates: np.ndarray, rows: np.ndarray, case_ids: pd.Series
) -> tuple[np.ndarray, pd.DataFrame]:
    """Exact copies of an earlier event (all columns equal) among the candidate positions.

    Returns their positions and their rejects rows.
    """
    dup = frame.iloc[candidates].duplicated(keep=False).to_numpy()
    if not dup.any():
        return np.empty(0, dtype=np.int64), _empty()
    pos = candidates[dup]
    copies = frame.iloc[pos]
    group = copies.groupby(list(copies.columns), dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(pos).groupby(group).transform("min").to_numpy()
    later = pos != first
    pos, first = pos[later], first[later]
    table = pd.DataFrame(
        {
            "row": rows[pos],
            "case_id": case_ids.to_numpy(dtype=object)[pos],
            "column": "(event)",
            "reason": str(_R.DUPLICATE_EVENT),
            "value": "",
            "message": [f"repeats row {r} exactly; the first copy is kept" for r in rows[first]],
        }
    )
    return pos, table


def _incomplete(
    incomplete: np.ndarray, bad_rows: pd.Series, case_ids: pd.Series, rows: np.ndarray
) -> pd.DataFrame:
    """Rejects rows of the events whose case has a rejected event (``bad_rows``: the
    rejected events' row numbers, indexed by case id)."""
    ids = case_ids.to_numpy(dtype=object)
    listed = (
        bad_rows.sort_values()
        .groupby(level=0)
        .agg(  # one string per broken case (few)
            lambda r: ", ".join(str(x) for x in r.iloc[:5]) + (" ..." if len(r) > 5 else "")
        )
    )
    pos = np.flatnonzero(incomplete)
    where = listed.reindex(ids[pos]).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "row": rows[pos],
            "case_id": ids[pos],
            "column": "(case)",
            "reason": str(_R.INCOMPLETE_CASE),
            "value": "",
            "message": [
                f"case {c} has rejected events (rows {w}); a case is rolled up from all its "
                "events or not at all: fix those and read the log again"
                for c, w in zip(ids[pos], where, strict=True)
            ],
        }
    )


def _case_rejects_by_event(
    case_rejects: pd.DataFrame, event_case: np.ndarray, rows: np.ndarray
) -> pd.DataFrame:
    """Each rejected case's problems, once per event of the case (``rows``: the events' rows)."""
    events = pd.DataFrame({"event_row": rows, "case_pos": event_case})
    problems = case_rejects.assign(case_pos=case_rejects["row"].to_numpy() - 1).drop(columns="row")
    out = events.merge(problems, on="case_pos", how="inner").rename(columns={"event_row": "row"})
    message = out["message"].str.replace(
        "the column map's [channel] table", "the preset's [channel] table", regex=False
    )
    out["message"] = "case " + out["case_id"].astype(str) + ": " + message
    return out[REJECT_COLUMNS]


def _malformed_cases(malformed: pd.DataFrame, at: int, spec: EventLogSpec) -> pd.DataFrame:
    """The reader's malformed lines with the case id read from the line where it can be."""
    if not len(malformed):
        return malformed
    delimiter = spec.delimiter

    def case_of(line) -> str | None:
        if not isinstance(line, str):
            return None
        fields = next(csv.reader([line], delimiter=delimiter or _sniff_delimiter(line)), [])
        value = fields[at].strip() if len(fields) > at else ""
        return value or None

    return malformed.assign(case_id=[case_of(v) for v in malformed["value"]])  # a few lines


def _spec(preset, options: dict) -> EventLogSpec:
    if preset is None:
        spec = EventLogSpec()
    elif isinstance(preset, EventLogSpec):
        spec = preset
    elif isinstance(preset, str | Path):
        spec = load_preset(preset)
    else:
        raise SchemaError(
            "The 'preset' parameter must be a path to a TOML preset, an EventLogSpec or None. "
            f"Got {type(preset).__name__} instead."
        )
    return spec.with_options(**options)


def _read(source, spec: EventLogSpec) -> RawTable:
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True)
        return RawTable(frame, np.arange(1, len(frame) + 1), _empty(), None)
    path = Path(source)
    if is_xes(path):
        frame = read_xes(path)
        return RawTable(frame, np.arange(1, len(frame) + 1), _empty(), str(path))
    return read_raw(path, encoding=spec.encoding, delimiter=spec.delimiter)


def read_event_log(
    source: str | Path | pd.DataFrame,
    preset: str | Path | EventLogSpec | None = None,
    *,
    case: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
    resource: str | None = None,
    start_activities: str | Sequence[str] | None = None,
    end_activities: str | Sequence[str] | None = None,
    supplement_activities: str | Sequence[str] | None = None,
    handler_activity: str | Sequence[str] | None = None,
    case_attributes: Mapping[str, str] | None = None,
    constants: Mapping[str, str] | None = None,
    channel: Mapping[str, str] | None = None,
    tz: str | None = None,
    dayfirst: bool | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> EventLogData:
    """Read an event log, roll it up to cases and validate them; bad events go to ``.rejects``.

    Parameters
    ----------
    source : str, Path or DataFrame
        ``.xes`` / ``.xes.gz``, a CSV (``.csv``, ``.csv.gz``, ...), Parquet or
        ``.xlsx`` file with one row per event, or a DataFrame of events.
    preset : path or EventLogSpec, optional
        A TOML preset (see :func:`~integrity_signals.events.load_preset` and
        ``examples/presets/``). Without one, the XES standard names are used
        (``case:concept:name``, ``concept:name``, ``time:timestamp``,
        ``org:resource`` when present).
    case, activity, timestamp, resource, start_activities, end_activities, \
supplement_activities, handler_activity, case_attributes, constants, channel, tz, \
dayfirst, encoding, delimiter
        Override the preset's values (see :class:`~integrity_signals.events.EventLogSpec`).

    Returns
    -------
    EventLogData
        ``.cases`` (one row per valid case, canonical columns plus the
        roll-up's extra ones), ``.rejects`` (one row per rejected event and
        problem) and the event counts.

    Raises
    ------
    SchemaError
        The file is missing or unreadable, a named column is absent, or no
        event has one of the named activities of a role.

    Examples
    --------
    >>> import integrity_signals as isig
    >>> data = isig.read_event_log("receipt.xes.gz", "examples/presets/wabo.toml")  # doctest: +SKIP
    >>> print(data.summary())  # doctest: +SKIP
    receipt.xes.gz: 8,577 events in, 8,573 in 1,432 cases (105 open), 4 rejected
    """
    options = {
        "case": case, "activity": activity, "timestamp": timestamp, "resource": resource,
        "start_activities": start_activities, "end_activities": end_activities,
        "supplement_activities": supplement_activities, "handler_activity": handler_activity,
        "case_attributes": case_attributes, "constants": constants, "channel": channel, "tz": tz,
        "dayfirst": dayfirst, "encoding": encoding, "delimiter": delimiter,
    }  # fmt: skip
    spec = _spec(preset, options)
    raw = _read(source, spec)
    frame = raw.frame
    if preset is None and resource is None and _XES_RESOURCE in frame.columns:
        spec = replace(spec, resource=_XES_RESOURCE)  # the XES standard name, when present
    check_event_columns(frame.columns, spec)
    n, rows = len(frame), raw.row_numbers
    parsed, stamps, failures = _event_failures(frame, spec)
    case_ids = parsed["case"]
    bad = np.zeros(n, dtype=bool)
    for pos, _, _ in failures:
        bad[pos] = True
    malformed = _malformed_cases(raw.malformed, list(frame.columns).index(spec.case), spec)
    tables = [malformed, failure_table(frame, failures, rows, spec)]
    copies, table = _duplicates(frame, np.flatnonzero(~bad), rows, case_ids)
    tables.append(table)
    # a case with a rejected event is not rolled up: its other events go too
    bad_rows = pd.concat([
        pd.Series(rows[bad], index=case_ids[bad].to_numpy(dtype=object)),
        pd.Series(malformed["row"].to_numpy(), index=malformed["case_id"].to_numpy(dtype=object)),
    ])  # fmt: skip
    bad_rows = bad_rows[bad_rows.index.notna()]
    incomplete = ~bad & case_ids.isin(bad_rows.index).to_numpy()
    incomplete[copies] = False
    if incomplete.any():
        tables.append(_incomplete(incomplete, bad_rows, case_ids, rows))
    keep = ~bad & ~incomplete
    keep[copies] = False
    keep = np.flatnonzero(keep)
    if keep.size:
        attributes = {k: frame[v].iloc[keep] for k, v in spec.case_attributes.items()}
        resources = parsed["resource"].iloc[keep] if spec.resource is not None else None
        cases, event_case = roll_up(
            case_ids.iloc[keep], parsed["activity"].iloc[keep], stamps[keep], resources,
            attributes, spec,
        )  # fmt: skip
        valid, case_rejects, mapping = validate_table(
            cases, CASE_SCHEMA, columns=ColumnMap({}, spec.channel),
            dayfirst=spec.dayfirst, tz=spec.tz,
        )  # fmt: skip
        if len(case_rejects):
            tables.append(_case_rejects_by_event(case_rejects, event_case, rows[keep]))
        in_cases = int(np.isin(event_case, valid.index.to_numpy()).sum())
    else:
        valid = pd.DataFrame(columns=CASE_SCHEMA.required)
        mapping, in_cases = {}, 0
    rejects = pd.concat([t for t in tables if len(t)] or [_empty()], ignore_index=True)
    rejects = rejects.sort_values(["row", "column"], kind="stable", ignore_index=True)
    return EventLogData(
        valid, rejects[REJECT_COLUMNS], raw.n_input, mapping, raw.source,
        n_events_in_cases=in_cases, spec=spec,
    )  # fmt: skip
