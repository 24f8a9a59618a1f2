"""Time in the simulation: submission days, office hours, working-day durations to timestamps.

Durations are drawn in working days and laid on the calendar with the
working-time clock of :class:`~integrity_signals.WorkCalendar` over office
hours 07:30-17:00: a dossier received at 16:00 that takes 0.5 working days
comes back at 11:45 on the next working day, and weekends, public holidays and
the Tết closure do not count.
"""

from __future__ import annotations

import numpy as np

from ..calendar import WorkCalendar

__all__ = [
    "NS_PER_S",
    "OFFICE_CLOSE",
    "OFFICE_HOURS",
    "OFFICE_OPEN",
    "completion_times",
    "draw_submissions",
    "next_day_off",
    "stamp_completions",
]

OFFICE_HOURS = ("07:30", "17:00")
OFFICE_OPEN = 7 * 3600 + 30 * 60  # seconds after midnight
OFFICE_CLOSE = 17 * 3600
NS_PER_S = 10**9
_DAY_NS = 86_400 * NS_PER_S

#: Relative volume by month (pre-Tết rush in January, quiet February, busy year end).
SEASON = np.array([1.2, 0.85, 1.0, 1.0, 1.0, 0.95, 0.9, 0.95, 1.05, 1.1, 1.1, 1.15])
#: Relative volume by weekday, Monday first (make-up Saturdays are quieter).
WEEKDAY = np.array([1.15, 1.05, 1.0, 1.0, 0.9, 0.7, 0.7])


def _surges(workdays: np.ndarray) -> np.ndarray:
    """Factor on each working day's volume: a rush before, and a backlog after, long closures."""
    factor = np.ones(workdays.size)
    gaps = np.flatnonzero(np.diff(workdays).astype(np.int64) > 4)  # Tết and other long closures
    for g in gaps:
        factor[max(0, g - 9) : g + 1] *= 1.35
        factor[g + 1 : g + 6] *= 1.15
    return factor


def draw_submissions(
    start: np.datetime64, end: np.datetime64, n: int, cal: WorkCalendar, rng: np.random.Generator
) -> np.ndarray:
    """``n`` submission times (datetime64[ns]) on working days, in office hours, with seasons.

    Mornings are busier than afternoons; the counter closes for lunch 11:30-13:30.
    """
    days = np.arange(start, end, dtype="datetime64[D]")
    workdays = days[cal.is_workday(days)]
    month = workdays.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (workdays.astype(np.int64) + 3) % 7
    weight = SEASON[month] * WEEKDAY[weekday] * _surges(workdays)
    day = workdays[rng.choice(workdays.size, n, p=weight / weight.sum())]
    morning = rng.random(n) < 0.62
    seconds = np.where(
        morning,
        rng.integers(OFFICE_OPEN, 11 * 3600 + 30 * 60, n),
        rng.integers(13 * 3600 + 30 * 60, OFFICE_CLOSE, n),
    )
    return day.astype("datetime64[ns]") + seconds.astype("timedelta64[s]")


def office_fraction(times: np.ndarray) -> np.ndarray:
    """Elapsed share of the office day (07:30 = 0, 17:00 = 1) at each time."""
    seconds = (times - times.astype("datetime64[D]")).astype("timedelta64[s]").astype(np.int64)
    return (seconds - OFFICE_OPEN) / (OFFICE_CLOSE - OFFICE_OPEN)


def completion_times(submitted: np.ndarray, duration: np.ndarray, cal: WorkCalendar) -> np.ndarray:
    """The time ``duration`` working days (office hours) after each submission, to the second.

    The inverse of ``cal.working_days`` with ``office_hours=("07:30", "17:00")``
    for submissions in office hours.
    """
    clock = office_fraction(submitted) + duration
    whole = np.floor(clock)
    day = cal.add_working_days(submitted, whole)
    seconds = OFFICE_OPEN + np.floor((clock - whole) * (OFFICE_CLOSE - OFFICE_OPEN))
    out = day + seconds.astype(np.int64).astype("timedelta64[s]")
    return np.maximum(out, submitted)  # a zero duration ends where it began


def next_day_off(days: np.ndarray, cal: WorkCalendar, horizon: int = 14) -> np.ndarray:
    """The first non-working day after each day (weekend or holiday), as datetime64[D]."""
    days = np.asarray(days, dtype="datetime64[D]")
    ahead = days[:, None] + np.arange(1, horizon + 1)
    off = ~cal.is_workday(ahead.ravel()).reshape(ahead.shape)
    first = np.argmax(off, axis=1)  # every week has a weekend, so one is always found
    return ahead[np.arange(days.size), first]


def _at(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[ns]") + seconds.astype("timedelta64[s]")


def stamp_completions(
    submitted: np.ndarray,
    duration: np.ndarray,
    *,
    overtime: np.ndarray,
    saturday: np.ndarray,
    off_book: np.ndarray,
    weekend_ok: np.ndarray,
    cal: WorkCalendar,
    rng: np.random.Generator,
) -> np.ndarray:
    """Completion timestamps, honest after-hours stamps and off-book ones included.

    Parameters
    ----------
    submitted, duration : arrays
        Submission times and durations in working days.
    overtime : float array
        Chance that an honest completion is stamped 17:00-19:00 (officers staying late).
    saturday : bool array
        The dossier's unit runs a Saturday-morning return desk: a share of Friday
        completions are handed over on Saturday morning instead.
    off_book : bool array
        Completions done off the books: on the evening of a working day
        (18:30-22:30) or, for dossiers whose statutory term is ``weekend_ok``,
        on the first weekend day or holiday after submission (08:00-20:00).
    """
    n = submitted.size
    done = completion_times(submitted, duration, cal)
    day = done.astype("datetime64[D]")
    late = ~off_book & (rng.random(n) < overtime)
    done[late] = _at(day[late], rng.integers(OFFICE_CLOSE, OFFICE_CLOSE + 2 * 3600, late.sum()))
    friday = ((day.astype(np.int64) + 3) % 7 == 4) & ~cal.is_workday(day + 1)
    sat = saturday & friday & ~off_book & ~late & (rng.random(n) < 0.15)
    done[sat] = _at(day[sat] + 1, rng.integers(OFFICE_OPEN, 11 * 3600 + 30 * 60, sat.sum()))
    rows = np.flatnonzero(off_book)
    evening = ~weekend_ok[rows] | (rng.random(rows.size) < 0.45)
    weekend = next_day_off(submitted[rows].astype("datetime64[D]"), cal)
    done[rows] = np.where(
        evening,
        _at(day[rows], rng.integers(18 * 3600 + 1800, 22 * 3600 + 1800, rows.size)),
        _at(weekend, rng.integers(8 * 3600, 20 * 3600, rows.size)),
    )
    return done
