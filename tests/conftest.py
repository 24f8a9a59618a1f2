"""Shared fixtures: seeds, a minimal valid case frame, file writers for encodings."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CSV = REPO / "examples" / "data" / "ho_so_mau.csv"


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
