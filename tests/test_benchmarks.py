"""Smoke runs of the benchmark scripts at tiny sizes: they start, run and print their tables.

The figures themselves are measured by running the scripts (``benchmarks/RESULTS.md``),
never as timed tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=BENCHMARKS, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_speed_prints_every_stage_with_its_ratio(tmp_path):
    out = run("speed.py", "--cases", "800", "--stages", "validate,saved", "--dir", str(tmp_path))
    rows = {line.split(" | ")[1]: line for line in out.splitlines() if line.startswith("| 800 |")}
    assert {"bare", "score_samples", "fit", "validate", "saved", "model file"} <= set(rows)
    assert "x | score_samples |" in rows["saved"]  # the saved model against score_samples
    assert "x | bare |" in rows["fit"]
    assert (tmp_path / "province_800_0.model.joblib").exists()


def test_speed_rejects_an_unknown_stage(tmp_path):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "speed.py"), "--stages", "warp", "--dir", str(tmp_path)],
        cwd=BENCHMARKS, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "unknown stages ['warp']" in done.stderr


@pytest.mark.slow
def test_same_output_finds_its_own_outputs_identical(tmp_path):
    run("same_output.py", "--write", str(tmp_path), "--cases", "1500", "--seeds", "0")
    out = run("same_output.py", "--compare", str(tmp_path))
    assert out.count(": identical") == 12


@pytest.mark.slow
def test_quality_runs_at_a_tiny_size():
    out = run("quality.py", "--sizes", "1500", "--seeds", "0")
    assert "| 1,500 | 0 |" in out
