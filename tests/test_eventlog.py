"""Reading event logs (CSV, XES, DataFrame) with quarantine: every event in a case or rejected."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import integrity_signals as isig
from integrity_signals.xes import read_xes

CSV = """case,step,at,who,channel,fee
A,receive,2025-03-03 08:00,desk1,online,50.000
A,decide,2025-03-04 10:00,cb7,,
A,return,2025-03-05 16:00,desk1,,
B,receive,2025-03-03 09:00,desk1,Fax,
B,return,2025-03-04 09:00,cb8,,
C,receive,31/02/2025,desk2,online,
C,return,2025-03-06 09:00,cb7,,
D,receive,2025-03-04 08:00,desk1,in person,-10
D,return,2025-03-04 12:00,cb7,,
E,receive,2025-03-05 08:00,desk1,online,
E,receive,2025-03-05 08:00,desk1,online,
E,return,2025-03-06 08:00,cb8,,
,receive,2025-03-07 08:00,desk1,online,
F,receive,2025-03-07 08:00,desk1,online,"1,2",extra
F,return,2025-03-07 09:00,cb8,,
"""
ROLES = {
    "case": "case", "activity": "step", "timestamp": "at", "resource": "who",
    "start_activities": "receive", "end_activities": "return",
    "case_attributes": {"channel": "channel", "fee_charged": "fee"},
    "constants": {"procedure_id": "KS01", "unit_id": "P1"},
}  # fmt: skip


@pytest.fixture
def csv_log(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_every_event_is_in_a_case_or_rejected_with_its_reason(csv_log):
    data = isig.read_event_log(csv_log, **ROLES)
    assert isinstance(data, isig.EventLogData) and isinstance(data, isig.CaseData)
    assert data.n_input == 15 == data.n_events_in_cases + data.n_rejected
    assert data.cases["case_id"].tolist() == ["A", "E"]
    assert data.n_events_in_cases == 3 + 2
    reasons = data.rejects.drop_duplicates("row").set_index("row")["reason"]
    assert reasons.to_dict() == {
        4: "unknown_channel", 5: "unknown_channel",  # case B: both of its events
        6: "unparseable_date", 7: "incomplete_case",  # C: a bad event and the rest of the case
        8: "negative_amount", 9: "negative_amount",  # D
        11: "duplicate_event",  # E's copy; E itself is rolled up from the first copy
        13: "missing_value",  # no case id
        14: "malformed_row",  # F's line has a field too many (F read from it): F is incomplete
        15: "incomplete_case",
    }  # fmt: skip
    by_row = data.rejects.set_index("row")
    assert by_row.loc[4, "message"].startswith("case B: channel 'Fax' is not a known channel")
    assert "the preset's [channel] table" in by_row.loc[4, "message"]
    assert by_row.loc[7, "message"] == (
        "case C has rejected events (rows 6); a case is rolled up from all its events or not at "
        "all: fix those and read the log again"
    )
    assert by_row.loc[11, "message"] == "repeats row 10 exactly; the first copy is kept"
    assert by_row.loc[6, "column"] == "at" and by_row.loc[4, "column"] == "channel"


def test_summary_counts_events_cases_and_open_cases(csv_log):
    data = isig.read_event_log(csv_log, **ROLES)
    text = str(data.summary())
    assert text.startswith(f"{csv_log}: 15 events in, 5 in 2 cases (0 open), 10 rejected")
    assert "rejected events by reason" in text and "incomplete_case" in text
    assert repr(data) == "EventLogData(2 cases from 5 events, 10 rejected events of 15)"
    assert data.summary().by_reason["unknown_channel"] == 2


def test_channel_spellings_come_from_the_preset(csv_log):
    data = isig.read_event_log(csv_log, **ROLES, channel={"Fax": "postal"})
    assert "B" in data.cases["case_id"].tolist()
    assert data.cases.set_index("case_id").loc["B", "channel"] == "postal"


def test_a_dataframe_reads_like_a_file(csv_log):
    frame = pd.read_csv(csv_log, dtype=str, on_bad_lines="skip")
    data = isig.read_event_log(frame, **ROLES)
    assert data.source is None and data.n_input == len(frame) == 14
    assert data.cases["case_id"].tolist() == ["A", "E", "F"]  # F's bad line was never read


def test_an_event_log_fits_and_scores_like_cases():
    rng = np.random.default_rng(0)
    n = 400
    start = pd.Timestamp("2025-01-06 08:00") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    events = pd.DataFrame({
        "case": np.repeat([f"HS{i}" for i in range(n)], 2),
        "step": np.tile(["receive", "return"], n),
        "at": np.ravel(np.column_stack([start, start + pd.to_timedelta(rng.integers(1, 20, n),
                                                                       unit="D")])),
        "who": np.ravel(np.column_stack([rng.choice(["d1", "d2"], n),
                                         rng.choice(["a", "b", "c", "e"], n)])),
    })  # fmt: skip
    data = isig.read_event_log(events, case="case", activity="step", timestamp="at",
                               resource="who", start_activities="receive",
                               end_activities="return", handler_activity="return",
                               constants={"procedure_id": "P", "unit_id": "U"})  # fmt: skip
    model = isig.RiskModel(random_state=0, use_isolation_forest=False).fit(data)
    flags = model.score(data)
    assert len(flags) == n and set(flags["handler_id"]) == {"a", "b", "c", "e"}
    assert len(model.score_entities(data)) == 4


def test_the_xes_default_names_need_no_preset_and_the_resource_is_optional():
    events = pd.DataFrame({"case:concept:name": ["A", "A"], "concept:name": ["in", "out"],
                           "time:timestamp": ["2025-03-03 08:00", "2025-03-04 08:00"]})  # fmt: skip
    data = isig.read_event_log(events, constants={"procedure_id": "P", "unit_id": "U",
                                                  "handler_id": "h"})  # fmt: skip
    assert data.spec.resource is None and len(data.cases) == 1
    with pytest.raises(isig.SchemaError, match=r"'who' \(resource\) is not in the log"):
        isig.read_event_log(events, resource="who")


def test_a_log_whose_every_event_is_rejected_gives_no_cases():
    events = pd.DataFrame({"case": [None, None], "step": ["a", "b"], "at": ["x", "y"]})
    data = isig.read_event_log(events, case="case", activity="step", timestamp="at")
    assert len(data.cases) == 0 and data.n_rejected == 2 == data.n_input


def test_the_preset_calendar_is_a_work_calendar(tmp_path, csv_log):
    preset = tmp_path / "p.toml"
    preset.write_text('[events]\ncase = "case"\nactivity = "step"\ntimestamp = "at"\n'
                      '[constants]\nprocedure_id = "P"\nunit_id = "U"\nhandler_id = "h"\n'
                      '[calendar]\ncountry = "NL"\n', encoding="utf-8")  # fmt: skip
    data = isig.read_event_log(csv_log, preset)
    assert data.calendar.get_params() == isig.WorkCalendar("NL").get_params()
    assert isig.read_event_log(csv_log, preset, case="step").spec.case == "step"  # overrides
    assert isig.read_event_log(csv_log, **ROLES).calendar is None


def test_a_bad_preset_argument_is_refused():
    with pytest.raises(isig.SchemaError, match="The 'preset' parameter must be a path to a TOML"):
        isig.read_event_log(pd.DataFrame(), preset=3)


# ------------------------------------------------------------------ XES

XES = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="the log's own name"/>
  <trace>
    <string key="concept:name" value="A"/>
    <string key="channel" value="Desk"/>
    <date key="deadline" value="2025-04-01T00:00:00.000+02:00"/>
    <event>
      <string key="concept:name" value="receive"/>
      <string key="org:resource" value="desk1"/>
      <date key="time:timestamp" value="2025-03-03T08:00:00.000+01:00"/>
      <list key="tags"><values><string key="t" value="ignored"/></values></list>
    </event>
    <event>
      <string key="concept:name" value="return"/>
      <string key="org:resource" value="cb7"><string key="nested" value="ignored"/></string>
      <date key="time:timestamp" value="2025-03-05T16:00:00.000+01:00"/>
      <float key="cost" value="1.5"/>
    </event>
  </trace>
  <trace>
    <event>
      <string key="concept:name" value="receive"/>
      <date key="time:timestamp" value="2025-03-06T08:00:00.000+01:00"/>
    </event>
    <string key="concept:name" value="B"/>
  </trace>
  <event>
    <string key="concept:name" value="stray"/>
    <date key="time:timestamp" value="2025-03-06T08:00:00.000+01:00"/>
  </event>
</log>
"""


