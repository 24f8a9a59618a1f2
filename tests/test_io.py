"""Readers: encodings, delimiters, Parquet, Excel, compressed CSV, malformed lines, unusable files."""

from __future__ import annotations

import datetime as dt
import gzip

import numpy as np
import pandas as pd
import pytest

import integrity_signals as isig
from conftest import SAMPLE_CSV, encode_cp1258

HEADER = "Mã hồ sơ,Mã thủ tục,Đơn vị,Cán bộ xử lý,Ngày tiếp nhận,Lệ phí\n"
ROWS = 'HS1,KS01,Phường Bến Nghé,cb1,02/01/2025 08:00,50.000\nHS2,KS01,Phường Bến Nghé,cb2,03/01/2025,"1.500.000"\n'
TEXT = HEADER + ROWS


def check_two_rows(data):
    assert data.n_input == 2 and data.n_rejected == 0
    assert data.cases["case_id"].tolist() == ["HS1", "HS2"]
    assert data.cases["unit_id"].tolist() == ["Phường Bến Nghé"] * 2
    assert data.cases["fee_charged"].tolist() == [50_000, 1_500_000]
    assert data.cases["submitted_at"].iloc[0] == pd.Timestamp("2025-01-02 08:00")


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("utf8.csv", TEXT.encode("utf-8")),
        ("bom.csv", TEXT.encode("utf-8-sig")),
        ("excel_unicode.txt", TEXT.replace(",", "\t").replace('"', "").encode("utf-16")),
        ("semicolon.csv", TEXT.replace(",", ";").encode("utf-8")),
        ("crlf.csv", TEXT.replace("\n", "\r\n").encode("utf-8")),
        ("packed.csv.gz", gzip.compress(TEXT.encode("utf-8"))),
    ],
)
def test_csv_encodings_and_delimiters(tmp_path, name, payload):
    path = tmp_path / name
    path.write_bytes(payload)
    check_two_rows(isig.read_cases(path))


