"""The command line: exit codes, one-line errors, rejects output, --help with examples."""

from __future__ import annotations

import csv
import importlib.util
import io
import subprocess
import sys
import time
import tomllib
import warnings

import pandas as pd
import pytest

import integrity_signals as isig
from conftest import REPO, SAMPLE_CSV
from integrity_signals.cli import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_QUARANTINED,
    build_parser,
    main,
)
from integrity_signals.progress import Progress


def test_validate_sample_reports_bad_rows_and_exits_1(tmp_path, capsys):
    out = tmp_path / "rejects.csv"
    code = main(["validate", str(SAMPLE_CSV), "--rejects", str(out)])
    printed = capsys.readouterr().out
    assert code == EXIT_QUARANTINED == 1
    assert "33 rows in, 25 valid, 8 rejected" in printed
    assert "unknown filing channel" in printed and "row 26: channel 'Fax'" in printed
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
    assert "repeated id" in capsys.readouterr().out


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


def test_an_unknown_option_is_reported_with_the_command_usage(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["fit", "cases.csv", "--out", "model.joblib"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "usage: integrity-signals fit" in err and "--model OUT" in err
    assert "integrity-signals fit: error: unrecognized arguments: --out model.joblib" in err


# --------------------------------------------------------------------------- fit, score, plan, report

MODELS = REPO / "models"
SUBCOMMANDS = ["demo", "validate", "simulate", "fit", "score", "plan", "report"]

# The HTML report is written in parallel; the CLI imports it only to write a report.
HAS_REPORT = importlib.util.find_spec("integrity_signals.report") is not None
needs_report = pytest.mark.skipif(
    not HAS_REPORT, reason="integrity_signals.report (the HTML report) is not in this tree yet"
)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """A small simulated province as files, and a model fitted on it with the CLI."""
    folder = tmp_path_factory.mktemp("province")
    sim = isig.simulate(4000, random_state=0)
    paths = isig.write_simulation(
        sim, folder / "cases.csv", catalog_path=folder / "catalog.csv", vietnamese_headers=True
    )
    model = folder / "model.joblib"
    args = ["fit", str(paths["cases"]), "--catalog", str(paths["catalog"]), "--model", str(model)]
    assert main([*args, "--quiet"]) == EXIT_OK
    return {"cases": paths["cases"], "catalog": paths["catalog"], "model": model, "sim": sim}


def _broken_copy(path, folder):
    """The case file with two rows that break the contract (a duplicate id, a negative fee)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    raw.loc[1, "Mã hồ sơ"] = raw.loc[0, "Mã hồ sơ"]
    raw.loc[5, "Lệ phí"] = "-5.000"
    out = folder / "broken.csv"
    raw.to_csv(out, index=False, encoding="utf-8-sig")
    return out, len(raw)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([command, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert f"example:\n  integrity-signals {command}" in text and "exit status: 0" in text


@needs_report
def test_demo_writes_the_six_files_and_prints_the_top_officers(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--cases", "6000"]) == EXIT_OK
    printed = capsys.readouterr()
    names = ["flags.csv", "officers.csv", "units.csv", "plan.csv", "report.html", "model.joblib"]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert "Top officers" in printed.out and "Simulation truth:" in printed.out
    assert all(name in printed.out for name in names)
    assert "fitting ... 6,000 reference cases" in printed.err
    assert len(pd.read_csv(out / "flags.csv", encoding="utf-8-sig")) == 6000
    plan = pd.read_csv(out / "plan.csv", encoding="utf-8-sig")
    officers = pd.read_csv(out / "officers.csv", encoding="utf-8-sig")
    assert (
        len(plan) == min(10, len(officers))
        and plan["handler_id"].isin(officers["handler_id"]).all()
    )
    assert isig.RiskModel.load(out / "model.joblib").n_reference_ == 6000
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_fit_writes_models_model_joblib_by_default(province, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["fit", str(province["cases"])]) == EXIT_OK
    assert (tmp_path / "models" / "model.joblib").is_file()
    assert "written to models/model.joblib" in capsys.readouterr().out


def test_fit_on_quarantined_rows_exits_1_and_writes_them_next_to_the_model(province, tmp_path):
    broken, n = _broken_copy(province["cases"], tmp_path)
    model = tmp_path / "m.joblib"
    assert main(["fit", str(broken), "--model", str(model), "-q"]) == EXIT_QUARANTINED
    rejects = pd.read_csv(tmp_path / "m.rejects.csv", encoding="utf-8-sig")
    assert set(rejects["reason"]) == {"duplicate_id", "negative_amount"}
    assert isig.RiskModel.load(model).n_reference_ == n - 3  # both duplicates and the fee row


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_score_writes_flags_and_entities(province, tmp_path, fmt, capsys):
    out = tmp_path / f"flags.{fmt}"
    args = ["score", str(province["cases"]), "--model", str(province["model"]), "--out", str(out)]
    assert main([*args, "--entities", "handler_id,unit_id"]) == EXIT_OK
    printed = capsys.readouterr()
    read = {"csv": lambda p: pd.read_csv(p, encoding="utf-8-sig"), "parquet": pd.read_parquet}
    read["json"] = pd.read_json
    flags = read[fmt](out)
    officers = read[fmt](tmp_path / f"flags.officers.{fmt}")
    units = read[fmt](tmp_path / f"flags.units.{fmt}")
    assert len(flags) == 4000 and flags["rank"].tolist() == list(range(1, 4001))
    assert set(officers["handler_id"]) == set(province["sim"].cases["handler_id"])
    assert set(units["unit_id"]) == set(province["sim"].cases["unit_id"])
    assert "scoring ... 4,000 cases" in printed.err and str(out) in printed.out


def test_score_quarantines_bad_rows_exits_1_and_counts_add_up(province, tmp_path, capsys):
    broken, n = _broken_copy(province["cases"], tmp_path)
    out = tmp_path / "out" / "flags.csv"
    args = ["score", str(broken), "--model", str(province["model"]), "--out", str(out)]
    assert main(args) == EXIT_QUARANTINED
    flags = pd.read_csv(out, encoding="utf-8-sig")
    rejects = pd.read_csv(tmp_path / "out" / "flags.rejects.csv", encoding="utf-8-sig")
    assert len(flags) + rejects["row"].nunique() == n
    err = capsys.readouterr().err
    assert "3 of 4,000 rows quarantined (2 repeated id, 1 negative amount)" in err
    assert "flags.rejects.csv" in err


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("missing.joblib", "does not exist"),
        ("garbage.joblib", "cannot be read"),
    ],
)
def test_score_with_an_unusable_model_exits_2_before_reading(
    province, tmp_path, model, message, capsys
):
    (tmp_path / "garbage.joblib").write_bytes(b"not a model")
    args = ["score", "no/such/cases.csv", "--model", str(tmp_path / model), "--out", "x.csv"]
    assert main(args) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert err.splitlines()[-1].startswith("integrity-signals score: error: Model file")
    assert message in err and "Traceback" not in err


def test_score_of_a_file_without_a_required_column_exits_2(province, tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("case_id,procedure_id,unit_id,submitted_at\nA,P,U,02/01/2025\n", "utf-8")
    args = ["score", str(path), "--model", str(province["model"]), "--out", str(tmp_path / "f.csv")]
    assert main(args) == EXIT_BAD_INPUT
    assert "Required column 'handler_id'" in capsys.readouterr().err


def test_score_of_only_bad_rows_exits_2_and_points_to_validate(province, tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("case_id,procedure_id,unit_id,handler_id,submitted_at\nA,P,U,H,32/01/2025\n")
    args = ["score", str(path), "--model", str(province["model"]), "--out", str(tmp_path / "f.csv")]
    assert main(args) == EXIT_BAD_INPUT
    assert "No valid rows" in capsys.readouterr().err


def test_bad_entities_level_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["score", "c.csv", "--model", "m", "--out", "f.csv", "--entities", "officer_id"])
    assert exit_.value.code == 2 and "expected handler_id and/or unit_id" in capsys.readouterr().err


# --------------------------------------------------------------------------- configuration


def test_fit_config_unknown_key_names_the_closest(province, tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text("[model]\nfdrr = 0.01\n")
    args = ["fit", str(province["cases"]), "--config", str(config), "--model", str(tmp_path / "m")]
    assert main(args) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "Unknown key 'fdrr' in [model]" in err and "Did you mean 'fdr'?" in err
    assert "reading cases" not in err  # the configuration fails before any reading


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[modle]\n", "Unknown key 'modle' in [top level]"),
        ("[calendar]\nweek_mask = '1111110'\n", "Did you mean 'weekmask'?"),
        ("[model]\ncalendar = 'VN'\n", "in a [calendar] table"),
        ("[model\n", "is not valid TOML"),
        ("[model]\nfdr = 2.0\n", "The 'fdr' parameter of RiskModel must be a float in the range"),
    ],
)
def test_fit_config_errors(province, tmp_path, text, message, capsys):
    config = tmp_path / "c.toml"
    config.write_text(text)
    args = ["fit", str(province["cases"]), "--config", str(config), "--model", str(tmp_path / "m")]
    assert main(args) == EXIT_BAD_INPUT
    assert message in capsys.readouterr().err


def test_fit_config_presets(province, tmp_path):
    model = tmp_path / "m.joblib"
    for preset, fdr in (("default.toml", 0.05), ("strict.toml", 0.01)):
        args = ["fit", str(province["cases"]), "--config", str(MODELS / preset)]
        assert main([*args, "--model", str(model), "-q"]) == EXIT_OK
        fitted = isig.RiskModel.load(model)
        assert fitted.fdr == fdr and fitted.random_state == 0


def test_fit_config_sets_the_calendar(province, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(
        "[model]\nn_estimators = 20\n\n[calendar]\nweekmask = '1111110'\n"
        "extra_holidays = [2025-09-01]\noffice_hours = ['07:30', '17:00']\n"
    )
    model = tmp_path / "m.joblib"
    args = ["fit", str(province["cases"]), "--config", str(config), "--model", str(model), "-q"]
    assert main(args) == EXIT_OK
    fitted = isig.RiskModel.load(model)
    assert fitted.n_estimators == 20 and fitted.calendar.weekmask == "1111110"
    assert fitted.calendar.office_hours == ("07:30", "17:00")


def test_default_toml_shows_the_true_defaults():
    """Uncommenting every [model] setting of models/default.toml changes nothing."""
    lines, table = [], None
    for line in (MODELS / "default.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            table = line
        elif table == "[model]" and line.startswith("# ") and " = " in line:
            lines.append(line[2:])
    shown = tomllib.loads("\n".join(lines))
    defaults = isig.RiskModel().get_params()
    defaults.pop("calendar")
    assert shown == {**defaults, "random_state": 0}  # random_state: the CLI's default
    keys = set(isig.WorkCalendar().get_params())
    text = (MODELS / "default.toml").read_text(encoding="utf-8").split("[calendar]")[1]
    shown_keys = {ln[2:].split(" = ")[0] for ln in text.splitlines() if ln.startswith("# ")}
    assert shown_keys == keys


# --------------------------------------------------------------------------- plan and report


@pytest.fixture(scope="module")
def scored(province, tmp_path_factory):
    folder = tmp_path_factory.mktemp("scored")
    out = folder / "flags.csv"
    args = ["score", str(province["cases"]), "--model", str(province["model"]), "--out", str(out)]
    assert main([*args, "--entities", "handler_id,unit_id", "-q"]) == EXIT_OK
    return {
        "flags": out,
        "officers": folder / "flags.officers.csv",
        "units": folder / "flags.units.csv",
    }


def test_plan_from_score_outputs(scored, tmp_path, capsys):
    out = tmp_path / "plan.csv"
    args = ["plan", "--entities", str(scored["officers"]), "--flags", str(scored["flags"])]
    assert (
        main([*args, "--budget", "5", "--random-share", "0.2", "--seed", "3", "--out", str(out)])
        == 0
    )
    printed = capsys.readouterr().out
    plan = pd.read_csv(out, encoding="utf-8-sig")
    assert plan["selected_by"].tolist() == ["risk"] * 4 + ["random"]
    assert plan["dossiers"].str.count(",").max() == 4  # five dossiers per officer
    assert "inspection plan: 5 officers, 4 by risk, 1 at random" in printed
    again = tmp_path / "again.csv"
    assert (
        main(
            [
                *args,
                "--budget",
                "5",
                "--random-share",
                "0.2",
                "--seed",
                "3",
                "--out",
                str(again),
                "-q",
            ]
        )
        == 0
    )
    assert pd.read_csv(again, encoding="utf-8-sig").equals(plan)


def test_plan_without_seed_prints_the_one_drawn(scored, tmp_path, capsys):
    args = [
        "plan",
        "--entities",
        str(scored["units"]),
        "--budget",
        "1",
        "--out",
        str(tmp_path / "p.json"),
    ]
    assert main(args) == EXIT_OK
    assert "random draw: seed" in capsys.readouterr().err
    assert pd.read_json(tmp_path / "p.json")["unit_id"].notna().all()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--budget", "999"], "error: --budget 999 is more than the"),
        (["--budget", "2", "--entities", "no/such.csv"], "does not exist"),
    ],
)
def test_plan_bad_input_exits_2(scored, tmp_path, extra, message, capsys):
    args = ["plan", "--entities", str(scored["officers"]), "--out", str(tmp_path / "p.csv")]
    assert main([*args, *extra]) == EXIT_BAD_INPUT
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["parquet", "json"])
def test_plan_reads_rankings_in_every_format(province, tmp_path, fmt):
    flags = tmp_path / f"flags.{fmt}"
    args = ["score", str(province["cases"]), "--model", str(province["model"]), "--out", str(flags)]
    assert main([*args, "--entities", "officers", "-q"]) == EXIT_OK
    out = tmp_path / "plan.csv"
    args = ["plan", "--entities", str(tmp_path / f"flags.officers.{fmt}"), "--flags", str(flags)]
    assert main([*args, "--budget", "3", "--seed", "1", "--out", str(out), "-q"]) == EXIT_OK
    plan = pd.read_csv(out, encoding="utf-8-sig")
    assert len(plan) == 3 and plan["dossiers"].str.startswith("HS").all()


def test_format_must_match_the_extension(province, tmp_path, capsys):
    args = ["score", str(province["cases"]), "--model", str(province["model"])]
    assert main([*args, "--out", str(tmp_path / "f.csv"), "--format", "parquet"]) == 2
    assert "--format parquet does not match the extension" in capsys.readouterr().err
    assert main([*args, "--out", str(tmp_path / "flags"), "--format", "parquet", "-q"]) == 0
    assert len(pd.read_parquet(tmp_path / "flags")) == 4000


@needs_report
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_report_writes_html(province, tmp_path, lang, capsys):
    out = tmp_path / "report.html"
    args = ["report", str(province["cases"]), "--model", str(province["model"]), "--out", str(out)]
    assert main([*args, "--lang", lang, "--seed", "0"]) == EXIT_OK
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in html
    assert ("writing report ..." if lang == "en" else "ghi báo cáo ...") in capsys.readouterr().err


# --------------------------------------------------------------------------- CSV injection


FORMULAS = {
    "case_id": '=HYPERLINK("http://example.com/x","open")',
    "handler_id": "+cmd|' /C calc'!A0",
    "unit_id": "@SUM(1+1)*cmd|' /C calc'!A0",
    "applicant_id": "-2+3",
}


def test_csv_outputs_neutralise_formulas_from_user_data(tmp_path):
    """Ids that a spreadsheet would run as formulas reach every CSV output inert."""
    sim = isig.simulate(3000, random_state=1)
    cases = sim.cases.copy()
    officer, unit = cases["handler_id"].iloc[0], cases["unit_id"].iloc[0]
    cases["handler_id"] = cases["handler_id"].replace({officer: FORMULAS["handler_id"]})
    cases["unit_id"] = cases["unit_id"].replace({unit: FORMULAS["unit_id"]})
    cases.loc[cases.index[0], "case_id"] = FORMULAS["case_id"]
    cases.loc[cases.index[:50], "applicant_id"] = FORMULAS["applicant_id"]
    source = tmp_path / "cases.parquet"
    cases.to_parquet(source)
    model = tmp_path / "m.joblib"
    assert main(["fit", str(source), "--model", str(model), "-q"]) == EXIT_OK
    flags = tmp_path / "flags.csv"
    args = ["score", str(source), "--model", str(model), "--out", str(flags)]
    assert main([*args, "--entities", "handler_id,unit_id", "-q"]) == EXIT_OK
    plan = tmp_path / "plan.csv"
    args = ["plan", "--entities", str(tmp_path / "flags.officers.csv"), "--flags", str(flags)]
    assert (
        main(
            [
                *args,
                "--budget",
                str(cases["handler_id"].nunique()),
                "--seed",
                "0",
                "--out",
                str(plan),
                "-q",
            ]
        )
        == 0
    )
    seen = set()
    for path in (flags, tmp_path / "flags.officers.csv", tmp_path / "flags.units.csv", plan):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        for row in rows[1:]:
            for header, cell in zip(rows[0], row, strict=True):
                if cell[:1] in ("=", "+", "@", "-", "\t", "\r"):
                    assert header not in (
                        "case_id",
                        "handler_id",
                        "unit_id",
                        "reasons",
                        "dossiers",
                        "dossier_reasons",
                    )
                    float(cell)  # only numbers may start with a sign
                seen.update(v for v in FORMULAS.values() if "'" + v in cell)
    assert seen >= {FORMULAS["case_id"], FORMULAS["handler_id"], FORMULAS["unit_id"]}


# --------------------------------------------------------------------------- progress, logging, errors


def test_progress_is_plain_lines_off_a_terminal_and_silent_when_quiet(province, tmp_path, capsys):
    args = ["score", str(province["cases"]), "--model", str(province["model"])]
    assert main([*args, "--out", str(tmp_path / "f.csv")]) == EXIT_OK
    err = capsys.readouterr().err
    assert "\r" not in err and "\033" not in err
    assert [line.split(" ...")[0] for line in err.splitlines()] == [
        "loading model", "reading cases", "scoring", "writing flags",
    ]  # fmt: skip
    assert main([*args, "--out", str(tmp_path / "g.csv"), "--quiet"]) == EXIT_OK
    assert capsys.readouterr() == ("", "")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_a_bar_on_a_terminal():
    stream = _Terminal()
    progress = Progress(2, stream=stream)
    assert progress.live
    with progress.step("reading cases") as step:
        time.sleep(0.3)
        step.note("10 rows")
    text = stream.getvalue()
    assert "\r[----------" in text and "1/2 reading cases" in text
    assert text.endswith("\r\033[Kreading cases ... 10 rows (0.3 s)\n")


def test_an_error_during_a_step_prints_no_step_line():
    stream = io.StringIO()
    with pytest.raises(RuntimeError), Progress(1, stream=stream).step("scoring"):
        raise RuntimeError("boom")
    assert stream.getvalue() == ""


def test_library_warnings_become_one_log_line(monkeypatch, capsys):
    from integrity_signals.commands import data

    def warn(args):
        warnings.warn("42.0% of cases are flagged", UserWarning, stacklevel=1)
        warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=1)
        return EXIT_OK

    monkeypatch.setattr(data, "validate", warn)
    assert main(["validate", "x.csv"]) == EXIT_OK
    assert capsys.readouterr().err == "warning: 42.0% of cases are flagged\n"


def test_an_internal_error_exits_3_not_1(monkeypatch, capsys):
    from integrity_signals.commands import data

    def crash(args):
        raise KeyError("bug")

    monkeypatch.setattr(data, "validate", crash)
    assert main(["validate", "x.csv"]) == EXIT_INTERNAL == 3
    err = capsys.readouterr().err
    assert "internal error: KeyError" in err and "--debug" in err and err[-1] == "\n"


# ------------------------------------------------------------------ event logs (--events)

EVENTS = """case,step,at,who
A,receive,2025-03-03 08:00,desk1
A,return,2025-03-05 16:00,cb7
B,receive,2025-03-04 08:00,desk1
B,return,2025-03-04 07:00,cb8
"""
PRESET = """[events]
case = "case"
activity = "step"
timestamp = "at"
resource = "who"
start_activities = ["receive"]
end_activities = ["return"]
handler_activity = ["return"]
[constants]
procedure_id = "P"
unit_id = "U"
[reader]
dayfirst = false
[calendar]
country = "NL"
"""


@pytest.fixture
def event_files(tmp_path):
    events, preset = tmp_path / "events.csv", tmp_path / "preset.toml"
    events.write_text(EVENTS, encoding="utf-8")
    preset.write_text(PRESET, encoding="utf-8")
    return events, preset


def test_validate_an_event_log_counts_events(event_files, tmp_path, capsys):
    events, preset = event_files
    out = tmp_path / "rejects.csv"
    code = main(["validate", str(events), "--events", str(preset), "--rejects", str(out)])
    printed = capsys.readouterr().out
    assert code == EXIT_QUARANTINED
    assert "4 events in, 2 in 1 cases (0 open), 2 rejected" in printed
    assert "event 4: case B: completed_at '2025-03-04 07:00:00' is before" in printed
    rejects = pd.read_csv(out, encoding="utf-8-sig")
    assert rejects["row"].tolist() == [3, 4] and set(rejects["case_id"]) == {"B"}


def test_fit_and_score_an_event_log_with_the_presets_calendar(event_files, tmp_path, capsys):
    events, preset = event_files
    model = tmp_path / "m.joblib"
    assert main(["fit", str(events), "--events", str(preset), "--model", str(model)]) == 1
    err = capsys.readouterr().err
    assert "2 of 4 events quarantined (2 returned before it was received)" in err
    assert isig.RiskModel.load(model).calendar.country == "NL"
    flags = tmp_path / "flags.csv"
    code = main(["score", str(events), "--events", str(preset), "--model", str(model),
                 "--out", str(flags), "--quiet"])  # fmt: skip
    assert code == EXIT_QUARANTINED and len(pd.read_csv(flags)) == 1
    assert (tmp_path / "flags.rejects.csv").is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--columns", "map.toml"], "--columns maps the headers of a case file"),
        (["--catalog"], "--catalog and --events exclude each other"),
    ],
)
def test_event_log_options_that_clash_exit_2(event_files, extra, message, capsys):
    events, preset = event_files
    assert main(["validate", str(events), "--events", str(preset), *extra]) == EXIT_BAD_INPUT
    assert message in capsys.readouterr().err


def test_a_missing_preset_exits_2(event_files, capsys):
    events, _ = event_files
    assert main(["validate", str(events), "--events", "nope.toml"]) == EXIT_BAD_INPUT
    assert "Event-log preset 'nope.toml' does not exist" in capsys.readouterr().err


def test_an_event_log_is_told_in_vietnamese(event_files, tmp_path, capsys):
    events, preset = event_files
    code = main(["validate", str(events), "--events", str(preset), "--lang", "vi"])
    printed = capsys.readouterr().out
    assert code == EXIT_QUARANTINED
    assert "4 sự kiện đã đọc, 2 sự kiện thuộc 1 hồ sơ (0 chưa trả kết quả), 2 bị loại" in printed
    assert "ngày trả trước ngày tiếp nhận" in printed and "completed_before" not in printed
    assert "sự kiện 4: hồ sơ B: ngày trả kết quả '2025-03-04 07:00:00' trước ngày tiếp nhận" in (
        printed
    )
    model = tmp_path / "m.joblib"
    args = ["fit", str(events), "--events", str(preset), "--model", str(model), "--lang", "vi"]
    assert main(args) == EXIT_QUARANTINED
    err = capsys.readouterr().err
    assert "đọc hồ sơ ... 4 sự kiện trong 1 hồ sơ, 2 bị loại" in err
    assert "2 trên 4 sự kiện bị loại (2 ngày trả trước ngày tiếp nhận)" in err
    assert "events" not in err and "quarantined" not in err


def test_event_log_errors_speak_the_command_line_in_both_languages(event_files, tmp_path, capsys):
    events, _ = event_files
    preset = tmp_path / "wrong.toml"
    preset.write_text(
        '[events]\ncase = "case"\nactivity = "step"\ntimestamp = "when"\n', encoding="utf-8"
    )
    cases = [
        (["--events", str(preset)], "Set timestamp to the right header in the [events]",
         "Hãy ghi đúng tiêu đề cho timestamp trong bảng [events]"),
        (["--events", "nope.toml"], "Event-log preset 'nope.toml' does not exist",
         "Không có tệp cấu hình nhật ký 'nope.toml' (--events)"),
        (["--events", str(preset), "--catalog"], "--catalog and --events exclude each other",
         "Không dùng --catalog cùng với --events"),
    ]  # fmt: skip
    for extra, en, vi in cases:
        assert main(["validate", str(events), *extra]) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert en in err and "an argument" not in err, err
        assert main(["validate", str(events), *extra, "--lang", "vi"]) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert err.startswith("integrity-signals validate: lỗi: ") and vi in err, err


def test_an_event_log_run_checks_its_outputs_before_reading(event_files, tmp_path, monkeypatch):
    import integrity_signals.eventlog as eventlog

    events, preset = event_files
    monkeypatch.setattr(eventlog, "read_event_log", lambda *a, **k: pytest.fail("read first"))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = str(blocker / "m.joblib")  # under a file: no folder can be made there
    assert main(["fit", str(events), "--events", str(preset), "--model", out]) == EXIT_BAD_INPUT