@pytest.fixture(params=["plain", "gzip"])
def xes_log(tmp_path, request):
    if request.param == "plain":
        path = tmp_path / "log.xes"
        path.write_text(XES, encoding="utf-8")
    else:
        path = tmp_path / "log.xes.gz"
        path.write_bytes(gzip.compress(XES.encode()))
    return path


def test_xes_events_carry_their_trace_attributes(xes_log):
    frame = read_xes(xes_log)
    assert len(frame) == 4

    def values(column):
        return [None if pd.isna(v) else v for v in frame[column]]

    assert values("case:concept:name") == ["A", "A", "B", None]  # B's name comes last
    assert values("case:channel") == ["Desk", "Desk", None, None]
    assert values("org:resource") == ["desk1", "cb7", None, None]
    assert values("cost") == [None, "1.5", None, None]
    assert {"nested", "t", "tags", "case:t"}.isdisjoint(frame.columns)


def test_xes_reads_with_the_same_quarantine(xes_log):
    data = isig.read_event_log(
        xes_log, start_activities="receive", end_activities="return", handler_activity="return",
        case_attributes={"channel": "case:channel", "due_at": "case:deadline"},
        constants={"procedure_id": "P", "unit_id": "U"}, tz="Europe/Amsterdam",
    )  # fmt: skip
    assert data.n_input == 4 and data.n_events_in_cases == 2
    # B's only event has no resource: no handler; the stray event has no case
    assert data.rejects[["row", "column", "reason"]].values.tolist() == [
        [3, "handler_id", "missing_value"], [4, "case:concept:name", "missing_value"]]  # fmt: skip
    case = data.cases.set_index("case_id").loc["A"]
    assert case["channel"] == "in_person" and case["handler_id"] == "cb7"
    assert case["due_at"] == pd.Timestamp("2025-04-01")  # midnight in Amsterdam
    assert case["submitted_at"] == pd.Timestamp("2025-03-03 08:00")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (XES[:600], r"not well-formed XES at line \d+, column \d+ .*may be truncated"),
        ("<log></log>", "the XES file holds no <event>"),
        ("not xml at all", "not well-formed XES at line 1"),
    ],
)
def test_unusable_xes_files_are_refused_with_the_fix(tmp_path, content, message):
    path = tmp_path / "bad.xes"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(isig.SchemaError, match=message):
        read_xes(path)


