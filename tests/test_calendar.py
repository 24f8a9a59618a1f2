"""Working-day calendar around Tết 2025 and 2026, the 30/4-1/5 bridge, fractions and options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import integrity_signals as isig


@pytest.fixture(scope="module")
def vn():
    return isig.WorkCalendar()


def wd(cal, start, end):
    return float(cal.working_days(start, end)[0])


def test_tet_2025_is_closed(vn):
    # Tết At Ty: Mon 27 Jan - Sat 1 Feb 2025 off; the week before and after work normally.
    assert vn.is_workday(["2025-01-24", "2025-01-27", "2025-01-31", "2025-02-03"]).tolist() == [
        True, False, False, True,
    ]  # fmt: skip
    assert wd(vn, "2025-01-24", "2025-02-03") == 1.0
    assert wd(vn, "2025-01-27 09:00", "2025-01-31 17:00") == 0.0  # all inside the closure


def test_tet_2026_is_closed(vn):
    # Tết Bính Ngọ: Mon 16 - Fri 20 Feb 2026 off, with the weekends either side.
    days = pd.date_range("2026-02-13", "2026-02-23")
    assert vn.is_workday(days).tolist() == [True] + [False] * 9 + [True]
    assert wd(vn, "2026-02-13", "2026-02-23") == 1.0


def test_reunification_and_labour_day_bridge_2025(vn):
    # 30/4 (Wed) and 1/5 (Thu) are holidays; Fri 2 May was given off in exchange for Sat 26 April.
    days = ["2025-04-26", "2025-04-29", "2025-04-30", "2025-05-01", "2025-05-02", "2025-05-05"]
    assert vn.is_workday(days).tolist() == [True, True, False, False, False, True]
    assert wd(vn, "2025-04-25", "2025-05-05") == 4.0  # Fri 25, Sat 26 (make-up), Mon 28, Tue 29
    assert vn.add_working_days(["2025-04-29"], 1)[0] == np.datetime64("2025-05-05")


def test_hung_kings_and_national_day(vn):
    assert not vn.is_workday(["2025-04-07"])[0]
    assert vn.is_workday(["2025-09-01", "2025-09-02", "2025-09-03"]).tolist() == [
        False,
        False,
        True,
    ]


def test_friday_evening_to_monday_morning_is_under_one_day(vn):
    took = wd(vn, "2025-03-07 16:30", "2025-03-10 08:00")
    assert took == pytest.approx((24 - 16.5) / 24 + 8 / 24)
    assert took < 1


def test_office_hours_fraction():
    cal = isig.WorkCalendar(office_hours=("07:30", "17:00"))
    assert wd(cal, "2025-03-07 16:30", "2025-03-10 08:00") == pytest.approx(1 / 9.5)
    assert wd(cal, "2025-03-10 06:00", "2025-03-10 20:00") == pytest.approx(1.0)


def test_weekend_and_holiday_submissions_start_the_clock_next_working_day(vn):
    assert wd(vn, "2025-03-08 10:00", "2025-03-10 00:00") == 0.0  # Saturday -> Monday midnight
    assert wd(vn, "2025-03-08 10:00", "2025-03-10 12:00") == 0.5


def test_vectorised_over_series_keeps_the_index_and_nat(vn):
    start = pd.Series(pd.to_datetime(["2025-03-03", "2025-03-03", None]), index=[5, 6, 7])
    end = pd.Series(pd.to_datetime(["2025-03-10", "2025-02-27", "2025-03-10"]), index=[5, 6, 7])
    out = vn.working_days(start, end)
    assert out.index.tolist() == [5, 6, 7]
    assert out.iloc[0] == 5.0 and out.iloc[1] < 0 and np.isnan(out.iloc[2])


def test_extra_holidays_and_make_up_workdays():
    cal = isig.WorkCalendar(extra_holidays=["2025-03-12"], extra_workdays=["2025-03-15"])
    assert cal.is_workday(["2025-03-12", "2025-03-15"]).tolist() == [False, True]
    assert wd(cal, "2025-03-10", "2025-03-17") == 5.0
    with pytest.raises(ValueError, match="share .*2025-03-12.*a day cannot be both"):
        isig.WorkCalendar(extra_holidays=["2025-03-12"], extra_workdays=["2025-03-12"]).is_workday(
            ["2025-03-12"]
        )


def test_six_day_week_and_other_countries():
    six = isig.WorkCalendar(weekmask="1111110")
    assert six.is_workday(["2025-03-08", "2025-03-09"]).tolist() == [True, False]
    nl = isig.WorkCalendar("NL")
    assert not nl.is_workday(["2011-04-25"])[0]  # Easter Monday
    assert nl.is_workday(["2011-09-02"])[0]  # Vietnam's national day is not Dutch


def test_add_working_days_counts_from_the_next_day(vn):
    out = vn.add_working_days(["2025-01-24 10:00", "2025-03-08", "2025-03-10", None], [1, 1, 0, 3])
    assert list(out[:3]) == [
        np.datetime64(d, "ns") for d in ("2025-02-03", "2025-03-10", "2025-03-10")
    ]
    assert np.isnat(out[3])
    far = vn.add_working_days(["2025-01-02"], [600])[0]
    assert np.datetime64("2027-05-01") < far < np.datetime64("2027-06-30")


def test_holiday_listing_names(vn):
    h = vn.holidays("2025-04-01", "2025-05-31")
    assert h.index.strftime("%Y-%m-%d").tolist() == [
        "2025-04-07",
        "2025-04-30",
        "2025-05-01",
        "2025-05-02",
    ]
    assert "Hung Kings" in h.iloc[0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"weekmask": "Mon Funday"},
            r"The 'weekmask' parameter of WorkCalendar must be weekday names",
        ),
        ({"weekmask": "0000000"}, "has no working day"),
        ({"office_hours": ("7h30", "17:00")}, r"must be a pair of 'HH:MM' times\. Got open='7h30'"),
        ({"office_hours": ("17:00", "07:30")}, "must open before it closes"),
        ({"country": "XX"}, r"The 'country' parameter of WorkCalendar must be a country"),
        (
            {"extra_holidays": ["not a date"]},
            r"The 'extra_holidays' parameter .* must be a list of dates",
        ),
    ],
)
def test_parameter_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        isig.WorkCalendar(**kwargs).working_days("2025-03-03 10:00", "2025-03-04")


def test_calendar_is_a_clonable_estimator_param():
    from sklearn.base import clone

    cal = isig.WorkCalendar("NL", extra_holidays=["2011-05-05"])
    assert clone(cal).get_params() == cal.get_params()
