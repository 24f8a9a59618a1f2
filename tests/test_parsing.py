"""Hand-written cases for every date, amount, count, term and channel format the readers accept."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from integrity_signals.parsing import (
    parse_amount_text,
    parse_amounts,
    parse_channels,
    parse_counts,
    parse_datetimes,
    parse_days,
    parse_ids,
)


def ts(text):
    return np.datetime64(text, "ns")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("03/04/2025", "2025-04-03"),
        ("3/4/2025", "2025-04-03"),
        ("03-04-2025", "2025-04-03"),
        ("03.04.2025", "2025-04-03"),
        ("03/04/2025 08:30", "2025-04-03T08:30"),
        ("3/4/2025 8:30", "2025-04-03T08:30"),
        ("03/04/2025 08:30:15", "2025-04-03T08:30:15"),
        ("03/04/2025 8:30 PM", "2025-04-03T20:30"),
        ("03/04/2025 12:05 AM", "2025-04-03T00:05"),
        ("03/04/2025 02:15 CH", "2025-04-03T14:15"),
        ("03/04/2025 09:15 SA", "2025-04-03T09:15"),
        ("2025-04-03", "2025-04-03"),
        ("2025/4/3", "2025-04-03"),
        ("2025-04-03 08:30", "2025-04-03T08:30"),
        ("2025-04-03T08:30:15", "2025-04-03T08:30:15"),
        ("2025-04-03T08:30:15.250", "2025-04-03T08:30:15.250"),
        ("2025-04-03 08:30:00+07:00", "2025-04-03T08:30"),
        ("2025-04-03T01:30:00Z", "2025-04-03T08:30"),
        ("2025-04-03 03:30:00+0200", "2025-04-03T08:30"),
        ("29/02/2024", "2024-02-29"),
        ("45750", "2025-04-03"),
        ("45750.5", "2025-04-03T12:00"),
        ("  03/04/2025 ", "2025-04-03"),
    ],
)
def test_accepted_date_forms(written, expected):
    p = parse_datetimes(pd.Series([written]))
    assert not p.bad[0] and not p.missing[0]
    assert p.values[0] == ts(expected)


@pytest.mark.parametrize(
    "written",
    ["31/02/2025", "29/02/2025", "32/01/2025", "03/13/2025", "1/2/25", "03/04/2025 25:00",
     "03/04/2025 13:00 PM", "tomorrow", "2025-04-03 08:30 +7", "999999", "03/04/2025x"],
)  # fmt: skip
def test_unreadable_dates_are_bad_not_rolled_over(written):
    p = parse_datetimes(pd.Series([written]))
    assert p.bad[0] and not p.missing[0] and np.isnat(p.values[0])


def test_month_first_switch():
    p = parse_datetimes(pd.Series(["03/04/2025", "12/31/2025 10:00", "31/12/2025"]), dayfirst=False)
    assert p.values[0] == ts("2025-03-04")
    assert p.values[1] == ts("2025-12-31T10:00")
    assert p.bad.tolist() == [False, False, True]


def test_empty_values_are_missing_not_bad():
    p = parse_datetimes(pd.Series(["", "   ", None, np.nan], dtype=object))
    assert p.missing.all() and not p.bad.any()


def test_offsets_convert_to_the_chosen_zone_including_dst():
    s = pd.Series(["2011-07-01 12:00:00+00:00", "2011-12-01 12:00:00+00:00", "2011-07-01 12:00"])
    p = parse_datetimes(s, tz="Europe/Amsterdam")
    expected = ["2011-07-01T14:00", "2011-12-01T13:00", "2011-07-01T12:00"]  # the last: no offset
    np.testing.assert_array_equal(p.values, np.array(expected, dtype="datetime64[ns]"))


def test_typed_and_mixed_inputs():
    aware = pd.Series(pd.to_datetime(["2025-01-02 01:00"]).tz_localize("UTC"))
    assert parse_datetimes(aware).values[0] == ts("2025-01-02T08:00")
    naive = pd.Series(pd.to_datetime(["2025-01-02 01:00", None]))
    p = parse_datetimes(naive)
    assert p.values[0] == ts("2025-01-02T01:00") and p.missing.tolist() == [False, True]
    serial = parse_datetimes(pd.Series([45750.0, np.nan, -5.0]))
    assert serial.values[0] == ts("2025-04-03") and serial.missing[1] and serial.bad[2]
    mixed = pd.Series([dt.datetime(2025, 1, 2, 8), dt.date(2025, 1, 3), "04/01/2025", 45750, None, True],
                      dtype=object)  # fmt: skip
    p = parse_datetimes(mixed)
    assert list(p.values[:4]) == [
        ts("2025-01-02T08:00"),
        ts("2025-01-03"),
        ts("2025-01-04"),
        ts("2025-04-03"),
    ]
    assert p.missing.tolist() == [False] * 4 + [True, False]
    assert p.bad.tolist() == [False] * 5 + [True]


def test_fast_and_regex_paths_agree_on_a_large_mixed_column():
    rng = np.random.default_rng(0)
    when = pd.to_datetime("2000-01-01") + pd.to_timedelta(
        rng.integers(0, 30 * 365 * 86400, 5000), unit="s"
    )
    forms = [
        when.strftime("%d/%m/%Y %H:%M:%S"),
        when.strftime("%Y-%m-%d %H:%M:%S"),
        when.strftime("%-d/%-m/%Y %-H:%M:%S"),
        when.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
    ]
    pick = rng.integers(0, len(forms), len(when))
    written = pd.Series(np.choose(pick, [np.asarray(f) for f in forms]))
    p = parse_datetimes(written)
    assert not p.bad.any()
    np.testing.assert_array_equal(p.values, when.values.astype("datetime64[ns]"))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1.500.000", 1_500_000),
        ("1,500,000 đ", 1_500_000),
        ("1.500.000 VNĐ", 1_500_000),
        ("1.500.000 vnd", 1_500_000),
        ("1 500 000 đồng", 1_500_000),
        ("₫50.000", 50_000),
        ("50.000 đồng/hồ sơ", 50_000),
        ("1500000", 1_500_000),
        ("1500000.0", 1_500_000),
        ("1.500", 1_500),
        ("150.000,50", 150_000.5),
        ("1,500,000.50", 1_500_000.5),
        ("12.5", 12.5),
        ("0", 0),
        ("Miễn phí", 0),
        ("không", 0),
        ("-20.000", -20_000),
    ],
)
def test_vnd_amounts(written, expected):
    assert parse_amount_text(written) == pytest.approx(expected)


@pytest.mark.parametrize(
    "written", ["abc", "1.5.0", "1,50,000", "12 triệu", "1.500.000 USD", "--5"]
)
def test_unreadable_amounts(written):
    assert parse_amount_text(written) is None


def test_amount_column_mixes_typed_and_text_and_keeps_empty_as_missing():
    p = parse_amounts(pd.Series([50000, "1.500.000", "", None, "x", 12.5], dtype=object))
    np.testing.assert_array_equal(p.values[:2], [50000, 1_500_000])
    assert p.missing.tolist() == [False, False, True, True, False, False]
    assert p.bad.tolist() == [False, False, False, False, True, False]
    typed = parse_amounts(pd.Series([1.0, np.inf, np.nan]))
    assert typed.bad.tolist() == [False, True, False] and typed.missing.tolist() == [
        False,
        False,
        True,
    ]


def test_counts():
    p = parse_counts(pd.Series(["0", "3", "2.0", "1 lần", "1.5", "-1", "", "nhiều"]))
    assert p.values[:4].tolist() == [0, 3, 2, 1]
    assert p.values[5] == -1  # negative parses; validation rejects it
    assert p.bad.tolist() == [False, False, False, False, True, False, False, True]
    typed = parse_counts(pd.Series([1.0, 2.5, np.nan]))
    assert typed.bad.tolist() == [False, True, False]


def test_statutory_terms():
    p = parse_days(
        pd.Series(["15", "15 ngày làm việc", "Không quá 03 ngày", "04 giờ", "Trong ngày", "tuỳ"])
    )
    assert p.values[:5].tolist() == [15, 15, 3, 0.5, 0]
    assert p.bad.tolist() == [False] * 5 + [True]


def test_channels_builtin_forms():
    written = ["Trực tuyến", "TRUC TUYEN", "online", "Internet", "Trực tiếp", "tại quầy", "Desk",
               "Bưu chính công ích", "post", "Fax", ""]  # fmt: skip
    p = parse_channels(pd.Series(written))
    assert list(p.values[:9]) == ["online"] * 4 + ["in_person"] * 3 + ["postal"] * 2
    assert p.values.isna()[9:].all()
    assert p.bad.tolist() == [False] * 9 + [True, False]
    assert p.missing.tolist() == [False] * 10 + [True]


def test_ids_trim_and_keep_leading_zeros_and_integral_numbers():
    p = parse_ids(pd.Series([" 00123 ", "A-1", 42.0, 7, 1.5, None], dtype=object))
    assert p.values.to_pylist() == ["00123", "A-1", "42", "7", "1.5", None]
    numeric = parse_ids(pd.Series([1.0, 2.0, np.nan]))
    assert numeric.values.to_pylist() == ["1", "2", None]


def test_decomposed_unicode_is_normalised():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Phường Bến Nghé")
    assert parse_ids(pd.Series([nfd])).values.to_pylist() == ["Phường Bến Nghé"]
