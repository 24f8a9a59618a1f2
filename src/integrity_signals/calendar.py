"""Working-day calendar: durations in working days, the unit of Vietnamese statutory deadlines.

Built on the ``holidays`` package (Vietnam: New Year, Tết, Hùng Kings, 30/4,
1/5, 2/9, with the official substituted days off and the make-up working
Saturdays that go with them) and numpy. Any country ``holidays`` knows works
(e.g. ``"NL"`` for Dutch municipal logs).

Durations are measured on a cumulative working-time clock ``W(t)``: the number
of working days before the day of ``t``, plus the elapsed fraction of that day
when it is a working day. ``working_days(start, end) = W(end) - W(start)``, so
a dossier received on Friday 16:30 and returned on Monday 08:00 took
``(1 - 16.5/24) + 8/24 = 0.65`` working days, and time on weekends and holidays
does not count. With ``office_hours=("07:30", "17:00")`` the day fraction runs
over office hours only.
"""

from __future__ import annotations

import datetime as _dt

import holidays as _holidays
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

__all__ = ["WorkCalendar"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _as_datetime64(values) -> tuple[np.ndarray, pd.Index | None]:
    """Any datetime-like input to a datetime64[ns] array (plus the Series index, if any)."""
    index = values.index if isinstance(values, pd.Series) else None
    if isinstance(values, pd.Series | pd.Index) and getattr(values.dtype, "tz", None) is not None:
        values = (
            values.dt.tz_localize(None)
            if isinstance(values, pd.Series)
            else values.tz_localize(None)
        )
    if not isinstance(values, np.ndarray | pd.Series | pd.Index):
        values = pd.to_datetime(
            pd.Series(np.atleast_1d(np.asarray(values, dtype=object))), format="ISO8601"
        )
    arr = np.asarray(values)
    return np.atleast_1d(arr.astype("datetime64[ns]")), index


def _day_list(values, name: str) -> np.ndarray:
    try:
        days = pd.to_datetime(list(values)).values.astype("datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"The {name!r} parameter of WorkCalendar must be a list of dates. Got {values!r} instead."
        ) from exc
    return np.unique(days)


def _minutes(text: str, name: str) -> int:
    try:
        t = _dt.time.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"The 'office_hours' parameter of WorkCalendar must be a pair of 'HH:MM' times. "
            f"Got {name}={text!r} instead."
        ) from exc
    return t.hour * 60 + t.minute