def test_legacy_windows_1258_needs_the_encoding_named(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes(encode_cp1258(TEXT))
    with pytest.raises(isig.SchemaError, match=r"not UTF-8 .* pass encoding='cp1258'"):
        isig.read_cases(path)
    check_two_rows(isig.read_cases(path, encoding="cp1258"))


def test_parquet_keeps_types(tmp_path):
    frame = pd.DataFrame(
        {
            "case_id": ["HS1", "HS2"],
            "procedure_id": ["KS01", "KS01"],
            "unit_id": ["Phường Bến Nghé"] * 2,
            "handler_id": ["cb1", "cb2"],
            "submitted_at": pd.to_datetime(["2025-01-02 08:00", "2025-01-03 00:00"]),
            "fee_charged": [50_000.0, 1_500_000.0],
        }
    )
    path = tmp_path / "cases.parquet"
    frame.to_parquet(path)
    check_two_rows(isig.read_cases(path))


def test_excel_with_typed_and_text_cells(tmp_path):
    frame = pd.DataFrame(
        {
            "Mã hồ sơ": ["HS1", "HS2"],
            "Mã thủ tục": ["KS01", "KS01"],
            "Đơn vị": ["Phường Bến Nghé"] * 2,
            "Cán bộ xử lý": ["cb1", "cb2"],
            "Ngày tiếp nhận": [dt.datetime(2025, 1, 2, 8), "03/01/2025"],
            "Lệ phí": [50_000, "1.500.000"],
        }
    )
    path = tmp_path / "cases.xlsx"
    frame.to_excel(path, index=False)
    check_two_rows(isig.read_cases(path))


def test_sample_file_reports_its_bad_rows():
    data = isig.read_cases(SAMPLE_CSV)
    assert data.n_input == 33 and len(data.cases) == 25 and data.n_rejected == 8
    assert set(data.rejects["reason"]) == {
        "duplicate_id", "unparseable_date", "completed_before_submitted", "negative_amount",
        "unknown_channel", "missing_value", "negative_count",
    }  # fmt: skip
    assert "Tên thủ tục" in data.cases.columns  # an extra column, kept
    assert data.cases.index.tolist()[:3] == [0, 1, 2]


def test_malformed_lines_are_quarantined_with_their_row_numbers(tmp_path):
    text = (
        HEADER
        + "HS1,KS01,P,cb1,02/01/2025,0\nHS2,KS01,P\nHS3,KS01,P,cb1,02/01/2025,0,extra\nHS4,KS01,P,cb1,02/01/2025,0\n"
    )
    path = tmp_path / "ragged.csv"
    path.write_text(text, encoding="utf-8")
    data = isig.read_cases(path)
    assert data.n_input == 4 and data.cases["case_id"].tolist() == ["HS1", "HS4"]
    assert data.cases.index.tolist() == [0, 3]
    bad = data.rejects
    assert bad["row"].tolist() == [2, 3] and set(bad["reason"]) == {"malformed_row"}
    assert "line 3 has 3 fields where the header has 6" in bad["message"].iloc[0]


def test_quoted_newlines_and_delimiters_stay_in_their_cell(tmp_path):
    text = HEADER.strip() + ',Ghi chú\nHS1,KS01,P,cb1,02/01/2025,0,"dòng 1\ndòng 2, vẫn là ô này"\n'
    path = tmp_path / "quoted.csv"
    path.write_text(text, encoding="utf-8")
    data = isig.read_cases(path)
    assert data.cases["Ghi chú"].iloc[0] == "dòng 1\ndòng 2, vẫn là ô này"


def test_ids_keep_leading_zeros_and_text_like_na(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text(HEADER + "00123,NA,P,NULL,02/01/2025,0\n", encoding="utf-8")
    c = isig.read_cases(path).cases
    assert c[["case_id", "procedure_id", "handler_id"]].iloc[0].tolist() == ["00123", "NA", "NULL"]


@pytest.mark.parametrize(
    ("name", "payload", "match"),
    [
        ("missing.csv", None, "does not exist"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
         r"old.xls is an old Excel workbook \(\.xls\).*save it as an \.xlsx workbook"),
        ("notes.docx", b"x", "unknown file type '.docx'"),
        ("empty.csv", b"", "the file is empty"),
        ("blank_header.csv", b"a,,b\n1,2,3\n", r"header cells \[2\] .* are empty"),
        ("repeat.csv", b"a,a,b\n1,2,3\n", r"the header repeats \['a'\]"),
        ("broken.parquet", b"PAR1 truncated", "not a readable Parquet file"),
        ("no_handler.csv", "Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày nộp\n1,2,3,02/01/2025\n".encode(),
         "Required column 'handler_id'"),
    ],
)  # fmt: skip
def test_unusable_files_raise_schema_error_with_the_fix(tmp_path, name, payload, match):
    path = tmp_path / name
    if payload is not None:
        path.write_bytes(payload)
    with pytest.raises(isig.SchemaError, match=match):
        isig.read_cases(path)


def test_read_cases_accepts_a_frame():
    frame = pd.DataFrame({"case_id": ["a"], "procedure_id": ["p"], "unit_id": ["u"],
                          "handler_id": ["h"], "submitted_at": [np.datetime64("2025-01-02")]})  # fmt: skip
    assert len(isig.read_cases(frame).cases) == 1


@pytest.mark.parametrize(
    "payload",
    [
        b"\x1f\x8bM\xc3\xa3 h\xe1\xbb\x93 s\xc6\xa1\r\n",  # gzip magic, then no gzip (fuzzing)
        gzip.compress((HEADER + ROWS * 200).encode())[:-40],  # a gzip cut short
    ],
    ids=["bad_header", "truncated"],
)
def test_a_damaged_gzip_csv_is_refused_by_name(tmp_path, payload):
    path = tmp_path / "cases.csv.gz"
    path.write_bytes(payload)
    with pytest.raises(isig.SchemaError, match="cannot be decompressed") as err:
        isig.read_cases(path)
    assert err.value.code == "compressed_damaged"
    assert err.value.params["compression"] == "gzip"


def test_quote_scan_decides_whether_values_may_span_lines(tmp_path, monkeypatch):
    from integrity_signals import io

    plain = tmp_path / "plain.csv"
    plain.write_text(HEADER + ROWS.replace('"', ""), encoding="utf-8")
    quoted = tmp_path / "quoted.csv"
    quoted.write_text(TEXT, encoding="utf-8")
    packed = tmp_path / "plain.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert not io._may_hold_quotes(plain, "utf-8")
    assert io._may_hold_quotes(quoted, "utf-8")
    assert io._may_hold_quotes(quoted, "utf-16")  # any 0x22 byte counts
    assert io._may_hold_quotes(packed, "utf-8")  # not scanned: assumed quoted
    assert io._may_hold_quotes(plain, "cp500")  # '"' is not byte 0x22 there
    monkeypatch.setattr(io, "_SCAN_BYTES", 8)  # the quote is found past the first block
    assert io._may_hold_quotes(quoted, "utf-8")
    assert not io._may_hold_quotes(plain, "utf-8")


def test_unquoted_and_quote_aware_reads_agree(tmp_path, monkeypatch):
    from integrity_signals import io

    path = tmp_path / "plain.csv"
    rows = [f"HS{i},KS01,P,cb{i % 7},0{1 + i % 9}/01/2025,{i}.000" for i in range(20_000)]
    rows[100] += ",extra"  # a malformed line: row numbers must agree too
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    fast = io.read_raw(path)
    monkeypatch.setattr(io, "_may_hold_quotes", lambda *args: True)
    slow = io.read_raw(path)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    pd.testing.assert_frame_equal(fast.malformed, slow.malformed)
    np.testing.assert_array_equal(fast.row_numbers, slow.row_numbers)


# --------------------------------------------------------------------------- content, not name


def _workbook(path, sheets: dict) -> None:
    with pd.ExcelWriter(path) as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def _two_row_frame() -> pd.DataFrame:
    return pd.read_csv(io_text(TEXT), dtype=str)


def io_text(text: str):
    import io

    return io.StringIO(text)


@pytest.mark.parametrize(
    ("name", "make", "what"),
    [
        ("renamed.csv", lambda p: _workbook(p, {"Sheet1": _two_row_frame()}), "an Excel workbook"),
        ("packed.csv", lambda p: p.write_bytes(gzip.compress(TEXT.encode())), "gzip-compressed"),
        ("table.xlsx", lambda p: p.write_text(TEXT, encoding="utf-8"), "is text"),
        ("export.xls", lambda p: p.write_text(TEXT.replace(",", "\t"), encoding="utf-8"), "text"),
        ("cases.parquet", lambda p: p.write_text(TEXT, encoding="utf-8"), "is text"),
    ],
)
def test_a_table_under_another_name_is_read_as_what_it_is(tmp_path, name, make, what):
    path = tmp_path / name
    make(path)
    with pytest.warns(isig.IntegritySignalsWarning, match=f"{name} .*{what}.*read as what it is"):
        data = isig.read_cases(path)
    check_two_rows(data)


def test_utf16_without_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes(TEXT.replace(",", "\t").replace('"', "").encode("utf-16-le"))
    check_two_rows(isig.read_cases(path))


NOT_TABLES = {
    "PNG image": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "program (Linux executable)": b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 4,
    "program (Windows executable)": b"MZ\x90\x00\x03" + bytes(range(256)) * 4,
    "PDF document": b"%PDF-1.7\n" + bytes(range(256)) * 4,
    "binary file, not text": b"\x00\x01\x02garbage\x00" * 50,
    "Word document": None,
    "old Excel workbook (.xls)": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
    "HTML page": b"<html><body><table><tr><td>M\xc3\xa3</td></tr></table></body></html>",
}


@pytest.mark.parametrize("what", NOT_TABLES)
@pytest.mark.parametrize("encoding", [None, "cp1258"])
def test_a_file_that_is_no_table_is_named_for_what_it_is(tmp_path, what, encoding):
    path = tmp_path / "cases.csv"
    if NOT_TABLES[what] is None:
        import zipfile

        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
    else:
        path.write_bytes(NOT_TABLES[what])
    with pytest.raises(isig.SchemaError, match=r"cases.csv is an? ") as error:
        isig.read_cases(path, encoding=encoding)
    message = str(error.value)
    assert what in message and "not a table" in message
    assert "encoding" not in message and "codec" not in message  # not an encoding problem
    assert error.value.code == "not_a_table"


def test_an_executable_is_named_even_from_its_real_bytes(tmp_path):
    import sys
    from pathlib import Path

    path = tmp_path / "cases.csv"
    path.write_bytes(Path(sys.executable).resolve().read_bytes()[:8192])
    with pytest.raises(isig.SchemaError, match="cases.csv is a program"):
        isig.read_cases(path)


def test_bytes_an_encoding_cannot_read_are_named_by_line_never_a_raw_codec_error(tmp_path):
    rows = "".join(f"HS{i},KS01,P1,cb1,02/01/2025,0\n" for i in range(5_000))
    late = tmp_path / "late.csv"  # the bad byte is far past the head the reader sniffs
    late.write_bytes((HEADER + rows).encode() + b"HSX,KS\xe0,P1,cb1,02/01/2025,0\n")
    with pytest.raises(isig.SchemaError, match=r"not UTF-8 text \(line 5002 holds the byte 0xE0"):
        isig.read_cases(late)
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes(encode_cp1258(HEADER) + rows.encode() + b"HSX,KS\x81,P1,cb1,02/01/2025,0\n")
    with pytest.raises(isig.SchemaError, match=r"not cp1258 text \(line 5002 holds the byte 0x81"):
        isig.read_cases(legacy, encoding="cp1258")
    early = tmp_path / "early.csv"
    early.write_bytes(encode_cp1258(HEADER) + b"HS1,KS\x81\x81,P1,cb1,02/01/2025,0\n")
    with pytest.raises(isig.SchemaError, match=r"line 2 holds the byte 0x81") as error:
        isig.read_cases(early, encoding="cp1258")
    assert error.value.code == "decode_error" and error.value.params["line"] == 2


def test_a_workbook_names_the_sheet_read_and_the_one_with_the_data(tmp_path):
    path = tmp_path / "export.xlsx"
    notes = pd.DataFrame({"a": ["Báo cáo tháng 1"]})
    _workbook(path, {"Ghi chú": notes, "Dữ liệu": _two_row_frame(), "Khác": notes})
    with pytest.raises(isig.SchemaError) as error:
        isig.read_cases(path)
    message = str(error.value)
    assert "Required column 'case_id'" in message and "Headers found: 'a'" in message
    assert "This is the sheet 'Ghi chú'; the workbook also has 'Dữ liệu', 'Khác'" in message
    assert "The sheet 'Dữ liệu' has every required column: pass sheet_name='Dữ liệu'" in message
    assert error.value.params["fits"] == ["Dữ liệu"]
    data = isig.read_cases(path, sheet_name="Dữ liệu")
    check_two_rows(data)
    assert "export.xlsx (sheet 'Dữ liệu'): 2 rows in" in str(data.summary())
    check_two_rows(isig.read_cases(path, sheet_name=1))
    with pytest.raises(isig.SchemaError, match=r"has no sheet 'Data'. Sheets: 'Ghi chú', 'Dữ"):
        isig.read_cases(path, sheet_name="Data")
    with pytest.raises(isig.SchemaError, match=r"has no sheet 7"):
        isig.read_cases(path, sheet_name=7)
