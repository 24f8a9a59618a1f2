"""Numbers, amounts, durations, dates and rarity written the reader's way, in both languages."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from integrity_signals.formatting import (
    MISSING,
    check_lang,
    format_date,
    format_datetime,
    format_days,
    format_money,
    format_number,
    format_percent,
    format_value,
    rarity,
)


@pytest.mark.parametrize(
    ("value", "digits", "en", "vi"),
    [
        (150_000, 0, "150,000", "150.000"),
        (1_382.94, 1, "1,382.9", "1.382,9"),
        (3.4, 1, "3.4", "3,4"),
        (-20_000, 0, "-20,000", "-20.000"),
        (-0.04, 1, "0.0", "0,0"),
        (np.int64(7), 0, "7", "7"),
        (float("nan"), 0, MISSING, MISSING),
        (None, 0, MISSING, MISSING),
        (pd.NA, 0, MISSING, MISSING),
        (math.inf, 0, MISSING, MISSING),
    ],
)
def test_numbers(value, digits, en, vi):
    assert format_number(value, "en", digits) == en
    assert format_number(value, "vi", digits) == vi


@pytest.mark.parametrize(
    ("value", "en", "vi"),
    [(150_000.0, "150,000", "150.000"), (0.16, "0.16", "0,16"), (0.5, "0.5", "0,5"),
     (66.44, "66.4", "66,4"), (1_382.9, "1,383", "1.383"), (2.0, "2", "2")],
)  # fmt: skip
def test_values_take_the_decimals_they_need(value, en, vi):
    assert (format_value(value, "en"), format_value(value, "vi")) == (en, vi)


def test_money_days_percent_and_dates():
    assert format_money(150_000, "vi") == "150.000 đồng"
    assert format_money(150_000, "en") == "150,000 VND"
    assert format_days(12, "vi") == "12 ngày làm việc"
    assert format_days(1, "en") == "1 working day"
    assert format_days(0.25, "en") == "0.25 working days"
    assert format_days(3, "vi", working=False) == "3 ngày"
    assert format_percent(0.125, "vi") == "12,5%"
    assert format_date("2025-12-25", "vi") == "25/12/2025"
    assert format_datetime(pd.Timestamp("2025-12-25 14:30"), "en") == "2025-12-25 14:30"
    assert format_money(None, "vi") == format_days(np.nan, "en") == MISSING


@pytest.mark.parametrize(
    ("p", "en", "vi"),
    [
        (2.7e-280, "extremely rare: fewer than 1 in a billion dossiers",
         "cực kỳ hiếm: chưa đến 1 trên 1 tỷ hồ sơ"),
        (1e-6, "very rare: about 1 in a million dossiers", "rất hiếm: khoảng 1 trên 1 triệu hồ sơ"),
        (4e-8, "very rare: about 1 in 30 million dossiers",
         "rất hiếm: khoảng 1 trên 30 triệu hồ sơ"),
        (3.2e-5, "very rare: about 1 in 30,000 dossiers", "rất hiếm: khoảng 1 trên 30.000 hồ sơ"),
        (0.004, "rare: about 1 in 300 dossiers", "hiếm: khoảng 1 trên 300 hồ sơ"),
        (0.04, "unusual: about 1 in 25 dossiers", "ít gặp: khoảng 1 trên 25 hồ sơ"),
        (0.2, "not unusual: about 1 in 5 dossiers", "không hiếm: khoảng 1 trên 5 hồ sơ"),
        (0.7, "common", "thường gặp"),
        (float("nan"), MISSING, MISSING),
    ],
)  # fmt: skip
def test_rarity_in_words(p, en, vi):
    assert rarity(p, "en", of="case") == en
    assert rarity(p, "vi", of="case") == vi


def test_rarity_counts_what_it_is_about_and_never_shows_a_p_value():
    assert rarity(1e-6, "vi", of="officer").endswith("cán bộ")
    assert rarity(1e-6, "en", of="unit").endswith("units")
    assert rarity(1e-6, "en") == "very rare: about 1 in a million"
    words = [rarity(p, lang) for p in np.logspace(-300, 0, 200) for lang in ("en", "vi")]
    assert not any("e-" in w or "E-" in w for w in words)
    # stronger evidence never reads weaker
    levels = ["common", "not unusual", "unusual", "rare", "very rare", "extremely rare"]
    ranks = [levels.index(rarity(p, "en").split(":")[0]) for p in np.logspace(0, -300, 200)]
    assert ranks == sorted(ranks)


def test_an_unknown_language_is_refused():
    with pytest.raises(
        ValueError, match=r"The 'lang' parameter of f must be one of \('en', 'vi'\)"
    ):
        check_lang("fr", "f")
