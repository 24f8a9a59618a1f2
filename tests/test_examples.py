"""The scripts in examples/ run as a user would run them, in an empty folder."""

from __future__ import annotations

import runpy
import sys

import pandas as pd
import pytest

import integrity_signals as isig
from conftest import REPO

EXAMPLES = REPO / "examples"


def run_example(name: str, folder, monkeypatch) -> str:
    """Run ``examples/<name>`` as ``__main__`` with ``folder`` as cwd and as its OUT_DIR."""
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "argv", [name, str(folder / "out")])
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    return name


def test_every_example_is_tested():
    tested = {"quickstart.py", "monthly_batch.py", "vietnamese_export.py", "real_logs.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


def test_quickstart(tmp_path, monkeypatch, capsys):
    run_example("quickstart.py", tmp_path, monkeypatch)
    printed = capsys.readouterr().out
    assert "15,000 rows in, 15,000 valid, 0 rejected" in printed
    assert "ProblemRateEstimate(" in printed
    out = tmp_path / "out"
    assert isig.RiskModel.load(out / "model.joblib").n_reference_ == 15_000
    plan = pd.read_parquet(out / "plan.parquet")
    assert len(plan) == 6 and (plan["selected_by"] == "random").sum() == 1


def test_monthly_batch(tmp_path, monkeypatch, capsys):
    run_example("monthly_batch.py", tmp_path, monkeypatch)
    printed = capsys.readouterr().out
    out = tmp_path / "out"
    flags = pd.read_parquet(out / "flags_2026-01.parquet")
    rejects = pd.read_csv(out / "rejects_2026-01.csv")
    month = isig.read_cases(out / "cases_2026-01.csv")
    assert len(flags) + rejects["row"].nunique() == month.n_input  # nothing lost
    assert set(rejects["reason"]) == {"completed_before_submitted"}
    assert "exit status 1" in printed
    model = isig.RiskModel.load(out / "models" / "province-2025.joblib")
    assert model.n_reference_ == len(pd.read_parquet(out / "cases_2025.parquet"))


def test_vietnamese_export(tmp_path, monkeypatch, capsys):
    run_example("vietnamese_export.py", tmp_path, monkeypatch)
    printed = capsys.readouterr().out
    assert "without a map: Required column" in printed
    assert "12,000 rows in, 12,000 valid, 0 rejected" in printed
    mapped = isig.read_cases(
        tmp_path / "out" / "ho_so_xa.csv", tmp_path / "out" / "ban_do_cot.toml"
    )
    assert mapped.n_rejected == 0 and len(mapped.cases) == 12_000
    if (EXAMPLES / "data" / "ho_so_mau.csv").is_file():
        assert "33 rows in, 25 valid, 8 rejected" in printed


REAL_LOGS = REPO.parent / "shared" / "data" / "real"


@pytest.mark.skipif(not REAL_LOGS.is_dir(), reason=f"the shared real logs are not in {REAL_LOGS}")
def test_real_logs(tmp_path, monkeypatch, capsys):
    run_example("real_logs.py", tmp_path, monkeypatch)
    printed = capsys.readouterr().out
    assert "8,577 events in, 8,573 in 1,432 cases (105 open), 4 rejected" in printed
    assert "52,217 events in, 52,217 in 1,199 cases (126 open), 0 rejected" in printed
    assert "34,724 events in, 34,724 in 10,000 cases (0 open), 0 rejected" in printed
    assert "fee levels that changed for everyone" in printed and "[22, 36]         [23]" in printed
    fines = printed.split("=== fines")[1]
    assert "0 of 10,000 cases flagged" in fines and "fee" not in fines.split("flagged", 1)[1]
    for name in ("wabo", "bpic15", "fines"):
        html = (tmp_path / "out" / f"{name}.html").read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and f"{name}:" in html


@pytest.mark.parametrize(
    "name", ["quickstart.py", "monthly_batch.py", "vietnamese_export.py", "real_logs.py"]
)
def test_examples_document_how_to_run_them(name):
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    assert f"python examples/{name}" in text
