"""Quarantine: every reject reason by hand, the in = valid + rejected invariant, typed output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import integrity_signals as isig
from conftest import minimal_cases
from integrity_signals import RejectReason as R
from integrity_signals.validation import REJECT_COLUMNS, check_cases


def reasons(data):
    return sorted(
        zip(data.rejects["row"], data.rejects["column"], data.rejects["reason"], strict=True)
    )


@pytest.mark.parametrize(
    ("overrides", "row", "column", "reason", "message"),
    [
        ({"handler_id": ["cb0", "", "cb1"]}, 2, "handler_id", R.MISSING_VALUE, "handler_id is empty but required"),
        ({"submitted_at": ["02/01/2025", "31/02/2025", "02/01/2025"]}, 2, "submitted_at", R.UNPARSEABLE_DATE,
         "submitted_at '31/02/2025' is not a date; write dd/mm/yyyy"),
        ({"submitted_at": ["02/01/2025", "01/01/1900", "02/01/2025"]}, 2, "submitted_at", R.IMPLAUSIBLE_DATE,
         "outside 1990-2099"),
        ({"completed_at": ["", "01/01/2025", ""]}, 2, "completed_at", R.COMPLETED_BEFORE_SUBMITTED,
         "completed_at '01/01/2025' is before submitted_at '02/01/2025 08:00'"),
        ({"due_at": ["", "01/01/2025", ""]}, 2, "due_at", R.DUE_BEFORE_SUBMITTED, "due_at '01/01/2025' is before"),
        ({"fee_charged": ["50.000", "năm chục", ""]}, 2, "fee_charged", R.UNPARSEABLE_AMOUNT,
         "'năm chục' is not an amount in VND"),
        ({"fee_official": ["0", "-50.000", "0"]}, 2, "fee_official", R.NEGATIVE_AMOUNT, "'-50.000' is negative"),
        ({"supplement_requests": ["0", "1.5", "0"]}, 2, "supplement_requests", R.UNPARSEABLE_COUNT,
         "'1.5' is not a number: write a whole count"),
        ({"supplement_requests": ["0", "-2", "0"]}, 2, "supplement_requests", R.NEGATIVE_COUNT, "'-2' is negative"),
        ({"channel": ["online", "fax", "online"]}, 2, "channel", R.UNKNOWN_CHANNEL,
         "channel 'fax' is not a known channel; use online / in_person / postal"),
        ({"case_id": ["A", "B", "A"], "handler_id": ["x", "y", "z"]}, 1, "case_id", R.DUPLICATE_ID,
         "case_id 'A' is on rows 1, 3 with different contents"),
    ],
)  # fmt: skip
def test_each_reject_reason(overrides, row, column, reason, message):
    data = isig.validate_cases(minimal_cases(3, **overrides))
    hit = data.rejects[(data.rejects["row"] == row) & (data.rejects["reason"] == reason)]
    assert len(hit) == 1, data.rejects
    assert hit["column"].iloc[0] == column
    assert message in hit["message"].iloc[0]
    assert data.n_input == len(data.cases) + data.n_rejected == 3
    assert list(data.rejects.columns) == REJECT_COLUMNS


def test_exact_repeat_keeps_the_first_copy():
    frame = pd.concat([minimal_cases(2), minimal_cases(2).iloc[[0]]], ignore_index=True)
    data = isig.validate_cases(frame)
    assert data.cases["case_id"].tolist() == ["HS000", "HS001"]
    assert reasons(data) == [(3, "case_id", "duplicate_id")]
    assert "repeats row 1 exactly" in data.rejects["message"].iloc[0]


def test_a_row_with_several_problems_is_one_rejected_row_listed_per_problem():
    frame = minimal_cases(2, fee_charged=["-1", "0"], channel=["fax", "online"])
    data = isig.validate_cases(frame)
    assert reasons(data) == [
        (1, "channel", "unknown_channel"),
        (1, "fee_charged", "negative_amount"),
    ]
    assert data.n_rejected == 1 and len(data.cases) == 1
    summary = data.summary()
    assert summary.n_rejected == 1 and summary.by_reason.to_dict() == {
        "negative_amount": 1,
        "unknown_channel": 1,
    }
    assert "2 rows in, 1 valid, 1 rejected" in str(summary)


def test_same_day_completion_written_as_a_date_is_not_before_submission():
    frame = minimal_cases(
        2,
        submitted_at=["02/01/2025 10:00", "02/01/2025 10:00"],
        completed_at=["02/01/2025", "02/01/2025 09:00"],
        due_at=["02/01/2025", ""],
    )
    data = isig.validate_cases(frame)
    assert reasons(data) == [(2, "completed_at", "completed_before_submitted")]


def test_output_dtypes_and_index():
    frame = minimal_cases(
        3,
        completed_at=["03/01/2025", "", "04/01/2025 16:00"],
        fee_charged=["50.000", "", "0"],
        channel=["Trực tuyến", "Trực tiếp", ""],
        supplement_requests=["0", "", "2"],
        applicant_id=["CD1", "", "CD2"],
    )
    frame.index = [10, 20, 30]
    data = isig.validate_cases(frame)
    c = data.cases
    assert c.index.tolist() == [10, 20, 30]
    assert list(c.columns[:5]) == [
        "case_id",
        "procedure_id",
        "unit_id",
        "handler_id",
        "submitted_at",
    ]
    assert str(c["submitted_at"].dtype) == "datetime64[ns]"
    assert pd.isna(c["completed_at"].iloc[1])  # pending
    assert c["fee_charged"].dtype == np.float64 and np.isnan(c["fee_charged"].iloc[1])
    assert list(c["channel"].cat.categories) == ["online", "in_person", "postal"]
    assert str(c["supplement_requests"].dtype) == "Int64"
    assert c["supplement_requests"].isna().tolist() == [False, True, False]
    assert pd.isna(c["applicant_id"].iloc[1])


def test_validating_valid_output_again_changes_nothing():
    first = isig.read_cases(pytest.importorskip("conftest").SAMPLE_CSV).cases
    again = isig.validate_cases(first)
    assert again.n_rejected == 0
    pd.testing.assert_frame_equal(again.cases, first)


def test_check_cases_lists_every_failure():
    frame = minimal_cases(4, fee_charged=["-1", "x", "0", "0"])
    with pytest.raises(
        isig.SchemaError, match=r"2 of 4 rows passed to fit break the data contract"
    ) as err:
        check_cases(frame, context="fit")
    assert len(err.value.failures) == 2
    assert "isig.validate_cases(df)" in str(err.value)
    good = isig.validate_cases(frame)
    assert check_cases(good) is good.cases


def test_validate_cases_wants_a_frame():
    with pytest.raises(isig.SchemaError, match="expects a pandas DataFrame; got list"):
        isig.validate_cases([1, 2])
    frame = minimal_cases(1)
    frame.columns = ["case_id", "case_id", "unit_id", "handler_id", "submitted_at"]
    with pytest.raises(isig.SchemaError, match=r"repeated column names \['case_id'\]"):
        isig.validate_cases(frame)


def test_empty_frame_with_headers_is_valid_and_empty():
    data = isig.validate_cases(minimal_cases(0))
    assert data.n_input == 0 and len(data.cases) == 0 and data.n_rejected == 0


def _messy_ids(seed: int) -> list:
    rng = np.random.default_rng(seed)
    pool = [
        "HS1",
        "HS1 ",
        "hs1",
        "A",
        "A\x00",
        "",
        "Phường 1",
        "x" * 8,
        "x" * 9,
        "y" * 70,
        "y" * 71,
    ]
    ids = [f"HS{i}" for i in rng.integers(0, 400, 300)] + list(rng.choice(pool, 60)) + [None] * 5
    return list(rng.permutation(np.array(ids, dtype=object)))


@pytest.mark.parametrize("hashes", ["real", "all_equal", "unavailable"])
@pytest.mark.parametrize("chunk_rows", [None, 7, 100])
def test_repeated_ids_match_an_exact_comparison(seed, hashes, chunk_rows, monkeypatch):
    from integrity_signals import validation
    from integrity_signals.parsing import arrow

    ids = pa.array(_messy_ids(seed), type=pa.large_string())
    if chunk_rows:  # pieces of 100 rows are hashed apart; chunks of 7 are joined first
        monkeypatch.setattr(arrow, "_PIECE_ROWS", 50)
        ids = pa.chunked_array([ids.slice(i, chunk_rows) for i in range(0, len(ids), chunk_rows)])
    if hashes == "all_equal":  # every pair collides: the exact comparison decides alone
        monkeypatch.setattr(validation, "_string_hashes", lambda v: np.zeros(len(v), np.uint64))
    elif hashes == "unavailable":  # as for values longer than the hashed width
        monkeypatch.setattr(validation, "_string_hashes", lambda v: None)
    keys = pd.Series(ids.to_pylist(), dtype=object)
    expected = np.flatnonzero(keys.duplicated(keep=False).to_numpy() & keys.notna().to_numpy())
    np.testing.assert_array_equal(validation._repeated(ids), expected)


def test_string_hashes_agree_for_equal_values_and_skip_long_ones():
    from integrity_signals.validation import _string_hashes

    values = ["", "a", "a\x00", "abcdefgh", "abcdefghi", "Phường", "x" * 64, "abcdefgh", "a"]
    h = _string_hashes(pa.array(values))
    assert h[3] == h[7] and h[1] == h[8]
    assert len(set(h[[0, 1, 2, 3, 4, 5, 6]].tolist())) == 7
    sliced = pa.array(["zz", *values]).slice(1)  # a non-zero array offset
    np.testing.assert_array_equal(_string_hashes(sliced), h)
    assert _string_hashes(pa.array(["x" * 65])) is None


def test_duplicates_found_through_colliding_hashes_are_reported_the_same(monkeypatch):
    from integrity_signals import validation

    frame = minimal_cases(
        6, case_id=["A", "B", "A", "C", "B", "D"], handler_id=["x", "y", "x", "z", "w", "v"]
    )
    expected = isig.validate_cases(frame).rejects
    monkeypatch.setattr(validation, "_string_hashes", lambda v: np.zeros(len(v), np.uint64))
    pd.testing.assert_frame_equal(isig.validate_cases(frame).rejects, expected)
    assert expected["row"].tolist() == [2, 3, 5]  # B twice, differently; A repeated exactly


def test_before_submission_rule_matches_the_day_and_time_definition(seed):
    from integrity_signals.parsing import Parsed
    from integrity_signals.validation import _NS_PER_DAY, _case_rules, _Failures

    rng = np.random.default_rng(seed)
    n = 5_000
    days = rng.integers(-3, 3, (2, n)) + 20_000  # near each other; some before 1970 below
    days[:, : n // 10] -= 25_000
    clock = rng.choice([0, 1, 3_600, 86_399], (2, n)) * 10**9  # midnight: written as a date
    s, other = days * _NS_PER_DAY + clock
    s[rng.random(n) < 0.05] = np.iinfo(np.int64).min  # NaT
    other[rng.random(n) < 0.05] = np.iinfo(np.int64).min
    as_parsed = {
        name: Parsed(v.view("datetime64[ns]"), np.zeros(n, bool), np.zeros(n, bool))
        for name, v in [("submitted_at", s), ("completed_at", other)]
    }
    frame = pd.DataFrame({"submitted_at": np.zeros(n)})
    failures = _Failures()
    _case_rules(as_parsed, frame, {"submitted_at": "submitted_at"}, failures)
    found = np.concatenate([pos for pos, *_ in failures.chunks] or [np.zeros(0, np.int64)])
    nat = np.iinfo(np.int64).min
    o_day, o_time = np.divmod(other, _NS_PER_DAY)
    s_day = s // _NS_PER_DAY
    expected = (
        (s != nat)
        & (other != nat)
        & ((o_day < s_day) | ((o_day == s_day) & (o_time > 0) & (other < s)))
    )
    np.testing.assert_array_equal(np.sort(found), np.flatnonzero(expected))


@pytest.mark.parametrize("n_bad", [0, 1])
def test_cases_do_not_share_memory_with_the_input(n_bad):
    frame = minimal_cases(3, fee_charged=[10.0, 20.0, -1.0 if n_bad else 30.0])
    frame["submitted_at"] = pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-04"]).as_unit("ns")
    before = frame.copy()
    cases = isig.validate_cases(frame).cases
    cases.loc[cases.index[0], "submitted_at"] = pd.Timestamp("2030-01-01")
    cases.loc[cases.index[0], "fee_charged"] = 99.0
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("dropped", [[], [0], [9], [0, 1, 2], [3, 4, 8], list(range(10))])
@pytest.mark.parametrize("as_slices", [True, False])
def test_kept_text_is_a_filter_whether_sliced_or_copied(dropped, as_slices, monkeypatch):
    from integrity_signals import validation

    monkeypatch.setattr(validation, "_SLICED_DROPS", 64 if as_slices else 0)
    values = pa.array([f"HS{i}" if i % 4 else None for i in range(10)], type=pa.large_string())
    keep = np.ones(10, dtype=bool)
    keep[dropped] = False
    kept = validation._kept_text(values, keep)
    assert kept.type == values.type
    assert kept.to_pylist() == values.filter(pa.array(keep)).to_pylist()


def test_values_at_reads_chunked_columns_without_joining_them():
    from integrity_signals.validation import _values_at

    flat = pa.array([f"v{i}" if i % 5 else None for i in range(40)], type=pa.large_string())
    chunked = pa.chunked_array([flat.slice(0, 7), flat.slice(7, 0), flat.slice(7, 33)])
    pos = np.array([39, 0, 6, 7, 7, 20])
    assert _values_at(chunked, pos) == _values_at(flat, pos) == [flat[p].as_py() for p in pos]
    assert _values_at(chunked, pos[:0]) == []


def test_rejects_read_raw_text_from_arrow_and_object_columns_alike():
    frame = minimal_cases(3, submitted_at=["02/01/2025", "31/02/2025", None])
    as_arrow = frame.astype({"submitted_at": pd.StringDtype("pyarrow", na_value=np.nan)})
    expected = isig.validate_cases(frame).rejects
    pd.testing.assert_frame_equal(isig.validate_cases(as_arrow).rejects, expected)
    assert expected["value"].tolist() == ["31/02/2025", ""]
