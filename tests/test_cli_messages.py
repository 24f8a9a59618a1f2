"""What the command line says: its own terms (never the Python API's), in English or
Vietnamese (--lang vi), numbers the reader's way, and bad output paths found before any work."""

from __future__ import annotations

import os
import re
import zipfile

import pandas as pd
import pytest

import integrity_signals as isig
from conftest import SAMPLE_CSV, encode_cp1258
from integrity_signals.cli import EXIT_BAD_INPUT, EXIT_OK, main

#: What only the Python API says; a command-line user cannot type it.
PYTHON_TERMS = re.compile(
    r"columns=\{|random_share=|budget=|sheet_name=|encoding=|delimiter=|level=|"
    r"plan_inspections|entity_scores|dayfirst|RiskModel\.|validate_cases\("
)

HEADER = "Mã hồ sơ,Mã thủ tục,Đơn vị,Cán bộ xử lý,Ngày tiếp nhận\n"


@pytest.fixture(scope="module")
def ranking(tmp_path_factory):
    """Officer and case scores as the command line writes them, from a small province."""
    folder = tmp_path_factory.mktemp("ranking")
    sim = isig.simulate(3000, random_state=0)
    cases = folder / "cases.csv"
    isig.write_simulation(sim, cases)
    model = folder / "model.joblib"
    assert main(["fit", str(cases), "--model", str(model), "-q"]) == EXIT_OK
    flags = folder / "flags.csv"
    args = ["score", str(cases), "--model", str(model), "--out", str(flags)]
    assert main([*args, "--entities", "officers", "-q"]) == EXIT_OK
    return {"cases": cases, "model": model, "flags": flags,
            "officers": folder / "flags.officers.csv"}  # fmt: skip