class WorkCalendar(BaseEstimator):
    """Working days of a country, with configurable week and extra days.

    Parameters
    ----------
    country : str, default "VN"
        ISO country code known to the ``holidays`` package.
    subdivision : str, optional
        Province / state code for regional holidays, where ``holidays`` has them.
    weekmask : str, default "Mon Tue Wed Thu Fri"
        Working weekdays, as in :func:`numpy.busday_count` ("1111100" also works).
    extra_holidays : list of dates, optional
        Further days off (a provincial closure, a declared bridge day).
    extra_workdays : list of dates, optional
        Make-up working days (e.g. a Saturday worked in exchange for a bridge
        day). The official ones that ``holidays`` knows are included already.
    office_hours : (str, str), optional
        Opening and closing time, e.g. ``("07:30", "17:00")``. When set, the
        fraction of a working day is counted over office hours; by default the
        whole day counts.

    Examples
    --------
    >>> cal = WorkCalendar()
    >>> float(cal.working_days("2025-01-24 08:00", "2025-02-03 08:00")[0])  # Tết 2025 closed
    1.0
    >>> round(float(cal.working_days("2025-03-07 16:30", "2025-03-10 08:00")[0]), 3)  # Fri -> Mon
    0.646
    """

    def __init__(
        self,
        country: str = "VN",
        *,
        subdivision: str | None = None,
        weekmask: str = "Mon Tue Wed Thu Fri",
        extra_holidays=(),
        extra_workdays=(),
        office_hours: tuple[str, str] | None = None,
    ):
        self.country = country
        self.subdivision = subdivision
        self.weekmask = weekmask
        self.extra_holidays = extra_holidays
        self.extra_workdays = extra_workdays
        self.office_hours = office_hours

    # ---------------------------------------------------------------- building
    def _weekmask_bool(self) -> np.ndarray:
        mask = self.weekmask
        if isinstance(mask, str) and len(mask) == 7 and set(mask) <= {"0", "1"}:
            out = np.array([c == "1" for c in mask])
        elif isinstance(mask, str) and set(mask.split()) <= set(_WEEKDAYS) and mask.split():
            out = np.array([d in mask.split() for d in _WEEKDAYS])
        else:
            raise ValueError(
                "The 'weekmask' parameter of WorkCalendar must be weekday names such as "
                f"'Mon Tue Wed Thu Fri' or seven 0/1 digits. Got {mask!r} instead."
            )
        if not out.any():
            raise ValueError("The 'weekmask' parameter of WorkCalendar has no working day.")
        return out

    def _official(self, years: range):
        try:
            table = _holidays.country_holidays(
                self.country, subdiv=self.subdivision, years=list(years)
            )
        except NotImplementedError as exc:
            raise ValueError(
                f"The 'country' parameter of WorkCalendar must be a country the holidays package "
                f"knows (e.g. 'VN', 'NL'). Got {self.country!r} instead ({exc})."
            ) from exc
        swaps = getattr(table, "weekend_workdays", set())
        workdays = [d for d in swaps if d.year in years]
        return table, workdays

    def _build(self, first_year: int, last_year: int) -> None:
        years = range(first_year, last_year + 1)
        mask = self._weekmask_bool()
        table, official_workdays = self._official(years)
        extra_off = _day_list(self.extra_holidays, "extra_holidays")
        extra_on = _day_list(self.extra_workdays, "extra_workdays")
        both = np.intersect1d(extra_off, extra_on)
        if both.size:
            raise ValueError(
                "The 'extra_holidays' and 'extra_workdays' parameters of WorkCalendar share "
                f"{[str(d) for d in both]}; a day cannot be both."
            )
        days = np.arange(
            np.datetime64(f"{first_year}-01-01"), np.datetime64(f"{last_year + 1}-01-01")
        )
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        work = mask[weekday]
        official_off = np.array(sorted(table.keys()), dtype="datetime64[D]")
        work[np.isin(days, official_off)] = False
        work[np.isin(days, np.array(sorted(official_workdays), dtype="datetime64[D]"))] = True
        work[np.isin(days, extra_off)] = False
        work[np.isin(days, extra_on)] = True
        self._span = (first_year, last_year)
        self._workdays = days[work]
        # dense tables over the span: workdays before each day, and whether it is one
        self._first_day = int(days[0].astype(np.int64))
        self._before = np.concatenate([[0], np.cumsum(work)[:-1]]).astype(np.float64)
        self._is_work = work
        self._names = {np.datetime64(d, "D"): name for d, name in table.items()}

    def _ensure(self, days: np.ndarray) -> None:
        valid = days[~np.isnat(days)]
        if valid.size == 0:
            lo = hi = 2000
        else:
            lo = int(valid.min().astype("datetime64[Y]").astype(int)) + 1970 - 1
            hi = int(valid.max().astype("datetime64[Y]").astype(int)) + 1970 + 1
        span = getattr(self, "_span", None)
        if span is None or lo < span[0] or hi > span[1]:
            if span is not None:
                lo, hi = min(lo, span[0]), max(hi, span[1])
            self._build(lo, hi)

    # ---------------------------------------------------------------- queries
    def _fraction(self, ts: np.ndarray, days: np.ndarray) -> np.ndarray:
        minutes = (ts.view(np.int64) - days.astype("datetime64[ns]").view(np.int64)) / 6e10
        if self.office_hours is None:
            return minutes / 1440.0
        open_, close = (
            _minutes(t, n) for t, n in zip(self.office_hours, ("open", "close"), strict=True)
        )
        if close <= open_:
            raise ValueError(
                "The 'office_hours' parameter of WorkCalendar must open before it closes. "
                f"Got {self.office_hours!r} instead."
            )
        return np.clip((minutes - open_) / (close - open_), 0.0, 1.0)

    def working_clock(self, when) -> np.ndarray:
        """The cumulative working-time clock ``W(t)`` (in working days since the calendar's start).

        Differences of the clock are working-day durations; NaT gives NaN.
        """
        ts, _ = _as_datetime64(when)
        days = ts.astype("datetime64[D]")
        self._ensure(days)
        missing = np.isnat(ts)
        idx = np.where(missing, 0, days.astype(np.int64) - self._first_day)  # a dense lookup
        is_work = self._is_work[idx]
        clock = self._before[idx] + np.where(is_work, self._fraction(ts, days), 0.0)
        return np.where(missing, np.nan, clock)

    def working_days(self, start, end):
        """Working days from ``start`` to ``end``, fractional, over whole columns.

        Parameters
        ----------
        start, end : datetime-like scalars, arrays or Series (broadcast together)

        Returns
        -------
        numpy.ndarray or pandas.Series
            Float working days (negative when ``end`` is before ``start``; NaN where
            either is missing). A Series when ``start`` is one, on its index.
        """
        s, index = _as_datetime64(start)
        e, _ = _as_datetime64(end)
        out = self.working_clock(e) - self.working_clock(s)
        return pd.Series(out, index=index, name="working_days") if index is not None else out

    def is_workday(self, when) -> np.ndarray:
        """Whether each date is a working day (NaT gives False)."""
        ts, _ = _as_datetime64(when)
        days = ts.astype("datetime64[D]")
        self._ensure(days)
        at = np.minimum(np.searchsorted(self._workdays, days), len(self._workdays) - 1)
        return (self._workdays[at] == days) & ~np.isnat(days)

    def add_working_days(self, start, n) -> np.ndarray:
        """The date ``n`` whole working days after the day of ``start`` (deadline arithmetic).

        A deadline of ``n`` working days for a dossier received on day ``d`` ends on
        the ``n``-th working day after ``d`` (the receiving day itself does not count).
        """
        ts, _ = _as_datetime64(start)
        n = np.broadcast_to(np.asarray(n, dtype=np.float64), ts.shape)
        days = ts.astype("datetime64[D]")
        whole = np.ceil(np.nan_to_num(n, nan=0.0)).astype(np.int64)
        reach = np.timedelta64(2 * int(whole.max(initial=0)) + 30, "D")  # covers any closure
        self._ensure(np.concatenate([days, days + reach]))
        pos = np.searchsorted(self._workdays, days, side="right") - 1 + whole
        out = self._workdays[np.clip(pos, 0, len(self._workdays) - 1)]
        out = np.where(whole == 0, days, out).astype("datetime64[ns]")
        return np.where(np.isnat(days) | np.isnan(n), np.datetime64("NaT", "ns"), out)

    def holidays(self, start, end) -> pd.Series:
        """Non-working days between two dates that are not weekend days, with their names."""
        lo, hi = np.datetime64(pd.Timestamp(start), "D"), np.datetime64(pd.Timestamp(end), "D")
        self._ensure(np.array([lo, hi]))
        days = np.arange(lo, hi + 1)
        mask = self._weekmask_bool()[(days.astype(np.int64) + 3) % 7]
        off = days[mask & ~np.isin(days, self._workdays)]
        names = [self._names.get(d, "extra holiday") for d in off]
        return pd.Series(names, index=pd.DatetimeIndex(off, name="date"), name="holiday")
