"""Procedure catalog: aliases, Vietnamese terms and fees, quarantine, fee schedules over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import integrity_signals as isig


def test_catalog_from_a_vietnamese_sheet(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(
        "Mã thủ tục,Tên thủ tục,Lĩnh vực,Thời hạn giải quyết,Lệ phí\n"
        "1.001193,Đăng ký khai sinh,Hộ tịch,Trong ngày,Miễn phí\n"
        '2.000908,Chứng thực bản sao,Chứng thực,04 giờ,"6.000 đồng/trang"\n'
        "1.004227,Cấp GCN quyền sử dụng đất,Đất đai,30 ngày làm việc,\n",
        encoding="utf-8",
    )
    cat = isig.read_catalog(path)
    c = cat.catalog
    assert cat.n_rejected == 0 and len(c) == 3
    assert c["statutory_days"].tolist() == [0.0, 0.5, 30.0]
    assert c["fee_official"].tolist()[:2] == [0.0, 6000.0] and np.isnan(c["fee_official"].iloc[2])
    assert c["sector"].tolist() == ["Hộ tịch", "Chứng thực", "Đất đai"]


def test_catalog_quarantine_and_fee_schedule_rows():
    frame = pd.DataFrame(
        {
            "procedure_id": ["A", "A", "B", "B", "C", ""],
            "valid_from": ["01/01/2024", "01/07/2025", "", "", "", ""],
            "statutory_days": ["5", "5", "3", "4", "-2", "1"],
            "fee_official": ["10.000", "20.000", "0", "0", "x", "0"],
        }
    )
    cat = isig.validate_catalog(frame)
    assert cat.catalog["procedure_id"].tolist() == ["A", "A"]
    got = sorted(zip(cat.rejects["row"], cat.rejects["reason"], strict=True))
    assert got == [
        (3, "duplicate_id"), (4, "duplicate_id"), (5, "negative_count"),
        (5, "unparseable_amount"), (6, "missing_value"),
    ]  # fmt: skip
    assert "procedure_id" in cat.rejects.columns
    assert cat.n_input == len(cat.catalog) + cat.n_rejected
    assert "6 rows in, 2 valid, 4 rejected" in str(cat.summary())


def test_catalog_needs_a_procedure_column():
    with pytest.raises(isig.SchemaError, match="Required column 'procedure_id'"):
        isig.validate_catalog(pd.DataFrame({"Tên thủ tục": ["x"]}))
