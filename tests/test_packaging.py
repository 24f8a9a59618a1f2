"""The installed package holds every data file the code reads (a non-editable install)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "integrity_signals"


def test_every_data_file_of_the_package_is_declared_as_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["integrity_signals"]
    data = [
        p.relative_to(PACKAGE)
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert data, "the package has data files (py.typed, the Cauchy null table)"
    missing = [str(p) for p in data if not any(p.match(g) for g in globs)]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
