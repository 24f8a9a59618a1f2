"""Fault drills: a killed writer, a folder turned read-only, Ctrl-C during score, a full disk and
a file larger than the memory allowed. Nothing is lost or left half-written."""

from __future__ import annotations

import errno
import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import pandas as pd
import pytest

import integrity_signals as isig
from integrity_signals import atomic, export
from integrity_signals.cli import EXIT_BAD_INPUT, main

EXIT_INTERRUPTED = 130


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    """A fitted model file and a batch file."""
    folder = tmp_path_factory.mktemp("drills")
    sim = isig.simulate(n_cases=6_000, random_state=4)
    cases = folder / "cases.csv"
    sim.cases.to_csv(cases, index=False)
    model = folder / "model.joblib"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        isig.RiskModel(random_state=0, n_estimators=30).fit(sim.cases).save(model)
    return {"cases": cases, "model": model, "sim": sim}


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def test_a_writer_killed_mid_write_leaves_the_previous_output_intact(tmp_path):
    out = tmp_path / "flags.csv"
    out.write_text("the previous month's flags\n", encoding="utf-8")
    script = textwrap.dedent(f"""
        import time, pandas as pd
        from integrity_signals import export
        def slow(table, fh):  # half the table, then stuck until killed
            fh.write(b"case_id,risk_score\\nHS1,0.5\\n"); fh.flush(); time.sleep(60)
        export.pacsv.write_csv = slow
        export.write_table(pd.DataFrame({{"case_id": ["HS1"]}}), {str(out)!r})
    """)
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not any(p.stat().st_size for p in tmp_path.glob(".flags.csv.tmp-*")):
            assert time.monotonic() < deadline and child.poll() is None, "the writer never started"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)  # no handler, no cleanup: a power cut, an OOM kill
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert out.read_text(encoding="utf-8") == "the previous month's flags\n"


@pytest.fixture(scope="module")
def long_batch(job, tmp_path_factory):
    """A batch thirty times the job's (new case ids), so that scoring lasts seconds, not a fraction
    of one: an interrupt sent when the cases are read must arrive while the work runs."""
    sim = job["sim"]
    cases = pd.concat(
        [sim.cases.assign(case_id=f"R{i}-" + sim.cases["case_id"]) for i in range(30)],
        ignore_index=True,
    )
    path = tmp_path_factory.mktemp("long") / "cases.csv"
    cases.to_csv(path, index=False)
    return path


def test_ctrl_c_during_score_exits_130_with_no_partial_files(job, long_batch, tmp_path):
    out = tmp_path / "flags.csv"
    args = [sys.executable, "-m", "integrity_signals.cli", "score", str(long_batch),
            "--model", str(job["model"]), "--out", str(out), "--entities", "handler_id,unit_id",
            "--force"]  # fmt: skip
    child = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in child.stderr:  # one line per finished step: interrupt once the cases are read
        lines.append(line)
        if line.startswith("reading cases"):
            child.send_signal(signal.SIGINT)
            break
    err = "".join(lines) + child.stderr.read()
    assert child.wait(60) == EXIT_INTERRUPTED, err
    assert "integrity-signals score: interrupted" in err
    assert list(tmp_path.iterdir()) == []  # no flags, no officers, no half-written file


def test_ctrl_c_while_writing_leaves_no_partial_set(job, tmp_path, monkeypatch, capsys):
    """Interrupted between two tables: neither the new flags nor the new officers replace the
    previous ones (the set is renamed only once every table is written)."""
    out = tmp_path / "flags.csv"
    officers = tmp_path / "flags.officers.csv"
    out.write_text("old flags\n")
    officers.write_text("old officers\n")
    calls = []

    def interrupted(table, path, fmt):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        original(table, path, fmt)

    original = export.write_to
    monkeypatch.setattr("integrity_signals.commands.scoring.write_to", interrupted)
    code = main(["score", str(job["cases"]), "--model", str(job["model"]), "--out", str(out),
                 "--entities", "handler_id", "--force", "-q"])  # fmt: skip
    assert code == EXIT_INTERRUPTED and len(calls) == 2
    assert out.read_text() == "old flags\n" and officers.read_text() == "old officers\n"
    assert _leftovers(tmp_path) == []


