"""Reading 1M cases: `isig.read_cases` against a bare `pandas.read_csv(engine="pyarrow")`.

The file looks like a Vietnamese export: Vietnamese headers, dd/mm/yyyy
HH:MM dates, VND amounts written "1.500.000", channel in Vietnamese. The bare
read only splits the text; read_cases also maps columns, parses every value,
checks every rule and quarantines bad rows (there are a few).

    python benchmarks/read_cases.py [--rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import interleaved, machine, peak_mb

import integrity_signals as isig


def write_export(path: Path, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    submitted = pd.Timestamp("2025-01-01 07:30") + pd.to_timedelta(
        rng.integers(0, 330 * 86400, n), unit="s"
    )
    took = pd.to_timedelta(rng.gamma(2.0, 3.0, n) * 86400, unit="s")
    completed = pd.Series(submitted + took)
    completed[rng.random(n) < 0.05] = pd.NaT  # pending
    fee = rng.choice([0, 6_000, 50_000, 100_000, 1_500_000], n)
    frame = pd.DataFrame(
        {
            "Mã hồ sơ": np.char.add("HS", np.arange(n).astype(str)),
            "Mã thủ tục": np.char.add("TT", rng.integers(0, 500, n).astype(str)),
            "Đơn vị": np.char.add("Phường ", rng.integers(0, 300, n).astype(str)),
            "Cán bộ tiếp nhận": np.char.add("TN", rng.integers(0, 3000, n).astype(str)),
            "Cán bộ xử lý": np.char.add("CB", rng.integers(0, 3000, n).astype(str)),
            "Người nộp": np.char.add("CD", rng.integers(0, n // 3, n).astype(str)),
            "Ngày tiếp nhận": pd.Series(submitted).dt.strftime("%d/%m/%Y %H:%M"),
            "Ngày hẹn trả": (pd.Series(submitted) + pd.Timedelta(days=10)).dt.strftime("%d/%m/%Y"),
            "Ngày trả kết quả": completed.dt.strftime("%d/%m/%Y %H:%M").fillna(""),
            "Lệ phí": pd.Series(fee).map(lambda v: f"{v:,}".replace(",", ".")),
            "Mức phí quy định": pd.Series(fee).map(lambda v: f"{v:,}".replace(",", ".")),
            "Hình thức nộp": rng.choice(["Trực tuyến", "Trực tiếp", "Bưu chính"], n),
            "Số lần bổ sung": rng.poisson(0.2, n),
            "Trạng thái": "Đã trả kết quả",
        }
    )
    bad = rng.choice(n, 20, replace=False)
    frame.loc[bad[:10], "Ngày tiếp nhận"] = "31/02/2025"
    frame.loc[bad[10:], "Lệ phí"] = "-6.000"
    frame.to_csv(path, index=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        write_export(path, args.rows)
        data = isig.read_cases(path)
        assert data.n_input == args.rows == len(data.cases) + data.n_rejected
        times = interleaved(
            {
                "pandas.read_csv(engine='pyarrow')": lambda: pd.read_csv(path, engine="pyarrow"),
                "isig.read_cases": lambda: isig.read_cases(path),
            },
            args.repeats,
        )
        base, ours = times.values()
        mem_base, _ = peak_mb(f"import pandas as pd; pd.read_csv({str(path)!r}, engine='pyarrow')")
        mem_ours, _ = peak_mb(f"import integrity_signals as isig; isig.read_cases({str(path)!r})")
        size_mb = path.stat().st_size / 1e6
    load = os.getloadavg()[0]
    print(
        f"machine: {machine()}; load average {load:.1f}; rows: {args.rows:,}; file: {size_mb:.0f} MB"
    )
    print("| step | median s | peak MB |")
    print("| --- | --- | --- |")
    print(f"| bare pandas.read_csv(engine='pyarrow') | {base:.2f} | {mem_base:.0f} |")
    print(f"| isig.read_cases (map, parse, validate, quarantine) | {ours:.2f} | {mem_ours:.0f} |")
    print(f"| ratio | {ours / base:.2f}x | {mem_ours / mem_base:.2f}x |")
    print(f"rejected rows: {data.n_rejected} (20 planted)")


if __name__ == "__main__":
    main()
