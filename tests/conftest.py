"""Shared fixtures: seeds, a minimal valid case frame, file writers for encodings."""

from __future__ import annotations

import unicodedata
import warnings
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CSV = REPO / "examples" / "data" / "ho_so_mau.csv"

HOSTILE_OFFICER = "<script>alert(1)</script>"
HOSTILE_CASE = '"><img src=x onerror=alert(1)>'
TOP_CASES = 20


@pytest.fixture(params=[0, 1, 2], ids=lambda s: f"seed{s}")
def seed(request) -> int:
    """The seeds every randomised test runs under."""
    return request.param


def minimal_cases(n: int = 3, **overrides) -> pd.DataFrame:
    """A valid frame with the required canonical columns (and any overrides)."""
    data = {
        "case_id": [f"HS{i:03d}" for i in range(n)],
        "procedure_id": ["KS01"] * n,
        "unit_id": ["P1"] * n,
        "handler_id": [f"cb{i % 2}" for i in range(n)],
        "submitted_at": ["02/01/2025 08:00"] * n,
    }
    data.update(overrides)
    return pd.DataFrame(data)


def encode_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 the way Vietnamese Windows programs do (base letter + tone mark)."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        for i in range(1, len(parts)):
            base = unicodedata.normalize("NFC", parts[:i] + parts[i + 1 :])
            try:
                out += base.encode("cp1258") + parts[i].encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise UnicodeEncodeError("cp1258", ch, 0, 1, "no decomposition fits")
    return out


@pytest.fixture(scope="session")
def report_job():
    """A small province with a hostile officer name (before fitting) and a hostile case id
    (on the riskiest case of the scored batch), and its report in both languages."""
    import integrity_signals as isig
    from integrity_signals.report import render_report

    sim = isig.simulate(8_000, random_state=0, officers_per_scheme=1)
    cases = sim.cases.copy()
    cases["handler_id"] = cases["handler_id"].replace({"U002-CB05": HOSTILE_OFFICER})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the engine's flag-rate and digit warnings
        model = isig.RiskModel(random_state=0).fit(cases, catalog=sim.catalog)
        first = model.score(cases)["case_id"].iloc[0]
        cases["case_id"] = cases["case_id"].replace({first: HOSTILE_CASE})
        data = isig.validate_cases(cases)
        flags = model.score(data, lang="vi")
        officers = model.score_entities(data, level="handler_id", lang="vi")
        units = model.score_entities(data, level="unit_id", lang="vi")
        plan = isig.plan_inspections(
            officers, budget=6, random_share=0.2, random_state=1, flags=flags
        )
        pages = {
            "en": render_report(model, cases, top_cases=TOP_CASES),  # computes everything
            "vi": render_report(model, data, flags=flags, officers=officers, units=units,
                                plan=plan, lang="vi", top_cases=TOP_CASES),
        }  # fmt: skip
    return {"model": model, "data": data, "flags": flags, "officers": officers, "plan": plan,
            "pages": pages}  # fmt: skip


# --------------------------------------------------------------------------- property and fuzz runs
def pytest_terminal_summary(terminalreporter):
    """The examples each property and fuzz test ran (tests/_fuzzing.py), for the CI log."""
    from _fuzzing import EXAMPLE_COUNTS

    if EXAMPLE_COUNTS:
        terminalreporter.write_sep("-", "hypothesis examples run")
        for name, n in sorted(EXAMPLE_COUNTS.items()):
            terminalreporter.write_line(f"{name}: {n:,} examples")
        terminalreporter.write_line(f"total: {sum(EXAMPLE_COUNTS.values()):,} examples")
