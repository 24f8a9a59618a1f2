"""Column mapping: built-in aliases, user maps, and the errors that name the fix."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import integrity_signals as isig
from conftest import minimal_cases
from integrity_signals.columns import load_column_map
from integrity_signals.textkeys import label_key

# (header as exported, canonical column): every alias family named in the contract.
ALIASES = [
    ("Mã hồ sơ", "case_id"),
    ("Số hồ sơ", "case_id"),
    ("Mã thủ tục", "procedure_id"),
    ("Thủ tục", "procedure_id"),
    ("Đơn vị", "unit_id"),
    ("Cơ quan", "unit_id"),
    ("Xã phường", "unit_id"),
    ("Cán bộ xử lý", "handler_id"),
    ("Người xử lý", "handler_id"),
    ("Cán bộ tiếp nhận", "receiver_id"),
    ("Người nộp", "applicant_id"),
    ("Chủ hồ sơ", "applicant_id"),
    ("Tổ chức cá nhân", "applicant_id"),
    ("Ngày tiếp nhận", "submitted_at"),
    ("Ngày nộp", "submitted_at"),
    ("Ngày hẹn trả", "due_at"),
    ("Ngày trả kết quả", "completed_at"),
    ("Ngày hoàn thành", "completed_at"),
    ("Phí lệ phí", "fee_charged"),
    ("Lệ phí", "fee_charged"),
    ("Số tiền", "fee_charged"),
    ("Mức phí quy định", "fee_official"),
    ("Hình thức nộp", "channel"),
    ("Kênh", "channel"),
    ("Số lần bổ sung", "supplement_requests"),
]

SAMPLE_VALUE = {
    "case_id": "HS-X",
    "procedure_id": "KS01",
    "unit_id": "P1",
    "handler_id": "cb9",
    "receiver_id": "tn1",
    "applicant_id": "CD1",
    "submitted_at": "02/01/2025",
    "due_at": "03/01/2025",
    "completed_at": "03/01/2025",
    "fee_charged": "50.000",
    "fee_official": "50.000",
    "channel": "Trực tuyến",
    "supplement_requests": "1",
}


@pytest.mark.parametrize(("header", "canonical"), ALIASES)
@pytest.mark.parametrize("spelling", ["as-is", "upper", "ascii", "spaced"])
def test_alias_maps_whatever_the_spelling(header, canonical, spelling):
    written = {
        "as-is": header,
        "upper": header.upper(),
        "ascii": label_key(header).replace(" ", "_"),
        "spaced": f"  {header.replace(' ', '  ')} ",
    }[spelling]
    frame = minimal_cases(1)
    frame = frame.drop(columns=[canonical], errors="ignore")
    frame[written] = SAMPLE_VALUE[canonical]
    data = isig.validate_cases(frame)
    assert data.column_map[canonical] == written
    assert len(data.cases) == 1 and data.n_rejected == 0
    assert canonical in data.cases.columns


def test_user_map_from_dict_toml_and_json(tmp_path):
    frame = minimal_cases(2).rename(columns={"handler_id": "CB thụ lý", "case_id": "Số biên nhận"})
    mapping = {"CB thụ lý": "handler_id", "Số biên nhận": "case_id"}
    toml = tmp_path / "map.toml"
    toml.write_text(
        '[columns]\n"CB thụ lý" = "handler_id"\n"Số biên nhận" = "case_id"\n', encoding="utf-8"
    )
    js = tmp_path / "map.json"
    js.write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    for columns in (mapping, toml, str(js)):
        data = isig.validate_cases(frame, columns)
        assert data.cases["handler_id"].tolist() == ["cb0", "cb1"]
        assert data.column_map["case_id"] == "Số biên nhận"


def test_channel_values_from_map_file(tmp_path):
    frame = minimal_cases(2, channel=["Qua VNeID", "Trực tiếp"])
    path = tmp_path / "map.toml"
    path.write_text('[channel]\n"Qua VNeID" = "online"\n', encoding="utf-8")
    data = isig.validate_cases(frame, path)
    assert data.cases["channel"].tolist() == ["online", "in_person"]


def test_user_map_beats_alias_and_keeps_the_other_header_as_extra():
    frame = minimal_cases(1).rename(columns={"submitted_at": "Ngày tiếp nhận"})
    frame["Ngày nộp"] = "05/01/2025"
    data = isig.validate_cases(frame, {"Ngày nộp": "submitted_at"})
    assert data.cases["submitted_at"].iloc[0] == pd.Timestamp("2025-01-05")
    assert data.cases["Ngày tiếp nhận"].iloc[0] == "02/01/2025 08:00"


def test_user_map_onto_a_canonical_name_the_file_already_uses():
    frame = minimal_cases(1)
    frame["Ngày nộp"] = "05/01/2025"
    with pytest.raises(isig.SchemaError, match="also has a column named 'submitted_at'"):
        isig.validate_cases(frame, {"Ngày nộp": "submitted_at"})


def test_extra_columns_are_kept_as_read():
    frame = minimal_cases(2, **{"Ghi chú": ["gấp", None]})
    data = isig.validate_cases(frame)
    kept = data.cases["Ghi chú"]
    assert kept.iloc[0] == "gấp" and pd.isna(kept.iloc[1])


def test_missing_required_column_names_it_the_headers_and_the_closest_alias():
    frame = minimal_cases(1).rename(columns={"handler_id": "Cán bộ xử lí"})  # a common typo
    with pytest.raises(isig.SchemaError) as err:
        isig.validate_cases(frame)
    msg = str(err.value)
    assert "Required column 'handler_id'" in msg
    assert "Headers found: 'case_id', 'procedure_id', 'unit_id', 'Cán bộ xử lí'" in msg
    assert "the header 'Cán bộ xử lí' looks like the alias 'cán bộ xử lý'" in msg
    assert "columns={'Cán bộ xử lí': 'handler_id'}" in msg


def test_two_headers_for_one_column_is_an_error_with_the_fix():
    frame = minimal_cases(1)
    frame["Ngày tiếp nhận"] = "02/01/2025"
    with pytest.raises(
        isig.SchemaError, match=r"Both 'submitted_at' and 'Ngày tiếp nhận' look like"
    ):
        isig.validate_cases(frame)


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        ({"Mã hồ sơ": "case_idd"}, r"not a cases column.*Did you mean 'case_id'"),
        ({"Không có": "case_id"}, r"names the header 'Không có', which the file does not have"),
        (42, r"The 'columns' parameter must be a dict"),
        ({"columns": {}, "other": {}}, r"only the tables \[columns\] and \[channel\]"),
        ({"a": 1}, r"must be text -> text"),
    ],
)
def test_bad_column_maps(columns, match):
    with pytest.raises(isig.SchemaError, match=match):
        isig.validate_cases(minimal_cases(1), columns)


def test_bad_map_files(tmp_path):
    with pytest.raises(isig.SchemaError, match="does not exist"):
        load_column_map(tmp_path / "nope.toml")
    bad = tmp_path / "map.toml"
    bad.write_text("[columns\n", encoding="utf-8")
    with pytest.raises(isig.SchemaError, match="is not valid"):
        load_column_map(bad)
    yaml = tmp_path / "map.yaml"
    yaml.write_text("a: b", encoding="utf-8")
    with pytest.raises(isig.SchemaError, match="must end in .toml or .json"):
        load_column_map(yaml)


def test_unknown_channel_target_in_map():
    with pytest.raises(ValueError, match="must be one of"):
        isig.validate_cases(
            minimal_cases(1, channel=["x"]), {"columns": {}, "channel": {"x": "fax"}}
        )
