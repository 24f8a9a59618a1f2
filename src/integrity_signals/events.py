"""Event logs: one row per step of a dossier, rolled up to one row per case.

Many case-management systems, and every process-mining tool, keep one row per
step (received, assigned, more documents requested, decided, returned) rather
than one row per dossier. :func:`cases_from_events` rolls such a log up to the
canonical case table of :data:`~integrity_signals.CASE_SCHEMA`; an
:class:`EventLogSpec` (usually read from a TOML preset with
:func:`load_preset`) says which event column and which activities play which
role. :func:`~integrity_signals.read_event_log` reads CSV and XES files with
the same quarantine as :func:`~integrity_signals.read_cases`.

The roll-up, case by case (events in time order; ties broken by activity,
resource and attribute values, so the input's row order never matters):

- ``submitted_at``: the first event of a start activity; the case's first
  event when no start activity is named or the case has none
  (``start_found`` says which).
- ``completed_at``: the last event of an end activity. A case without one is
  open (``NaT``), not dropped. Without ``end_activities`` the last event.
- ``handler_id``: the resource of the last event of ``handler_activity``
  (``handler_by_activity``), else the case's most frequent resource (ties: the
  one that acted first).
- ``receiver_id``: the resource of the first start-activity event (only when
  ``start_activities`` are named).
- ``supplement_requests``: events of the ``supplement_activities``.
- any other column from ``case_attributes`` (``{canonical or extra name:
  event column}``): the first non-empty value in time order; from
  ``constants``: one value for every case. Both may also replace the derived
  columns above.
- extra columns: ``n_events``; ``n_officers`` (distinct resources);
  ``handovers`` (consecutive events by different resources); ``rework``
  (events repeating an activity already done in the case, i.e. loops);
  ``last_activity``.

Everything is computed with sorts and counts over integer codes: no Python
loop over events or cases.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .exceptions import SchemaError
from .parsing import parse_datetimes, parse_ids
from .schema import CASE_SCHEMA, RejectReason

__all__ = [
    "EVENT_EXTRA_COLUMNS",
    "EventLogSpec",
    "cases_from_events",
    "load_preset",
    "roll_up",
]

#: Extra columns every roll-up adds (besides ``start_found`` / ``handler_by_activity``).
EVENT_EXTRA_COLUMNS = ("n_events", "n_officers", "handovers", "rework", "last_activity")

#: Canonical columns the roll-up derives from the events themselves.
_DERIVED = ("case_id", "submitted_at", "completed_at", "handler_id", "receiver_id",
            "supplement_requests")  # fmt: skip
_ROLES = ("start_activities", "end_activities", "supplement_activities", "handler_activity")
_NAT = np.iinfo(np.int64).min


def _as_names(value, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SchemaError(
        f"The {name!r} parameter must be an activity name or a list of them. Got {value!r} instead."
    )


def _as_table(value, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise SchemaError(
            f"The {name!r} parameter must map names to text, e.g. "
            f"{{'handler_id': 'case:responsible'}}. Got {value!r} instead."
        )
    return dict(value)


@dataclass(frozen=True)
class EventLogSpec:
    """Which event column and which activities play which role in the roll-up.

    Parameters
    ----------
    case, activity, timestamp : str
        Event columns of the case id, the activity name and the time stamp.
        The defaults are the XES standard names (also those of pm4py's CSV export).
    resource : str or None
        Event column of the officer who did the step (None: no resource).
        :func:`~integrity_signals.read_event_log` without a preset uses
        ``org:resource`` when the log has it.
    start_activities, end_activities, supplement_activities : list of str
        Activities that receive a dossier, return its result, and ask the
        applicant for more documents.
    handler_activity : str or list of str
        Activity whose resource is the handling officer (default: the case's
        most frequent resource).
    case_attributes : dict
        ``{output column: event column}``: canonical columns (``due_at``,
        ``fee_charged``, ``channel``, ``procedure_id``...) or extra ones, taken
        from the first event of the case that has a value.
    constants : dict
        ``{output column: value}`` set on every case (a log of one procedure
        or one office has no column for it).
    channel : dict
        Extra spellings of the channel values (``{"Intern": "in_person"}``).
    tz : str
        Time zone that time stamps with an offset are converted to.
    dayfirst : bool
        ``03/04/2025`` is 3 April when True.
    calendar : dict
        :class:`~integrity_signals.WorkCalendar` parameters for this log (e.g.
        ``{"country": "NL"}``); used by the command line and the examples.
    encoding, delimiter : str, optional
        CSV reading options.
    """

    case: str = "case:concept:name"
    activity: str = "concept:name"
    timestamp: str = "time:timestamp"
    resource: str | None = None
    start_activities: tuple[str, ...] = ()
    end_activities: tuple[str, ...] = ()
    supplement_activities: tuple[str, ...] = ()
    handler_activity: tuple[str, ...] = ()
    case_attributes: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    channel: dict[str, str] = field(default_factory=dict)
    tz: str = "Asia/Ho_Chi_Minh"
    dayfirst: bool = True
    calendar: dict = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None

    def __post_init__(self):
        for name in ("case", "activity", "timestamp"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise SchemaError(
                    f"The {name!r} parameter must name an event column. Got {value!r} instead."
                )
        if self.resource is not None and not isinstance(self.resource, str):
            raise SchemaError(
                f"The 'resource' parameter must name an event column or be None. "
                f"Got {self.resource!r} instead."
            )
        for name in _ROLES:
            object.__setattr__(self, name, _as_names(getattr(self, name), name))
        for name in ("case_attributes", "constants", "channel"):
            object.__setattr__(self, name, _as_table(getattr(self, name), name))
        clash = sorted(set(self.case_attributes) & set(self.constants))
        if clash:
            raise SchemaError(
                f"{clash} are set both from an event column (case_attributes) and as a constant; "
                "keep one of the two."
            )
        taken = {**self.case_attributes, **self.constants}
        for column, role in (
            ("handler_id", "handler_activity"),
            ("supplement_requests", "supplement_activities"),
        ):
            if column in taken and getattr(self, role):
                raise SchemaError(
                    f"{column} is given both by {role} and by case_attributes/constants; "
                    "keep one of the two."
                )
        if "case_id" in taken:
            raise SchemaError(
                "case_id comes from the 'case' event column; remove it from "
                "case_attributes/constants."
            )
        if not isinstance(self.dayfirst, bool):
            raise SchemaError(f"The 'dayfirst' parameter must be a bool. Got {self.dayfirst!r}.")
        if not isinstance(self.calendar, Mapping):
            raise SchemaError(f"The 'calendar' parameter must be a table. Got {self.calendar!r}.")

    @property
    def event_columns(self) -> list[str]:
        """The event columns the roll-up reads, without repeats."""
        cols = [self.case, self.activity, self.timestamp]
        if self.resource is not None:
            cols.append(self.resource)
        cols += list(self.case_attributes.values())
        return list(dict.fromkeys(cols))

    def with_options(self, **options) -> EventLogSpec:
        """A copy with the given fields replaced (None values are ignored)."""
        given = {k: v for k, v in options.items() if v is not None}
        unknown = sorted(set(given) - {f.name for f in fields(self)})
        if unknown:
            raise TypeError(f"unknown event-log options {unknown}")
        return replace(self, **given)


# --------------------------------------------------------------------------- presets

#: TOML tables of a preset and the spec fields they hold.
_PRESET_TABLES = {
    "events": ("case", "activity", "timestamp", "resource", *_ROLES),
    "reader": ("tz", "dayfirst", "encoding", "delimiter"),
}
_PRESET_MAPS = ("case_attributes", "constants", "channel", "calendar")


def _unknown(keys, known, where: str, path) -> None:
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise SchemaError(
                f"Unknown key {key!r} in {where} of the preset {str(path)!r}.{hint} "
                f"Known: {', '.join(known)}.",
                code="preset_unknown_key",
                params={"path": str(path), "key": key, "where": where, "known": list(known),
                        "close": close[0] if close else None},
            )  # fmt: skip


def load_preset(path: str | Path) -> EventLogSpec:
    """Read an event-log preset (TOML) into an :class:`EventLogSpec`.

    A preset has the tables ``[events]`` (column names and activity roles),
    ``[case_attributes]``, ``[constants]``, ``[channel]``, ``[reader]`` (``tz``,
    ``dayfirst``, ``encoding``, ``delimiter``) and ``[calendar]``
    (:class:`~integrity_signals.WorkCalendar` parameters). See
    ``examples/presets/`` for the three shared public logs.

    Examples
    --------
    >>> spec = load_preset("examples/presets/fines.toml")  # doctest: +SKIP
    >>> spec.end_activities  # doctest: +SKIP
    ('Send Fine', 'Payment')
    """
    path = Path(path)
    if not path.is_file():
        raise SchemaError(
            f"Event-log preset {str(path)!r} does not exist.",
            code="preset_missing",
            params={"path": str(path)},
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(
            f"Event-log preset {str(path)!r} is not valid TOML: {exc}.",
            code="preset_invalid",
            params={"path": str(path), "detail": str(exc)},
        ) from None
    _unknown(raw, [*_PRESET_TABLES, *_PRESET_MAPS], "the top level", path)
    options: dict = {}
    for table, keys in _PRESET_TABLES.items():
        values = raw.get(table, {})
        if not isinstance(values, dict):
            raise SchemaError(f"[{table}] in the preset {str(path)!r} must be a table.")
        _unknown(values, keys, f"[{table}]", path)
        options.update(values)
    for table in _PRESET_MAPS:
        if table in raw:
            if not isinstance(raw[table], dict):
                raise SchemaError(f"[{table}] in the preset {str(path)!r} must be a table.")
            options[table] = raw[table]
    try:
        return EventLogSpec(**options)
    except SchemaError as exc:
        raise SchemaError(f"Event-log preset {str(path)!r}: {exc}") from None


# --------------------------------------------------------------------------- checks


def check_event_columns(headers, spec: EventLogSpec) -> None:
    """A :class:`SchemaError` naming the first event column of ``spec`` the table lacks."""
    headers = [str(h) for h in headers]
    roles = [("case", spec.case), ("activity", spec.activity), ("timestamp", spec.timestamp)]
    if spec.resource is not None:
        roles.append(("resource", spec.resource))
    roles += [(f"case_attributes[{k!r}]", v) for k, v in spec.case_attributes.items()]
    for role, column in roles:
        if column not in headers:
            close = difflib.get_close_matches(column, headers, n=1, cutoff=0.5)
            hint = f" Closest header: {close[0]!r}." if close else ""
            raise SchemaError(
                f"The event column {column!r} ({role}) is not in the log. Headers found: "
                f"{', '.join(repr(h) for h in headers)}.{hint} Set {role} to the right header "
                "(an argument, or the preset's [events] / [case_attributes] table).",
                code="event_column_missing",
                params={"column": column, "role": role, "headers": headers,
                        "close": close[0] if close else None},
            )  # fmt: skip


def _check_roles(spec: EventLogSpec, activities: pd.Index) -> None:
    """Every named activity role must match at least one activity of the log."""
    present = set(activities)
    for role in _ROLES:
        names = getattr(spec, role)
        if names and not present.intersection(names):
            close = difflib.get_close_matches(names[0], [str(a) for a in activities], n=1)
            hint = f" Closest activity: {close[0]!r}." if close else ""
            raise SchemaError(
                f"None of the {role} {list(names)} occurs in the log ({len(present)} activities"
                f", e.g. {', '.join(repr(a) for a in list(activities)[:5])}).{hint} "
                f"Correct {role}.",
                code="activities_absent",
                params={"role": role, "names": list(names), "n": len(present),
                        "examples": [str(a) for a in list(activities)[:5]],
                        "close": close[0] if close else None},
            )  # fmt: skip


# --------------------------------------------------------------------------- roll-up


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes in sorted order of the distinct values (-1 = missing): independent of row order."""
    try:
        codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    except TypeError:  # mixed types: compare as text
        text = values.astype("string")
        codes, uniques = pd.factorize(text, sort=True, use_na_sentinel=True)
    return codes.astype(np.int64), pd.Index(uniques)


def _present(values: pd.Series) -> np.ndarray:
    """Non-empty values: not missing and not blank text."""
    mask = values.notna().to_numpy()
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        text = values if isinstance(values.dtype, pd.StringDtype) else values.astype("string")
        mask = mask & (text.str.strip() != "").fillna(False).to_numpy(dtype=bool)
    return mask


def _first_rows(rows: np.ndarray, case: np.ndarray, n_cases: int, last: bool = False) -> np.ndarray:
    """Per case, the first (or last) of ``rows`` (positions in case-sorted order); -1 if none."""
    out = np.full(n_cases, -1, dtype=np.int64)
    if rows.size:
        owner = case[rows]
        edge = (
            np.r_[owner[1:] != owner[:-1], True] if last else np.r_[True, owner[1:] != owner[:-1]]
        )
        out[owner[edge]] = rows[edge]
    return out


def _ids(uniques: pd.Index, codes: np.ndarray) -> np.ndarray:
    table = np.append(np.asarray(uniques, dtype=object), None)
    return table[codes]  # -1 picks the trailing None


def _time_order(c: np.ndarray, ts: np.ndarray, a: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Rows sorted by case, time, activity and resource: one sort of a composite key
    (time stamps as dense ranks) where it fits in 62 bits, else a lexsort."""
    if not len(c):
        return np.zeros(0, dtype=np.int64)
    rank = np.unique(ts, return_inverse=True)[1].reshape(-1).astype(np.int64)
    sizes = [int(c.max()) + 1, int(rank.max()) + 1, int(a.max()) + 1, int(r.max()) + 2]
    if float(np.prod(np.asarray(sizes, dtype=np.float64))) >= 2.0**62:
        return np.lexsort((r, a, ts, c))
    key = ((c * sizes[1] + rank) * sizes[2] + a) * sizes[3] + (r + 1)
    return np.argsort(key, kind="stable")


def roll_up(
    case: pd.Series,
    activity: pd.Series,
    timestamp: np.ndarray,
    resource: pd.Series | None,
    attributes: Mapping[str, pd.Series],
    spec: EventLogSpec,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The case table of clean events (no missing case, activity or time stamp).

    Returns the case table (one row per distinct case id, sorted by id) and,
    for every event, the row of its case in that table.
    """
    n = len(case)
    c, case_ids = _sorted_codes(case)
    a, activities = _sorted_codes(activity)
    _check_roles(spec, activities)
    ts = np.asarray(timestamp, dtype="datetime64[ns]").view(np.int64)
    r, resources = (
        _sorted_codes(resource) if resource is not None else (np.full(n, -1, np.int64), None)
    )
    attr_names = list(attributes)
    # time order within a case; ties settled by values, never by the input's row order
    order = _time_order(c, ts, a, r)
    tied = (np.diff(c[order]) == 0) & (np.diff(ts[order]) == 0) & (np.diff(a[order]) == 0)
    tied &= np.diff(r[order]) == 0
    if attr_names and tied.any():  # identical steps at one time: their attributes decide
        attr_codes = [_sorted_codes(attributes[k])[0] for k in attr_names]
        order = np.lexsort((*reversed(attr_codes), r, a, ts, c))
    cs, as_, tss, rs = c[order], a[order], ts[order], r[order]
    n_cases = len(case_ids)
    n_events = np.bincount(cs, minlength=n_cases)
    starts = np.r_[0, np.cumsum(n_events)[:-1]]
    ends = starts + n_events - 1
    out: dict[str, object] = {"case_id": np.asarray(case_ids, dtype=object)}

    def role_rows(role: str) -> np.ndarray:
        wanted = activities.get_indexer(list(getattr(spec, role)))
        return np.flatnonzero(np.isin(as_, wanted[wanted >= 0]))

    start_row = (
        _first_rows(role_rows("start_activities"), cs, n_cases)
        if spec.start_activities
        else np.full(n_cases, -1)
    )
    first_ts = tss[starts]
    submitted = np.where(start_row >= 0, tss[np.maximum(start_row, 0)], first_ts)
    out["submitted_at"] = submitted.view("datetime64[ns]")
    if spec.end_activities:
        end_row = _first_rows(role_rows("end_activities"), cs, n_cases, last=True)
        out["completed_at"] = np.where(end_row >= 0, tss[np.maximum(end_row, 0)], _NAT).view(
            "datetime64[ns]"
        )
    else:
        out["completed_at"] = tss[ends].view("datetime64[ns]")
    if resources is not None:
        known = np.flatnonzero(rs >= 0)
        n_res = max(len(resources), 1)
        pair, first_at, counts = np.unique(cs[known] * n_res + rs[known], return_index=True,
                                           return_counts=True)  # fmt: skip
        pair_case, pair_res = pair // n_res, pair % n_res
        best = np.lexsort((known[first_at], -counts, pair_case))  # most events, then first to act
        lead = np.diff(pair_case[best], prepend=-1) != 0  # each case's first pair
        frequent = np.full(n_cases, -1, dtype=np.int64)
        frequent[pair_case[best][lead]] = pair_res[best][lead]
        handler = frequent
        if spec.handler_activity:
            rows = role_rows("handler_activity")
            by_activity = _first_rows(rows[rs[rows] >= 0], cs, n_cases, last=True)
            handler = np.where(by_activity >= 0, rs[np.maximum(by_activity, 0)], frequent)
            out["handler_by_activity"] = by_activity >= 0
        out["handler_id"] = _ids(resources, handler)
        if spec.start_activities:
            out["receiver_id"] = _ids(resources, np.where(start_row >= 0, rs[start_row], -1))
        out["n_officers"] = np.bincount(pair_case, minlength=n_cases)
        who, owner = rs[known], cs[known]  # events with a resource, in time order
        switch = (owner[1:] == owner[:-1]) & (who[1:] != who[:-1])
        out["handovers"] = np.bincount(owner[1:][switch], minlength=n_cases)
    if spec.start_activities:
        out["start_found"] = start_row >= 0
    if spec.supplement_activities:
        out["supplement_requests"] = np.bincount(
            cs[role_rows("supplement_activities")], minlength=n_cases
        )
    n_act = max(len(activities), 1)
    if n_cases * n_act <= 4 * max(n, 1):  # a (case, activity) table, cheaper than a sort
        done = np.zeros(n_cases * n_act, dtype=bool)
        done[cs * n_act + as_] = True
        distinct_steps = done.reshape(n_cases, n_act).sum(axis=1)
    else:
        distinct_steps = np.bincount(np.unique(cs * n_act + as_) // n_act, minlength=n_cases)
    out["n_events"] = n_events
    out["rework"] = n_events - distinct_steps
    out["last_activity"] = _ids(activities, as_[ends])
    for name in attr_names:
        values = attributes[name].to_numpy(dtype=object)[order]
        rows = _first_rows(np.flatnonzero(_present(attributes[name])[order]), cs, n_cases)
        out[name] = np.where(rows >= 0, values[np.maximum(rows, 0)], None)
    for name, value in spec.constants.items():
        out[name] = np.full(n_cases, value, dtype=object)
    return _ordered(pd.DataFrame(out)), c


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical columns first (schema order), then the extra ones."""
    canon = [c for c in CASE_SCHEMA.names if c in frame.columns]
    extras = [c for c in frame.columns if c not in canon]
    return frame[canon + extras]


def _event_failures(
    frame: pd.DataFrame, spec: EventLogSpec
) -> tuple[dict[str, pd.Series], np.ndarray, list]:
    """Parse the key event columns; returns (parsed columns, time stamps, failure records).

    A failure record is ``(positions, column, reason)``.
    """
    failures = []
    parsed = {}
    for role, column in (("case", spec.case), ("activity", spec.activity)):
        p = parse_ids(frame[column])
        parsed[role] = (
            p.values.to_pandas().set_axis(frame.index)
            if len(frame)
            else (pd.Series([], dtype=object))
        )
        failures.append((np.flatnonzero(p.missing), column, RejectReason.MISSING_VALUE))
    t = parse_datetimes(frame[spec.timestamp], dayfirst=spec.dayfirst, tz=spec.tz)
    failures.append((np.flatnonzero(t.missing), spec.timestamp, RejectReason.MISSING_VALUE))
    failures.append((np.flatnonzero(t.bad), spec.timestamp, RejectReason.UNPARSEABLE_DATE))
    from .validation import PLAUSIBLE_DATES

    v = t.values
    odd = ~t.missing & ~t.bad & ((v < PLAUSIBLE_DATES[0]) | (v >= PLAUSIBLE_DATES[1]))
    failures.append((np.flatnonzero(odd), spec.timestamp, RejectReason.IMPLAUSIBLE_DATE))
    if spec.resource is not None:
        p = parse_ids(frame[spec.resource])
        parsed["resource"] = (
            p.values.to_pandas().set_axis(frame.index)
            if len(frame)
            else (pd.Series([], dtype=object))
        )
    return parsed, t.values, [f for f in failures if f[0].size]


def cases_from_events(
    events: pd.DataFrame,
    *,
    case: str,
    activity: str,
    timestamp: str,
    resource: str | None = None,
    start_activities: str | Sequence[str] | None = None,
    end_activities: str | Sequence[str] | None = None,
    supplement_activities: str | Sequence[str] | None = None,
    handler_activity: str | Sequence[str] | None = None,
    case_attributes: Mapping[str, str] | None = None,
    constants: Mapping[str, str] | None = None,
    tz: str = "Asia/Ho_Chi_Minh",
    dayfirst: bool = True,
) -> pd.DataFrame:
    """Roll an event log (one row per step) up to the canonical case table.

    The rules are those of :mod:`integrity_signals.events`. Every event must
    have a case id, an activity and a readable time stamp; to quarantine the
    events that do not instead of raising, use
    :func:`~integrity_signals.read_event_log`, which also accepts a DataFrame.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per event.
    case, activity, timestamp : str
        Columns of the case id, the activity and the time stamp (datetimes, or
        text such as ``2011-10-11 13:45:40+02:00`` or ``dd/mm/yyyy HH:MM``).
    resource : str, optional
        Column of the officer who did the step.
    start_activities, end_activities, supplement_activities, handler_activity : str or list
        Activities that receive the dossier, return its result, request more
        documents, and whose resource is the handling officer.
    case_attributes : dict, optional
        ``{output column: event column}``, e.g. ``{"due_at": "case:deadline",
        "fee_charged": "amount"}``: the first non-empty value of each case.
    constants : dict, optional
        ``{output column: value}``, e.g. ``{"unit_id": "municipality"}``.
    tz : str, default "Asia/Ho_Chi_Minh"
        Time zone that time stamps with an offset are converted to.
    dayfirst : bool, default True

    Returns
    -------
    pandas.DataFrame
        One row per case, sorted by case id: the canonical columns that the
        log provides, then ``start_found``, ``handler_by_activity`` (when the
        roles are named), ``n_events``, ``n_officers``, ``handovers``,
        ``rework`` and ``last_activity``. Pass it to
        :func:`~integrity_signals.validate_cases`.

    Raises
    ------
    SchemaError
        A named column is absent, no event has a named activity, or events
        lack a case id, activity or readable time stamp (``exc.failures`` lists them).

    Examples
    --------
    >>> import pandas as pd, integrity_signals as isig
    >>> log = pd.DataFrame({
    ...     "case": ["A", "A", "A", "A", "A", "B"],
    ...     "step": ["receive", "check", "ask documents", "decide", "return", "receive"],
    ...     "at": pd.to_datetime(["2025-03-03 08:00", "2025-03-03 09:00", "2025-03-04 10:00",
    ...                           "2025-03-06 15:00", "2025-03-06 16:00", "2025-03-05 08:00"]),
    ...     "who": ["desk1", "cb7", "cb7", "cb7", "desk1", "desk1"],
    ... })
    >>> cases = isig.cases_from_events(
    ...     log, case="case", activity="step", timestamp="at", resource="who",
    ...     start_activities="receive", end_activities="return",
    ...     supplement_activities="ask documents",
    ...     constants={"procedure_id": "KS01", "unit_id": "P1"})
    >>> cases[["case_id", "handler_id", "receiver_id", "completed_at"]]
      case_id handler_id receiver_id        completed_at
    0       A        cb7       desk1 2025-03-06 16:00:00
    1       B      desk1       desk1                 NaT
    >>> cases[["supplement_requests", "n_events", "n_officers", "handovers", "rework"]]
       supplement_requests  n_events  n_officers  handovers  rework
    0                    1         5           2          2       0
    1                    0         1           1          0       0
    """
    if not isinstance(events, pd.DataFrame):
        raise SchemaError(
            f"cases_from_events expects a pandas DataFrame of events; got {type(events).__name__}. "
            "Use isig.read_event_log for CSV and XES files."
        )
    spec = EventLogSpec(
        case=case, activity=activity, timestamp=timestamp, resource=resource,
        start_activities=start_activities, end_activities=end_activities,
        supplement_activities=supplement_activities, handler_activity=handler_activity,
        case_attributes=case_attributes, constants=constants, tz=tz, dayfirst=dayfirst,
    )  # fmt: skip
    check_event_columns(events.columns, spec)
    parsed, stamps, failures = _event_failures(events, spec)
    if failures:
        from .eventlog import failure_table

        table = failure_table(events, failures, np.arange(1, len(events) + 1), spec)
        listed = "; ".join(
            f"row {r.row} {r.column}: {r.reason}" for r in table.head(5).itertuples()
        )
        raise SchemaError(
            f"{table['row'].nunique()} of {len(events)} events cannot be placed in a case "
            f"({listed}). Quarantine them with isig.read_event_log(events, ...) (it takes a "
            "DataFrame too) and use its .cases; exc.failures lists all.",
            failures=table,
        )
    attributes = {k: events[v] for k, v in spec.case_attributes.items()}
    cases, _ = roll_up(
        parsed["case"], parsed["activity"], stamps, parsed.get("resource"), attributes, spec
    )
    return cases
