"""Invariants over random messy frames: no row is lost, row order does not matter."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import integrity_signals as isig

ids = st.one_of(
    st.sampled_from(["HS1", "HS2", "HS3", "00HS4", " HS5 ", "", None]), st.text(max_size=6)
)
dates = st.one_of(
    st.sampled_from(
        [
            "02/01/2025",
            "31/02/2025",
            "2025-01-05 08:30",
            "",
            None,
            "abc",
            "45750",
            "01/01/1900",
            "03/01/2025 17:45:10",
            "2025-01-02T08:00:00+07:00",
        ]
    ),  # fmt: skip
    st.dates(
        min_value=pd.Timestamp("1980-01-01").date(), max_value=pd.Timestamp("2110-01-01").date()
    ).map(lambda d: d.strftime("%d/%m/%Y")),
)
amounts = st.one_of(
    st.sampled_from(["50.000", "1,500,000 đ", "-6.000", "", None, "x", "Miễn phí", "0"]),
    st.integers(min_value=-10, max_value=10**7).map(str),
)
counts = st.sampled_from(["0", "1", "2", "-1", "1.5", "", None, "hai"])
channels = st.sampled_from(["Trực tuyến", "Trực tiếp", "Bưu chính", "fax", "", None])


@st.composite
def messy_frames(draw):
    n = draw(st.integers(min_value=0, max_value=25))

    def col(strategy):
        return draw(st.lists(strategy, min_size=n, max_size=n))

    return pd.DataFrame(
        {
            "Mã hồ sơ": col(ids),
            "Mã thủ tục": col(st.sampled_from(["KS01", "DD02", "", None])),
            "Đơn vị": col(st.sampled_from(["P1", "P2"])),
            "Cán bộ xử lý": col(st.sampled_from(["cb1", "cb2", "", None])),
            "Ngày tiếp nhận": col(dates),
            "Ngày hẹn trả": col(dates),
            "Ngày trả kết quả": col(dates),
            "Lệ phí": col(amounts),
            "Hình thức nộp": col(channels),
            "Số lần bổ sung": col(counts),
            "Ghi chú": col(st.text(max_size=5)),
        },
        dtype=object,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_frames())
def test_every_row_is_valid_or_rejected(frame):
    data = isig.validate_cases(frame)
    rejected = set(data.rejects["row"])
    valid_rows = {i + 1 for i in data.cases.index}
    assert data.n_input == len(frame) == len(data.cases) + data.n_rejected
    assert rejected.isdisjoint(valid_rows)
    assert rejected | valid_rows == set(range(1, len(frame) + 1))
    assert data.cases["case_id"].is_unique
    assert (
        data.cases[["case_id", "procedure_id", "unit_id", "handler_id", "submitted_at"]]
        .notna()
        .all()
        .all()
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_frames(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_outcome(frame, rnd):
    order = list(range(len(frame)))
    rnd.shuffle(order)
    a = isig.validate_cases(frame)
    b = isig.validate_cases(frame.iloc[order])
    key = ["case_id"]
    left = a.cases.sort_values(key).reset_index(drop=True)
    right = b.cases.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    # the same input rows are rejected, for the same reasons
    moved = np.asarray(frame.index)[order]
    a_bad = a.rejects.assign(src=np.asarray(frame.index)[a.rejects["row"] - 1])
    b_bad = b.rejects.assign(src=moved[b.rejects["row"] - 1])
    cols = ["src", "column", "reason"]
    exact_repeats = a_bad["message"].str.contains(
        "exactly", regex=False
    )  # which copy is "first" moves
    assert set(map(tuple, a_bad.loc[~exact_repeats, cols].to_numpy())) == set(
        map(
            tuple,
            b_bad.loc[~b_bad["message"].str.contains("exactly", regex=False), cols].to_numpy(),
        )
    )