def test_a_missing_xes_file_is_named(tmp_path):
    with pytest.raises(isig.SchemaError, match="does not exist"):
        isig.read_event_log(tmp_path / "none.xes.gz")


# ------------------------------------------------------------------ properties

_cases = st.sampled_from(["A", "B", "C", "D", None, ""])
_steps = st.sampled_from(["in", "work", "out"])
_times = st.sampled_from(
    ["2025-03-03 08:00", "2025-03-03 08:00", "2025-03-04 09:30", "2025-03-10", "31/02/2025", None]
)
_who = st.sampled_from(["a", "b", "c", None])
_events = st.lists(st.tuples(_cases, _steps, _times, _who), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_events, order_seed=st.integers(0, 2**16))
def test_every_event_is_accounted_for_and_row_order_does_not_matter(rows, order_seed):
    events = pd.DataFrame(rows, columns=["case", "step", "at", "who"])
    roles = {"case": "case", "activity": "step", "timestamp": "at", "resource": "who",
             "constants": {"procedure_id": "P", "unit_id": "U"}}  # fmt: skip
    data = isig.read_event_log(events, **roles)
    assert data.n_input == len(events) == data.n_events_in_cases + data.n_rejected
    assert data.cases["n_events"].sum() == data.n_events_in_cases if len(data.cases) else True
    shuffled = events.sample(frac=1.0, random_state=order_seed)
    again = isig.read_event_log(shuffled, **roles)
    pd.testing.assert_frame_equal(
        data.cases.reset_index(drop=True), again.cases.reset_index(drop=True)
    )
    assert sorted(data.rejects["reason"]) == sorted(again.rejects["reason"])
    clean = events.dropna()
    clean = clean[(clean["case"] != "") & (clean["at"] != "31/02/2025")]
    if len(clean):
        one = isig.cases_from_events(clean, **roles)
        other = isig.cases_from_events(clean.iloc[::-1], **roles)
        pd.testing.assert_frame_equal(one, other)


def test_each_event_level_reason_has_its_message():
    events = pd.DataFrame({
        "case": ["A", "A", "B", "C", None],
        "step": ["in", None, "in", "in", "in"],
        "at": ["2025-03-03", "2025-03-04", "not a date", "1900-01-01", "2025-03-03"],
    })  # fmt: skip
    data = isig.read_event_log(events, case="case", activity="step", timestamp="at",
                               constants={"procedure_id": "P", "unit_id": "U", "handler_id": "h"})  # fmt: skip
    messages = data.rejects.set_index("row")["message"].to_dict()
    assert messages[2] == (
        "step is empty; every event needs a case id, an activity and a time stamp"
    )
    assert messages[3].startswith("at 'not a date' is not a date; write yyyy-mm-dd HH:MM")
    assert messages[4] == "at '1900-01-01' is outside 1990-2099; correct the date"
    assert messages[5].startswith("case is empty")
    assert messages[1].startswith("case A has rejected events (rows 2)")
    assert data.summary().by_reason.to_dict() == {
        "implausible_date": 1,
        "incomplete_case": 1,
        "missing_value": 2,
        "unparseable_date": 1,
    }


def test_a_truncated_gzip_xes_is_refused(tmp_path):
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(gzip.compress(XES.encode())[:200])
    with pytest.raises(
        isig.SchemaError, match=r"cut.xes.gz: (cannot read the file|not well-formed)"
    ):
        read_xes(path)
