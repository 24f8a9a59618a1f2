"""Outputs: CSV safe for Excel (formula neutralisation, BOM), Parquet and JSON round trips."""

from __future__ import annotations

import pandas as pd
import pytest

from integrity_signals.export import format_of, neutralise_formulas, write_table


def test_formula_cells_are_neutralised_numbers_untouched():
    df = pd.DataFrame(
        {"who": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "ok", None], "n": range(7)}
    )
    out = neutralise_formulas(df)
    assert out["who"].tolist()[:6] == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "'\tx", "ok"]
    assert pd.isna(out["who"].iloc[6]) and out["n"].tolist() == list(range(7))
    assert df["who"].iloc[0].startswith("=")  # the input is not modified


@pytest.mark.parametrize("suffix", ["csv", "parquet", "json"])
def test_round_trip(tmp_path, suffix):
    df = pd.DataFrame({"officer": ["Nguyễn Văn A", "=cmd"], "score": [0.5, 1.0]})
    path = write_table(df, tmp_path / f"out.{suffix}")
    if suffix == "csv":
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        back = pd.read_csv(path, encoding="utf-8-sig")
        assert back["officer"].tolist() == ["Nguyễn Văn A", "'=cmd"]
    elif suffix == "parquet":
        back = pd.read_parquet(path)
        assert back["officer"].tolist() == ["Nguyễn Văn A", "=cmd"]
    else:
        back = pd.read_json(path)
        assert back["officer"].tolist() == ["Nguyễn Văn A", "=cmd"]


def test_format_choice():
    assert format_of("a.parquet") == "parquet" and format_of("a.pq") == "parquet"
    assert format_of("a.txt") == "csv" and format_of("a.csv", "json") == "json"
    with pytest.raises(
        ValueError, match=r"must be one of \('csv', 'parquet', 'json'\)\. Got 'xml'"
    ):
        format_of("a.csv", "xml")
