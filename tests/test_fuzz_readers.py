"""Fuzzing the readers: messy CSV and Excel files give a CaseData (in = valid + rejected) or a
SchemaError, never another exception.

The CI runs 1,850 CSV and 150 workbook examples (derandomised: the same ones every run, about
30 s); a long run multiplies them (tests/_fuzzing.py, docs/reliability.md).
"""

from __future__ import annotations

import csv
import io
import warnings

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import integrity_signals as isig
from _fuzzing import count_example, examples
from integrity_signals.exceptions import SchemaError

HEADERS = [
    "Mã hồ sơ", "Mã thủ tục", "Đơn vị", "Cán bộ xử lý", "Ngày tiếp nhận", "Ngày hẹn trả",
    "Ngày trả kết quả", "Lệ phí", "Hình thức nộp", "Số lần bổ sung", "Người nộp", "Ghi chú",
]  # fmt: skip
CONTROL = "".join(chr(c) for c in (0, 1, 7, 8, 11, 12, 27, 127)) + "\u200b\ufeff\u202e"

dates = st.one_of(
    st.sampled_from([
        "02/01/2025", "2/1/25", "02/01/2025 08:30", "25/12/2025 14h30", "25/12/2025 14g30",
        "2025-01-05", "2025-01-05T08:30:00+07:00", "2025-13-45", "31/02/2025", "45750",
        "01/01/1900", "00/00/0000", "", "NaT", "hôm qua",
    ]),
    st.datetimes().map(lambda d: d.strftime("%d/%m/%Y %H:%M:%S")),
    st.integers(-(10**6), 10**7).map(str),
)  # fmt: skip
amounts = st.one_of(
    st.sampled_from([
        "1.500.000", "1,500,000", "1.500.000 đ", "1,500,000 VNĐ", "Miễn phí", "-6.000", "0",
        "1e308", "9" * 40, "NaN", "inf", "1.2.3", "", "50.000,5",
    ]),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)  # fmt: skip
texts = st.one_of(
    st.text(max_size=8),
    st.text(alphabet=CONTROL + "ab\n\r\"',;\t", max_size=12),
    st.sampled_from(
        ["HS1", "HS1", " HS2 ", "cb1", "P1", "KS01", "=cmd|' /C calc'!A0", "x" * 20_000]
    ),  # the last: a very long string
)
cells = st.one_of(dates, amounts, texts, st.none())


@st.composite
def tables(draw):
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=12))
    if draw(st.booleans()):
        headers = list(dict.fromkeys(headers))  # most files have distinct headers
    n = draw(st.integers(0, 12))
    rows = [[draw(cells) for _ in headers] for _ in range(n)]
    return headers, rows


@st.composite
def csv_files(draw):
    headers, rows = draw(tables())
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1258"]))
    data = text.encode(encoding, errors="replace")
    damage = draw(st.sampled_from(["none", "none", "truncate", "bytes"]))
    if damage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    told = draw(st.sampled_from([None, encoding.removesuffix("-sig")]))
    suffix = draw(st.sampled_from([".csv", ".csv", ".txt", ".tsv"]))
    return data, told, suffix


def _check(path, **options):
    """The reader's contract on one file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # content-not-name and the like are allowed
        try:
            data = isig.read_cases(path, **options)
        except SchemaError:
            return
    assert data.n_input == len(data.cases) + data.n_rejected
    assert set(data.rejects["row"]).isdisjoint(set(data.cases.index + 1))


@examples(1_850)
@given(csv_files())
def test_messy_csv_is_read_or_refused_with_a_schema_error(tmp_path_factory, file):
    count_example("fuzz: messy CSV files")
    data, encoding, suffix = file
    path = tmp_path_factory.getbasetemp() / f"fuzz{suffix}"
    path.write_bytes(data)
    _check(path, encoding=encoding)


@examples(150)
@given(tables(), st.sampled_from(["Sheet", "Hồ sơ"]), st.booleans())
def test_messy_workbooks_are_read_or_refused_with_a_schema_error(
    tmp_path_factory, table, sheet, blank_first
):
    count_example("fuzz: messy Excel workbooks")
    headers, rows = table
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    if blank_first:
        ws.append([])
    ws.append(headers)
    for row in rows:
        # openpyxl refuses control characters and >32,767 characters itself: a workbook
        # cannot hold them, so they are not part of what a reader meets
        ws.append([_cell(c) for c in row])
    path = tmp_path_factory.getbasetemp() / f"fuzz-{sheet}.xlsx"
    book.save(path)
    _check(path, sheet_name=sheet)


def _cell(value):
    if value is None:
        return None
    text = "".join(ch for ch in str(value) if ch >= " " or ch in "\t\n\r")[:32_000]
    try:
        return float(text) if text.strip() and text.replace(".", "", 1).isdigit() else text
    except ValueError:
        return text


def test_a_truncated_workbook_is_a_schema_error(tmp_path):
    path = tmp_path / "cases.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.save(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(SchemaError):
        isig.read_cases(path)
