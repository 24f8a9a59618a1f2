"""Hand-written cases for every date, amount, count, term and channel format the readers accept."""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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
        ("25/12/2025 14h30", "2025-12-25T14:30"),
        ("25/12/2025 14g30", "2025-12-25T14:30"),
        ("25/12/2025 14H30", "2025-12-25T14:30"),
        ("25/12/2025 8h", "2025-12-25T08:00"),
        ("25/12/2025 8 h 05", "2025-12-25T08:05"),
        ("25/12/2025 14h30p", "2025-12-25T14:30"),
        ("3/4/25", "2025-04-03"),
        ("03/04/25 08:30", "2025-04-03T08:30"),
        ("03-04-68", "2068-04-03"),
        ("03-04-69", "1969-04-03"),  # the pivot of Python's %y (rejected later as implausible)
    ],
)
def test_accepted_date_forms(written, expected):
    p = parse_datetimes(pd.Series([written]))
    assert not p.bad[0] and not p.missing[0]
    assert p.values[0] == ts(expected)


@pytest.mark.parametrize(
    "written",
    ["31/02/2025", "29/02/2025", "32/01/2025", "03/13/2025", "1/2/125", "03/04/2025 25:00",
     "25/12/2025 14h61", "25/12/2025 24h", "31/02/25", "3/4/2025 14h30h",
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


def _random_times(start: str, *, years: int, n: int) -> pd.DatetimeIndex:
    """``n`` random second-resolution times in the ``years`` after ``start`` (seed 0)."""
    seconds = np.random.default_rng(0).integers(0, years * 365 * 86400, n)
    return pd.to_datetime(start) + pd.to_timedelta(seconds, unit="s")


def test_fast_and_regex_paths_agree_on_a_large_mixed_column():
    when = _random_times("2000-01-01", years=30, n=5000)
    rng = np.random.default_rng(1)
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

    nfd = unicodedata.normalize("NFD", "Phường Bến Nghé")
    assert parse_ids(pd.Series([nfd])).values.to_pylist() == ["Phường Bến Nghé"]


# --------------------------------------------------------------------------- fast paths


def test_arrow_trims_exactly_the_characters_python_calls_space():
    """The edge check (parsing.arrow._SPACES) lists str.isspace; Arrow's trim must agree."""
    points = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    trimmed = pc.utf8_trim_whitespace(pa.array(["x" + chr(c) for c in points]))
    by_arrow = np.array(points)[pc.binary_length(trimmed).to_numpy() == 1]
    by_python = [c for c in points if chr(c).isspace()]
    np.testing.assert_array_equal(by_arrow, by_python)


def pa_strings(series):
    return pa.array(series, type=pa.large_string(), from_pandas=True)


EDGES = ["HS1", " HS1", "HS1 ", "\u00a0HS1", "HS1\u00a0", "\u3000HS1", "HS1\u2003", "\u205fHS1",
         "HS1\u2028", "\x85HS1", "HS1\x1f", "\tHS1", "Ấp 3", "Hoà", "Phường 1\u200a", "Trực tuyến",
         "\u1680", " ", "", None, "HS1\u200b", "à", "ờ x"]  # fmt: skip


@pytest.mark.parametrize("value", EDGES)
def test_ids_are_trimmed_of_unicode_whitespace_alone_or_among_clean_values(value):
    series = pd.Series(["HS2", "Phường 2", value, "HS3"] * 3, dtype=object)
    expected = pc.utf8_trim_whitespace(pa_strings(series)).to_pylist()
    expected = [v or None for v in expected]  # empty after trimming: missing
    got = parse_ids(series)
    assert got.values.to_pylist() == expected
    assert got.missing.tolist() == [v is None for v in expected]


def test_edge_check_only_asks_for_trimming_when_an_edge_may_be_space():
    from integrity_signals.parsing.arrow import _edge_spaces, _string_buffers

    def needs_trim(values):
        return _edge_spaces(*_string_buffers(pa_strings(pd.Series(values, dtype=object))))

    assert not needs_trim(["HS1", "Ấp 3", "Hoà", "Trực tuyến", "", None, "HS1\u200b", "à"])
    for value in ["\u00a0HS1", "HS1\u3000", "\u205fx", "x\u2029", "\x85", " x", "x\t", "\x00"]:
        assert needs_trim(["HS1", value, "Hoà"]), value
    sliced = pa_strings(pd.Series([" HS1", "HS2", "HS3 "])).slice(1, 1)  # offsets start past 0
    assert not _edge_spaces(*_string_buffers(sliced))


@pytest.mark.parametrize(
    ("parser", "written", "expected", "missing", "bad"),
    [
        (parse_amounts, [" 50.000 ", "\u00a050.000", "50.000", "Mie\u0302\u0303n phí", "  ", None, "x"],
         [50_000, 50_000, 50_000, 0, np.nan, np.nan, np.nan], [0, 0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 0, 0, 1]),
        (parse_counts, [" 2 ", "2", "\u30002 lần", "", "1.5"], [2, 2, 2, np.nan, np.nan],
         [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]),
    ],
)  # fmt: skip
def test_padded_and_decomposed_values_parse_once_per_distinct_value(
    parser, written, expected, missing, bad
):
    p = parser(pd.Series(written * 2, dtype=object))
    np.testing.assert_array_equal(p.values, expected * 2)
    assert p.missing.tolist() == [bool(m) for m in missing] * 2
    assert p.bad.tolist() == [bool(b) for b in bad] * 2


def test_padded_and_decomposed_channels():
    import unicodedata

    written = [
        " Trực tuyến",
        unicodedata.normalize("NFD", "Bưu chính"),
        "\u00a0trực tiếp\u3000",
        " ",
        "fax ",
    ]
    p = parse_channels(pd.Series(written, dtype="str"))
    assert list(p.values[:3]) == ["online", "postal", "in_person"]
    assert p.missing.tolist() == [False, False, False, True, False]
    assert p.bad.tolist() == [False] * 4 + [True]


def test_fixed_width_dates_agree_across_blocks_gaps_and_widths(monkeypatch):
    from integrity_signals.parsing import dates

    when = _random_times("2020-01-01", years=5, n=400)
    rng = np.random.default_rng(1)
    forms = [
        when.strftime("%d/%m/%Y %H:%M"),
        when.strftime("%d/%m/%Y"),
        when.strftime("%Y-%m-%d %H:%M:%S"),
    ]
    written = np.asarray(forms[0], dtype=object)
    pick = rng.random(len(written))
    written[pick < 0.2] = np.asarray(forms[1], dtype=object)[pick < 0.2]  # other widths in between
    written[pick > 0.9] = np.asarray(forms[2], dtype=object)[pick > 0.9]  # the other layout
    written[(pick > 0.4) & (pick < 0.45)] = None  # nulls: no bytes, blocks stay back to back
    written[(pick > 0.5) & (pick < 0.52)] = "31/02/2025 10:00"  # the right shape, not a date
    written[(pick > 0.6) & (pick < 0.62)] = "aa/bb/cccc xx:yy"  # the right width, not the shape
    series = pd.Series(written, dtype=object)
    whole = parse_datetimes(series)
    for rows in (1, 3, 64):
        monkeypatch.setattr(dates, "_BLOCK_ROWS", rows)
        part = parse_datetimes(series)
        np.testing.assert_array_equal(part.values, whole.values)
        np.testing.assert_array_equal(part.bad, whole.bad)
        np.testing.assert_array_equal(part.missing, whole.missing)
    assert (
        whole.bad.sum()
        == ((pick > 0.5) & (pick < 0.52)).sum() + ((pick > 0.6) & (pick < 0.62)).sum()
    )
    good = ~whole.bad & ~whole.missing
    expected = np.where(pick < 0.2, when.normalize(), when.floor("min"))
    expected = np.where(pick > 0.9, when, expected)
    np.testing.assert_array_equal(whole.values[good], expected[good].astype("datetime64[ns]"))


def test_null_mask_reads_the_bitmap_of_sliced_arrays():
    from integrity_signals.parsing.arrow import _null_mask

    arr = pa.array([None, "a", None, "b", "c", None, None, None, "d", None], type=pa.large_string())
    for start in range(4):
        np.testing.assert_array_equal(_null_mask(arr.slice(start)), arr.slice(start).is_null())
    assert not _null_mask(pa.array(["a", "b"])).any()


@pytest.mark.parametrize("chunk_rows", [1, 3, 50, 1000])
def test_chunked_text_parses_as_one_array(chunk_rows, monkeypatch):
    from integrity_signals.parsing import arrow

    monkeypatch.setattr(arrow, "_PIECE_ROWS", 7)  # join runs of short chunks, keep long ones
    written = [" HS1", "HS2\u00a0", None, "", "HS3", "03/04/2025 08:30", "31/02/2025", "2025-04-03",
               "03/04/2025", "x", "45750", unicodedata.normalize("NFD", "Phường 1")] * 20  # fmt: skip
    flat = pa.array(written, type=pa.large_string())
    chunked = pa.chunked_array(
        [flat.slice(i, chunk_rows) for i in range(0, len(flat), chunk_rows)], type=flat.type
    )
    as_pandas = pd.Series(pd.arrays.ArrowStringArray(chunked))
    for parser in (parse_ids, parse_datetimes, parse_amounts, parse_channels):
        one, pieces = parser(pd.Series(written, dtype=object)), parser(as_pandas)
        if isinstance(one.values, np.ndarray | pd.Categorical):
            pd.testing.assert_series_equal(pd.Series(pieces.values), pd.Series(one.values))
        else:
            assert pieces.values.to_pylist() == one.values.to_pylist()
        np.testing.assert_array_equal(pieces.missing, one.missing)
        np.testing.assert_array_equal(pieces.bad, one.bad)


def test_pieces_join_short_chunks_only():
    from integrity_signals.parsing.arrow import _PIECE_ROWS, _pieces

    long, short = pa.array(["a"] * _PIECE_ROWS), pa.array(["b"] * 10)
    pieces = _pieces(pa.chunked_array([short, short, long, short]))
    assert [len(p) for p in pieces] == [2 * 10 + _PIECE_ROWS, 10]
    assert len(_pieces(pa.chunked_array([], type=pa.string()))[0]) == 0