def test_a_full_disk_exits_2_naming_the_folder_and_keeps_the_previous_output(
    job, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "flags.csv"
    out.write_text("old flags\n")

    def full(table, fh):
        fh.write(b"case_id,risk")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export.pacsv, "write_csv", full)
    code = main(["score", str(job["cases"]), "--model", str(job["model"]), "--out", str(out),
                 "--force"])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == EXIT_BAD_INPUT
    assert f"Cannot write {out}: the disk is full (No space left on device) in the folder" in err
    assert str(tmp_path) in err and "free some space or choose another folder" in err
    assert out.read_text() == "old flags\n" and _leftovers(tmp_path) == []
    code = main(["score", str(job["cases"]), "--model", str(job["model"]), "--out", str(out),
                 "--force", "--lang", "vi"])  # fmt: skip
    assert "ổ đĩa đã đầy" in capsys.readouterr().err


def test_a_folder_that_turns_read_only_before_the_write_exits_2_naming_it(
    job, tmp_path, monkeypatch, capsys
):
    """The folder passed the check at the start (tests/test_cli_messages.py covers a folder
    read-only from the start), then became read-only (a remount) before the write."""
    out = tmp_path / "out" / "flags.csv"

    def readonly(path):
        raise OSError(errno.EROFS, "Read-only file system", str(path.parent))

    monkeypatch.setattr(atomic, "_temporary", readonly)
    code = main(["score", str(job["cases"]), "--model", str(job["model"]), "--out", str(out),
                 "--force"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert (
        f"the folder is read-only or not yours (Read-only file system) in the folder {out.parent}"
        in err
    )
    assert not out.exists()


def test_a_model_save_that_fails_keeps_the_previous_model(job, tmp_path, monkeypatch):
    path = tmp_path / "model.joblib"
    path.write_bytes(job["model"].read_bytes())
    model = isig.RiskModel.load(path)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("integrity_signals.persistence.joblib.dump", full)
    with pytest.raises(atomic.OutputError, match="the disk is full"):
        model.save(path)
    assert path.read_bytes() == job["model"].read_bytes() and _leftovers(tmp_path) == []


# --------------------------------------------------------------------------- memory


def test_a_file_larger_than_the_memory_allowed_is_refused_before_loading(job, tmp_path, capsys):
    out = tmp_path / "flags.csv"
    code = main(["score", str(job["cases"]), "--model", str(job["model"]), "--out", str(out),
                 "--max-memory", "200M"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and not out.exists()
    assert re.search(r"cases.csv holds about [\d,]+ rows", err) and "than the 0.2 GB allowed" in err
    assert "loading model" not in err  # refused before any work
    code = main(["fit", str(job["cases"]), "--model", str(tmp_path / "m.joblib"),
                 "--max-memory", "1M"])  # fmt: skip
    assert code == EXIT_BAD_INPUT
    with pytest.raises(SystemExit) as exit_:  # argparse: --max-memory must be a size
        main(["score", str(job["cases"]), "--model", str(job["model"]), "--out", str(out),
              "--max-memory", "lots"])  # fmt: skip
    code = exit_.value.code
    assert "--max-memory: must be a size such as 4G" in capsys.readouterr().err
    assert code == EXIT_BAD_INPUT  # argparse: --max-memory must be a size


def test_validate_reads_a_csv_larger_than_the_memory_allowed_in_chunks(job, tmp_path, capsys):
    cases = job["sim"].cases.copy()
    cases.loc[3, "case_id"] = cases.loc[5_000, "case_id"]  # a duplicate far apart
    cases.loc[5, "fee_charged"] = -1.0
    path = tmp_path / "cases.csv"
    cases.to_csv(path, index=False)
    assert main(["validate", str(path), "--rejects", str(tmp_path / "a.csv")]) == 1
    whole = capsys.readouterr().out
    assert main(["validate", str(path), "--max-memory", "300.5M", "--rejects",
                 str(tmp_path / "b.csv")]) == 1  # fmt: skip
    captured = capsys.readouterr()
    assert "validated block by block" in captured.err
    head = whole.splitlines()[0]
    assert head == captured.out.splitlines()[0]  # rows in, valid, rejected: the same
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    assert sorted(a["row"]) == sorted(b["row"]) and sorted(a["reason"]) == sorted(b["reason"])


def test_the_estimate_follows_the_file(tmp_path):
    from integrity_signals.resources import estimate_rows, parse_size

    sim = isig.simulate(n_cases=2_000, random_state=0)
    for name in ("c.csv", "c.csv.gz", "c.parquet"):
        path = tmp_path / name
        if name.endswith("parquet"):
            sim.cases.to_parquet(path)
        else:
            sim.cases.to_csv(path, index=False)
        assert abs(estimate_rows(path) - 2_000) < 100, name
    assert parse_size("50%") < parse_size("100%") and parse_size("1.5G") == int(1.5 * 2**30)
    with pytest.raises(ValueError, match="must be a size"):
        parse_size("0")
