"""Arguments of :func:`~integrity_signals.simulation.simulate`: checks, defaults, resolved settings.

Every check raises ``ValueError`` in scikit-learn's format, "The 'x' parameter
of simulate must be ... Got ... instead.", before any random draw is made.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SCHEMES", "SCHEME_DEFAULTS", "Settings", "resolve_settings"]

#: The seven corruption schemes, in the order they are placed (and their codes 1..7).
SCHEMES: tuple[str, ...] = (
    "broker_fast_track",
    "harassment",
    "overcharging",
    "waiver_favour",
    "off_book",
    "receiver_is_processor",
    "speed_money",
)

#: Intensity 1 of each scheme: the share of a corrupt officer's eligible dossiers it touches
#: (for the broker and the friends: the dossiers they bring, as a share of the officer's volume).
SCHEME_DEFAULTS: dict[str, float] = {
    "broker_fast_track": 0.30,
    "harassment": 0.25,
    "overcharging": 0.30,
    "waiver_favour": 0.05,
    "off_book": 0.20,
    "receiver_is_processor": 0.30,
    "speed_money": 0.25,
}

#: Cases a commune handles in a year, for the default number of units.
CASES_PER_UNIT_YEAR = 4_000
#: Handling officers per corrupt officer of each scheme, for the default ``officers_per_scheme``.
HANDLERS_PER_CORRUPT = 70
#: At most this share of handling officers is corrupt by default (small provinces then run
#: fewer than seven schemes).
MAX_CORRUPT_SHARE = 0.12
MIN_PROCEDURES = 7  # one per sector


def _fail(name: str, expected: str, got) -> ValueError:
    return ValueError(
        f"The {name!r} parameter of simulate must be {expected}. Got {got!r} instead."
    )


def _int(name: str, value, low: int, high: int | None = None, *, optional: bool = False):
    if value is None and optional:
        return None
    expected = f"an int >= {low}" if high is None else f"an int in [{low}, {high}]"
    if optional:
        expected += " or None"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _fail(name, expected, value)
    if value < low or (high is not None and value > high):
        raise _fail(name, expected, value)
    return int(value)


def _real(name: str, value, low: float) -> float:
    expected = f"a real number >= {low:g}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(name, expected, value)
    if not np.isfinite(value) or value < low:
        raise _fail(name, expected, value)
    return float(value)


def _date(name: str, value, expected: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise _fail(name, expected, value) from None
    if ts is pd.NaT or ts.tz is not None or not 1990 <= ts.year <= 2090:
        raise _fail(name, expected, value)
    return ts


@dataclass(frozen=True)
class Settings:
    """Resolved arguments: every default filled in, dates as numpy values."""

    n_cases: int
    n_units: int
    months: int
    start: np.datetime64  # day
    end: np.datetime64  # day after the last submission day
    extract_at: np.datetime64  # ns
    corruption: float
    intensities: dict[str, float]  # effective intensity per scheme, 0 = off
    n_procedures: int
    officers_per_scheme: int | None
    random_state: int | None
    seed: int | None

    def params(self) -> dict:
        """The JSON-serialisable record of these settings."""
        return {
            "n_cases": self.n_cases,
            "n_units": self.n_units,
            "months": self.months,
            "start": str(self.start),
            "end": str(self.end),
            "extract_at": str(pd.Timestamp(self.extract_at)),
            "corruption": self.corruption,
            "schemes": dict(self.intensities),
            "scheme_base_shares": dict(SCHEME_DEFAULTS),
            "n_procedures": self.n_procedures,
            "officers_per_scheme": self.officers_per_scheme,
            "random_state": self.random_state,
            "seed": self.seed,
        }


def _schemes(schemes, corruption: float) -> dict[str, float]:
    expected = f"None or a dict mapping scheme names {list(SCHEMES)} to an intensity >= 0 or False"
    if schemes is None:
        schemes = {}
    if not isinstance(schemes, dict):
        raise _fail("schemes", expected, schemes)
    unknown = [k for k in schemes if k not in SCHEMES]
    if unknown:
        raise ValueError(
            f"The 'schemes' parameter of simulate has unknown scheme names {unknown}; "
            f"use some of {list(SCHEMES)}."
        )
    out = {}
    for name in SCHEMES:
        value = schemes.get(name, 1.0)
        if value is True:
            value = 1.0
        elif value is False:
            value = 0.0
        elif not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
            raise _fail("schemes", expected, schemes)
        out[name] = float(value) * corruption
    return out


def _seed(random_state) -> tuple[np.random.Generator, int | None, int | None]:
    expected = "an int >= 0, a numpy.random.Generator or None"
    if isinstance(random_state, np.random.Generator):
        return random_state, None, None
    if random_state is None:
        seed = int(np.random.SeedSequence().entropy)  # recorded, so the run can be repeated
        return np.random.default_rng(seed), None, seed
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise _fail("random_state", expected, random_state)
    if random_state < 0:
        raise _fail("random_state", expected, random_state)
    return np.random.default_rng(int(random_state)), int(random_state), int(random_state)


def resolve_settings(
    n_cases,
    n_units,
    months,
    start,
    corruption,
    schemes,
    random_state,
    n_procedures,
    extract_at,
    officers_per_scheme,
) -> tuple[Settings, np.random.Generator]:
    """Check every argument of ``simulate`` and fill in the defaults."""
    n_cases = _int("n_cases", n_cases, 1)
    n_units = _int("n_units", n_units, 1, n_cases, optional=True)
    months = _int("months", months, 1, 120)
    start_ts = _date("start", start, "a date between 1990 and 2090 such as '2025-01-01'")
    corruption = _real("corruption", corruption, 0.0)
    intensities = _schemes(schemes, corruption)
    n_procedures = _int("n_procedures", n_procedures, MIN_PROCEDURES, 9_999, optional=True)
    officers_per_scheme = _int("officers_per_scheme", officers_per_scheme, 1, optional=True)
    rng, given_seed, seed = _seed(random_state)

    start_day = np.datetime64(start_ts.normalize().date(), "D")
    end_day = np.datetime64((start_ts.normalize() + pd.DateOffset(months=months)).date(), "D")
    if extract_at is None:
        extract = end_day.astype("datetime64[ns]")
    else:
        extract_ts = _date(
            "extract_at", extract_at, f"None or a date on or after the period's end ({end_day})"
        )
        extract = np.datetime64(extract_ts.to_datetime64(), "ns")
        if extract < end_day.astype("datetime64[ns]"):
            raise _fail(
                "extract_at", f"None or a date on or after the period's end ({end_day})", extract_at
            )
    if n_units is None:
        per_year = n_cases * 12 / months
        n_units = int(min(n_cases, max(1, round(per_year / CASES_PER_UNIT_YEAR))))
    if n_procedures is None:
        n_procedures = int(min(300, max(40, n_cases // 200)))
    settings = Settings(
        n_cases=n_cases,
        n_units=n_units,
        months=months,
        start=start_day,
        end=end_day,
        extract_at=extract,
        corruption=corruption,
        intensities=intensities,
        n_procedures=n_procedures,
        officers_per_scheme=officers_per_scheme,
        random_state=given_seed,
        seed=seed,
    )
    return settings, rng
