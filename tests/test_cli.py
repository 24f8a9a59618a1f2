"""The command line: exit codes, one-line errors, rejects output, --help with examples."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from conftest import SAMPLE_CSV
from integrity_signals.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_QUARANTINED, main


def test_validate_sample_reports_bad_rows_and_exits_1(tmp_path, capsys):
    out = tmp_path / "rejects.csv"
    code = main(["validate", str(SAMPLE_CSV), "--rejects", str(out)])
    printed = capsys.readouterr().out
    assert code == EXIT_QUARANTINED == 1
    assert "33 rows in, 25 valid, 8 rejected" in printed
    assert "unknown_channel" in printed and "row 26: channel 'Fax'" in printed
    rejects = pd.read_csv(out, encoding="utf-8-sig")
    assert len(rejects) == 8 and rejects["row"].tolist()[:2] == [21, 22]
    assert rejects.loc[rejects["reason"] == "negative_amount", "value"].iloc[0] == "'-6.000"


def test_validate_clean_file_exits_0(tmp_path, capsys):
    clean = tmp_path / "clean.csv"
    clean.write_text(
        "case_id,procedure_id,unit_id,handler_id,submitted_at\nA,P,U,H,02/01/2025\n",
        encoding="utf-8",
    )
    assert main(["validate", str(clean), "--quiet"]) == EXIT_OK == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "no/such/file.csv"], "does not exist"),
        (["validate", "{sample}", "--columns", "no_map.toml"], "does not exist"),
        (["validate", "{sample}", "--encoding", "no-such-codec"], "no-such-codec"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    args = [a.replace("{sample}", str(SAMPLE_CSV)) for a in args]
    assert main(args) == EXIT_BAD_INPUT == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("integrity-signals validate: error:") and message in err
    assert "\n" not in err and "Traceback" not in err


def test_debug_shows_the_traceback():
    with pytest.raises(Exception, match="does not exist"):
        main(["validate", "no/such/file.csv", "--debug"])


def test_missing_column_error_names_the_fix(tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("Mã hồ sơ,Thủ tục,Đơn vị,Ngày nộp\n1,2,3,02/01/2025\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Required column 'handler_id'" in err and "Headers found: 'Mã hồ sơ'" in err


def test_catalog_mode(tmp_path, capsys):
    path = tmp_path / "cat.csv"
    path.write_text("Mã thủ tục,Thời hạn giải quyết,Lệ phí\nKS01,3,0\nKS01,4,0\n", encoding="utf-8")
    assert main(["validate", str(path), "--catalog"]) == 1
    assert "duplicate_id" in capsys.readouterr().out


def test_console_script_help_has_an_example():
    done = subprocess.run(
        [sys.executable, "-m", "integrity_signals.cli", "validate", "--help"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "example:" in done.stdout and "exit status: 0 all rows valid" in done.stdout


def test_simulate_writes_cases_truth_and_catalog(tmp_path, capsys):
    out, truth, cat = tmp_path / "c.csv", tmp_path / "t.csv", tmp_path / "k.csv"
    code = main(["simulate", "--cases", "3000", "--out", str(out), "--truth", str(truth),
                 "--catalog", str(cat), "--vietnamese-headers", "--seed", "3"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "simulated 3,000 cases" in printed and "truth written to" in printed
    import integrity_signals as isig

    data = isig.read_cases(out)
    assert data.n_input == 3000 and data.n_rejected == 0
    assert isig.read_catalog(cat).n_rejected == 0
    assert len(pd.read_csv(truth)) == 3000


def test_simulate_rejects_a_bad_size(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["simulate", "--cases", "0", "--out", "x.csv"])
    assert exit_.value.code == 2 and "must be an integer >= 1" in capsys.readouterr().err