def _run(args, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_error_line(err: str, command: str, lang: str = "en") -> str:
    word = "lỗi" if lang == "vi" else "error"
    lines = [
        ln for ln in err.splitlines() if ln.startswith(f"integrity-signals {command}: {word}:")
    ]
    assert len(lines) == 1, err
    assert not PYTHON_TERMS.search(err), f"Python terms in: {err}"
    return lines[0]


# --------------------------------------------------------------------------- CLI terms


def test_a_missing_column_is_mapped_with_the_columns_option(tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("Mã hồ sơ,Thủ tục,Đơn vị,Ngày nộp,CB thụ lý\n1,2,3,02/01/2025,a\n", "utf-8")
    code, _, err = _run(["validate", path], capsys)
    line = _one_error_line(err, "validate")
    assert code == EXIT_BAD_INPUT
    assert "Required column 'handler_id'" in line and "--columns map.toml" in line
    assert '[columns] "<your header>" = "handler_id"' in line
    code, _, err = _run(["validate", path, "--lang", "vi"], capsys)
    line = _one_error_line(err, "validate", "vi")
    assert "Thiếu cột bắt buộc 'handler_id' (cán bộ xử lý)" in line
    assert "--columns map.toml" in line


def test_two_headers_for_one_column_are_chosen_with_the_columns_option(tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text(HEADER.strip() + ",Mã HS\nHS1,KS,P,cb,02/01/2025,HS1\n", "utf-8")
    _, _, err = _run(["validate", path], capsys)
    line = _one_error_line(err, "validate")
    assert "Both 'Mã hồ sơ' and 'Mã HS' look like the column 'case_id'" in line
    assert "--columns map.toml" in line


def test_plan_errors_and_warnings_speak_options(tmp_path, capsys):
    officers = tmp_path / "officers.csv"
    pd.DataFrame({"handler_id": [f"cb{i:02d}" for i in range(67)], "unit_id": "U1",
                  "risk_score": [i / 67 for i in range(67)]}).to_csv(officers, index=False)  # fmt: skip
    flags = tmp_path / "flags.csv"
    pd.DataFrame({"case_id": ["a", "b"], "handler_id": ["cb01", "cb01"],
                  "risk_score": [1.0, 2.0], "reasons": ""}).to_csv(flags, index=False)  # fmt: skip
    base = ["plan", "--entities", officers, "--out", tmp_path / "p.csv", "--seed", "1"]
    code, _, err = _run([*base, "--budget", "999"], capsys)
    line = _one_error_line(err, "plan")
    assert code == EXIT_BAD_INPUT and "--budget 999 is more than the 67 officers" in line
    code, _, err = _run([*base, "--budget", "10", "--random-share", "0.1"], capsys)
    assert code == EXIT_OK and not PYTHON_TERMS.search(err)
    assert "warning: the plan draws 1 at random: too few to estimate the problem rate (5 would: " \
        "--random-share 0.45 with --budget 10 or --budget 45 with --random-share 0.1)" in err  # fmt: skip
    code, _, err = _run([*base, "--budget", "4", "--lang", "vi"], capsys)
    assert code == EXIT_OK and not PYTHON_TERMS.search(err)
    assert "cảnh báo: kế hoạch không có lượt chọn ngẫu nhiên nào" in err
    assert "hoặc dùng --random-share 0" in err
    code, _, err = _run(["plan", "--entities", flags, "--budget", "1", "--out", tmp_path / "p.csv"],
                        capsys)  # fmt: skip
    line = _one_error_line(err, "plan")
    assert f"--entities {flags} has several rows per officer (e.g. 'cb01')" in line


def test_file_problems_name_the_option_that_fixes_them(tmp_path, capsys):
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes(HEADER.encode("utf-8") + encode_cp1258("HS1,KS,Phường,cb,02/01/2025\n"))
    _, _, err = _run(["validate", legacy], capsys)
    assert "line 2 holds the byte 0xFD" in err and "--encoding cp1258" in err
    _one_error_line(err, "validate")
    picture = tmp_path / "cases.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    _, _, err = _run(["validate", picture, "--encoding", "cp1258", "--lang", "vi"], capsys)
    assert "cases.csv là một ảnh PNG" in _one_error_line(err, "validate", "vi")
    book = tmp_path / "export.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"a": ["ghi chú"]}).to_excel(writer, sheet_name="Ghi chú", index=False)
        pd.read_csv(SAMPLE_CSV, dtype=str).to_excel(writer, sheet_name="Dữ liệu", index=False)
    _, _, err = _run(["validate", book], capsys)
    line = _one_error_line(err, "validate")
    assert "This is the sheet 'Ghi chú'" in line and "pass --sheet 'Dữ liệu'" in line
    code, out, _ = _run(["validate", book, "--sheet", "Dữ liệu"], capsys)
    assert code == 1 and "export.xlsx (sheet 'Dữ liệu'): 33 rows in" in out
    workbook_as_csv = tmp_path / "renamed.csv"
    workbook_as_csv.write_bytes(book.read_bytes())
    code, _, err = _run(["validate", workbook_as_csv, "--sheet", "1"], capsys)
    assert code == 1 and "warning: renamed.csv is an Excel workbook (.xlsx)" in err


def test_validate_in_vietnamese_counts_and_explains_every_problem(capsys):
    code, out, _ = _run(["validate", SAMPLE_CSV, "--lang", "vi"], capsys)
    assert code == 1
    assert "ho_so_mau.csv: 33 dòng đã đọc, 25 hợp lệ, 8 bị loại" in out
    assert "hình thức nộp không xác định" in out
    assert "dòng 25: Lệ phí '-6.000' là số âm" in out
    assert "dòng 24: Ngày trả kết quả '15/01/2025 09:00' trước ngày tiếp nhận" in out


def test_scoring_in_vietnamese_writes_numbers_the_vietnamese_way(ranking, tmp_path, capsys):
    out = tmp_path / "flags.csv"
    args = ["score", ranking["cases"], "--model", ranking["model"], "--out", out, "--lang", "vi"]
    code, printed, err = _run(args, capsys)
    assert code == EXIT_OK
    assert "đọc hồ sơ ... 3.000 dòng" in err and "chấm điểm ... 3.000 hồ sơ" in err
    assert not re.search(r"\d,\d{3}\b", err + printed), "English thousands in Vietnamese output"
    assert "giây)" in err and "gắn cờ khi giá trị q <= 0,05" in printed
    assert re.search(r"huấn luyện lúc \d{2}/\d{2}/\d{4} \d{2}:\d{2} UTC trên 3\.000 hồ sơ", err)


# --------------------------------------------------------------------------- output paths


def _readonly_folder(tmp_path):
    """A folder this process cannot write to: chmod where that binds (not root), else /proc."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").write_text("x")
    except OSError:
        return folder
    (folder / "probe").unlink()
    return type(tmp_path)("/proc")  # root writes anywhere a mode allows; /proc takes no file


@pytest.mark.parametrize(
    ("command", "output"),
    [
        (["demo", "--cases", "2000", "--out"], "{folder}/demo"),
        (["report", "{cases}", "--model", "{model}", "--out"], "{folder}/report.html"),
        (["score", "{cases}", "--model", "{model}", "--out"], "{folder}/sub/flags.csv"),
        (["fit", "{cases}", "--model"], "{folder}/model.joblib"),
        (["plan", "--entities", "{officers}", "--budget", "2", "--out"], "{folder}/plan.csv"),
        (["validate", str(SAMPLE_CSV), "--rejects"], "{folder}/rejects.csv"),
    ],
)
def test_an_unwritable_output_fails_before_any_work(ranking, tmp_path, capsys, command, output):
    folder = _readonly_folder(tmp_path)
    fill = {"cases": ranking["cases"], "model": ranking["model"],
            "officers": ranking["officers"], "folder": folder}  # fmt: skip
    args = [a.format(**fill) for a in [*command, output]]
    code, out, err = _run(args, capsys)
    line = _one_error_line(err, args[0])
    assert code == EXIT_BAD_INPUT
    assert f"the folder {folder} is read-only or not yours" in line and "Choose a folder" in line
    assert err.count("\n") == 1 and not out  # not one step ran
    _, _, err = _run([*args, "--lang", "vi"], capsys)
    assert f"thư mục {folder} chỉ cho đọc" in _one_error_line(err, args[0], "vi")


def test_an_output_path_that_is_a_folder_or_under_a_file_is_refused(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    code, _, err = _run(["validate", SAMPLE_CSV, "--rejects", blocker / "r.csv"], capsys)
    assert code == EXIT_BAD_INPUT and f"the folder {blocker} is not a folder" in err
    code, _, err = _run(["validate", SAMPLE_CSV, "--rejects", tmp_path], capsys)
    assert code == EXIT_BAD_INPUT and "is a folder, not a file" in err


def test_writable_outputs_leave_no_probe_behind(tmp_path, capsys):
    out = tmp_path / "new" / "rejects.csv"
    assert _run(["validate", SAMPLE_CSV, "--rejects", out], capsys)[0] == 1
    assert sorted(os.listdir(tmp_path / "new")) == ["rejects.csv"]


def test_the_xlsx_reader_is_not_fooled_by_other_zip_files(tmp_path, capsys):
    path = tmp_path / "cases.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    _, _, err = _run(["validate", path], capsys)
    assert "cases.xlsx is a ZIP archive" in _one_error_line(err, "validate")


def test_the_demo_names_every_planted_scheme_in_vietnamese():
    from integrity_signals.commands.demo import SCHEMES_VI
    from integrity_signals.simulation.params import SCHEMES

    assert set(SCHEMES_VI) == set(SCHEMES)


def test_the_demo_prints_the_planted_scheme_in_the_readers_language(capsys):
    from integrity_signals.commands.demo import SCHEMES_VI, _print_top

    officers = pd.DataFrame({"rank": [1], "handler_id": ["cb1"], "unit_id": ["U1"],
                             "risk_score": [3.5], "n_cases": [1200], "n_flagged_cases": [40],
                             "reasons": [""], "flagged": [True]})  # fmt: skip
    truth = pd.DataFrame({"handler_id": ["cb1"], "scheme": ["overcharging"], "corrupt": [True]})
    _print_top(officers, truth, 1, "vi")
    printed = capsys.readouterr().out
    assert f"sai phạm được cài: {SCHEMES_VI['overcharging']}" in printed
    assert "overcharging" not in printed and "1.200 hồ sơ" in printed
    _print_top(officers, truth, 1, "en")
    assert "planted scheme: overcharging" in capsys.readouterr().out


def test_every_file_kind_has_a_vietnamese_name():
    from integrity_signals.commands.messages import _KIND_VI
    from integrity_signals.filetypes import _MAGIC

    kinds = {kind for _, kind, *_ in _MAGIC} | {"xlsx", "ods", "docx", "zip", "binary", "html",
                                                "xml_sheet", "text"}  # fmt: skip
    assert kinds <= set(_KIND_VI)


def _bad_inputs(folder):
    """(arguments, words the Vietnamese error holds) for each kind of unusable input."""
    good = folder / "good.csv"
    good.write_text(HEADER + "HS1,KS,P,cb,02/01/2025\n", "utf-8")
    files = {
        "empty.csv": b"",
        "blank.csv": b"a,,b\n1,2,3\n",
        "repeat.csv": b"a,a,b\n1,2,3\n",
        "notes.docx": b"x",
        "broken.parquet": b"PAR1 truncated",
        "no_score.csv": b"handler_id,unit_id\ncb1,U1\n",
    }
    for name, payload in files.items():
        (folder / name).write_bytes(payload)
    book = folder / "book.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(book, index=False)
    broken = folder / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not a workbook")
    absent = folder / "absent.toml"
    absent.write_text('[columns]\n"Số biên nhận" = "case_id"\n', "utf-8")
    unknown = folder / "unknown.toml"
    unknown.write_text('[columns]\n"Mã hồ sơ" = "dossier"\n', "utf-8")
    plan = ["plan", "--budget", "1", "--out", folder / "p.csv", "--entities"]
    return [
        (["validate", folder / "missing.csv"], "Không có tệp"),
        (["validate", folder / "empty.csv"], "tệp rỗng"),
        (["validate", folder / "blank.csv"], "bị trống"),
        (["validate", folder / "repeat.csv"], "lặp lại"),
        (["validate", folder / "notes.docx"], "không biết loại tệp"),
        (["validate", folder / "broken.parquet"], "không phải tệp Parquet"),
        (["validate", broken], "không phải bảng tính .xlsx"),
        (["validate", book, "--sheet", "Dữ liệu"], "không có trang 'Dữ liệu'"),
        (["validate", good, "--encoding", "klingon"], "Không biết bảng mã"),
        (["validate", good, "--columns", absent], "không có"),
        (["validate", good, "--columns", unknown], "không phải là cột chuẩn"),
        ([*plan, folder / "no_score.csv"], "thiếu cột 'risk_score'"),
        ([*plan, folder / "none.csv"], "Không có tệp"),
    ]


def test_every_unusable_input_is_one_line_in_vietnamese(tmp_path, capsys):
    for args, words in _bad_inputs(tmp_path):
        code, _, err = _run([*args, "--lang", "vi"], capsys)
        assert code == EXIT_BAD_INPUT, (args, err)
        line = _one_error_line(err, args[0], "vi")
        assert words in line, (args, line)
        code, _, err = _run(args, capsys)
        assert code == EXIT_BAD_INPUT and _one_error_line(err, args[0])
