"""Rolling an event log up to cases: every rule on hand-computed logs, and every error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import integrity_signals as isig
from integrity_signals.events import EventLogSpec, load_preset

T = pd.Timestamp


def log(rows: list[tuple], columns=("case", "step", "at", "who")) -> pd.DataFrame:
    """Events from (case, activity, time, resource[, extra...]) tuples."""
    frame = pd.DataFrame(rows, columns=list(columns))
    frame["at"] = pd.to_datetime(frame["at"])
    return frame


def roll(events: pd.DataFrame, **roles) -> pd.DataFrame:
    base = {"case": "case", "activity": "step", "timestamp": "at", "resource": "who"}
    return isig.cases_from_events(events, **(base | roles)).set_index("case_id")


PERMIT = log([
    ("A", "receive", "2025-03-03 08:00", "desk1"),
    ("A", "check", "2025-03-03 09:00", "cb7"),
    ("A", "ask documents", "2025-03-04 10:00", "cb7"),
    ("A", "check", "2025-03-05 10:00", "cb7"),
    ("A", "ask documents", "2025-03-05 11:00", "cb8"),
    ("A", "return", "2025-03-06 16:00", "desk1"),
    ("B", "check", "2025-03-05 07:00", "cb8"),
    ("B", "receive", "2025-03-05 08:00", "desk2"),
    ("B", "check", "2025-03-05 09:00", None),
    ("C", "receive", "2025-03-07 08:00", "desk1"),
    ("C", "return", "2025-03-07 09:00", "desk1"),
    ("C", "return", "2025-03-10 09:00", "desk1"),
])  # fmt: skip
ROLES = {"start_activities": "receive", "end_activities": "return",
         "supplement_activities": "ask documents"}  # fmt: skip


# ------------------------------------------------------------------ the rules, one by one


def test_submitted_at_is_the_first_start_event_else_the_first_event():
    cases = roll(PERMIT, **ROLES)
    assert cases.loc["A", "submitted_at"] == T("2025-03-03 08:00")
    assert cases.loc["B", "submitted_at"] == T("2025-03-05 08:00")  # the check before is not it
    assert cases["start_found"].all()
    cases = roll(PERMIT, start_activities="check")  # C has no check: its first event
    assert cases.loc["C", "submitted_at"] == T("2025-03-07 08:00")
    assert cases["start_found"].tolist() == [True, True, False]
    assert "start_found" not in roll(PERMIT).columns


def test_completed_at_is_the_last_end_event_and_a_case_without_one_is_open():
    cases = roll(PERMIT, **ROLES)
    assert cases.loc["A", "completed_at"] == T("2025-03-06 16:00")
    assert cases.loc["C", "completed_at"] == T("2025-03-10 09:00")  # returned twice: the last
    assert pd.isna(cases.loc["B", "completed_at"])  # open, not dropped
    assert len(cases) == 3


def test_without_end_activities_every_case_closes_at_its_last_event():
    cases = roll(PERMIT)
    assert cases["completed_at"].tolist() == [
        T("2025-03-06 16:00"), T("2025-03-05 09:00"), T("2025-03-10 09:00")]  # fmt: skip


def test_handler_is_the_most_frequent_resource_ties_to_the_first_to_act():
    cases = roll(PERMIT, **ROLES)
    assert cases.loc["A", "handler_id"] == "cb7"  # 3 events against desk1's 2 and cb8's 1
    assert cases.loc["B", "handler_id"] == "cb8"  # cb8 and desk2 one each: cb8 acted first
    assert cases.loc["C", "handler_id"] == "desk1"
    assert "handler_by_activity" not in cases.columns


def test_handler_activity_names_the_handler_and_falls_back_to_the_most_frequent():
    cases = roll(PERMIT, handler_activity="ask documents")
    assert cases.loc["A", "handler_id"] == "cb8"  # the last "ask documents"
    assert cases.loc["B", "handler_id"] == "cb8"  # none: the most frequent
    assert cases["handler_by_activity"].tolist() == [True, False, False]


def test_receiver_is_the_resource_of_the_first_start_event():
    cases = roll(PERMIT, **ROLES)
    assert cases["receiver_id"].tolist() == ["desk1", "desk2", "desk1"]
    assert "receiver_id" not in roll(PERMIT).columns  # no start activity named: no receiver


def test_supplement_requests_count_the_named_activities():
    cases = roll(PERMIT, **ROLES)
    assert cases["supplement_requests"].tolist() == [2, 0, 0]
    both = roll(PERMIT, supplement_activities=["ask documents", "check"])
    assert both["supplement_requests"].tolist() == [4, 2, 0]


def test_officers_handovers_rework_and_last_activity():
    cases = roll(PERMIT, **ROLES)
    # A: desk1 cb7 cb7 cb7 cb8 desk1 -> 3 officers, hand-overs desk1>cb7, cb7>cb8, cb8>desk1;
    # check and ask documents repeated once each -> 2 loops
    assert cases.loc["A", ["n_events", "n_officers", "handovers", "rework"]].tolist() == [
        6,
        3,
        3,
        2,
    ]
    # B: cb8 desk2 (none): an event without resource neither hands over nor counts
    assert cases.loc["B", ["n_events", "n_officers", "handovers", "rework"]].tolist() == [
        3,
        2,
        1,
        1,
    ]
    assert cases.loc["C", ["n_events", "n_officers", "handovers", "rework"]].tolist() == [
        3,
        1,
        0,
        1,
    ]
    assert cases["last_activity"].tolist() == ["return", "check", "return"]


def test_case_attributes_take_the_first_non_empty_value_in_time_order():
    events = log([
        ("A", "receive", "2025-03-03 08:00", "d", "", "online"),
        ("A", "decide", "2025-03-04 08:00", "d", "50.000", "in person"),
        ("A", "pay", "2025-03-05 08:00", "d", "70.000", None),
        ("B", "receive", "2025-03-03 08:00", "d", None, None),
    ], columns=("case", "step", "at", "who", "fee", "how"))  # fmt: skip
    cases = roll(events, case_attributes={"fee_charged": "fee", "channel": "how",
                                          "note": "how"}, constants={"unit_id": "P1"})  # fmt: skip
    assert cases.loc["A", "fee_charged"] == "50.000"  # as written: validation parses it
    assert cases.loc["A", "channel"] == "online" and cases.loc["A", "note"] == "online"
    assert cases.loc["B", ["fee_charged", "channel"]].isna().all()
    assert (cases["unit_id"] == "P1").all()
    checked = isig.validate_cases(cases.reset_index().assign(procedure_id="KS01"))
    assert checked.cases["fee_charged"].tolist()[0] == 50_000


def test_case_attributes_and_constants_replace_derived_columns():
    events = log([("A", "receive", "2025-03-03 08:00", "d", "2025-03-01", "boss")],
                 columns=("case", "step", "at", "who", "start", "owner"))  # fmt: skip
    cases = roll(events, case_attributes={"submitted_at": "start", "handler_id": "owner"})
    assert cases.loc["A", "submitted_at"] == "2025-03-01"  # text until validated
    assert cases.loc["A", "handler_id"] == "boss"


def test_columns_come_in_schema_order_then_the_extras_sorted_by_case_id():
    cases = isig.cases_from_events(
        PERMIT.iloc[::-1], case="case", activity="step", timestamp="at", resource="who", **ROLES,
        constants={"unit_id": "U", "procedure_id": "P"})  # fmt: skip
    assert list(cases.columns[:8]) == ["case_id", "procedure_id", "unit_id", "handler_id",
                                       "submitted_at", "completed_at", "receiver_id",
                                       "supplement_requests"]  # fmt: skip
    assert cases["case_id"].tolist() == ["A", "B", "C"]
    assert isig.validate_cases(cases).n_rejected == 0


def test_ties_in_time_are_settled_by_values_not_row_order():
    events = log([("A", "x", "2025-03-03", "r2"), ("A", "x", "2025-03-03", "r1"),
                  ("A", "y", "2025-03-03", "r3")])  # fmt: skip
    one = roll(events)
    other = roll(events.iloc[[2, 1, 0]])
    pd.testing.assert_frame_equal(one, other)
    assert one.loc["A", "handler_id"] == "r1"  # one event each: r1 sorts first at the same time
    assert one.loc["A", "last_activity"] == "y"


def test_text_time_stamps_with_offsets_are_converted_to_the_time_zone():
    events = pd.DataFrame({
        "case": ["A", "A"], "step": ["receive", "return"], "who": ["d", "d"],
        "at": ["2011-10-11 13:45:40+02:00", "12/10/2011 09:00"],
    })  # fmt: skip
    cases = isig.cases_from_events(events, case="case", activity="step", timestamp="at",
                                   tz="Europe/Amsterdam")  # fmt: skip
    assert cases["submitted_at"].iloc[0] == T("2011-10-11 13:45:40")
    assert cases["completed_at"].iloc[0] == T("2011-10-12 09:00")  # day first by default


def test_no_resource_column_gives_no_handler_and_no_officer_counts():
    cases = isig.cases_from_events(PERMIT, case="case", activity="step", timestamp="at")
    assert {"handler_id", "n_officers", "handovers"}.isdisjoint(cases.columns)
    assert cases["n_events"].tolist() == [6, 3, 3]


# ------------------------------------------------------------------ errors


def test_a_missing_event_column_names_it_and_the_closest_header():
    events = PERMIT.rename(columns={"at": "time.timestamp"})
    with pytest.raises(isig.SchemaError, match=r"'time:timestamp' \(timestamp\) is not in the "
                       r"log.*Closest header: 'time.timestamp'. Set timestamp to the right"):  # fmt: skip
        isig.cases_from_events(events, case="case", activity="step", timestamp="time:timestamp")
    with pytest.raises(isig.SchemaError, match=r"case_attributes\['fee_charged'\]"):
        roll(PERMIT, case_attributes={"fee_charged": "fees"})


def test_an_activity_role_that_matches_nothing_is_an_error_with_the_closest_activity():
    with pytest.raises(isig.SchemaError, match=r"None of the end_activities \['retrun'\] occurs"
                       r".*Closest activity: 'return'"):  # fmt: skip
        roll(PERMIT, end_activities=["retrun"])


def test_events_without_case_activity_or_time_raise_listing_them():
    events = PERMIT.astype({"at": object})
    events.loc[1, "case"] = None
    events.loc[4, "at"] = "31/02/2025"
    with pytest.raises(isig.SchemaError, match=r"2 of 12 events cannot be placed in a case "
                       r"\(row 2 case: missing_value; row 5 at: unparseable_date\)"
                       r".*read_event_log") as err:  # fmt: skip
        roll(events)
    assert err.value.failures["row"].tolist() == [2, 5]


def test_only_a_dataframe_is_rolled_up():
    with pytest.raises(isig.SchemaError, match="expects a pandas DataFrame of events; got list"):
        isig.cases_from_events([], case="c", activity="a", timestamp="t")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"case": ""}, "The 'case' parameter must name an event column"),
        ({"resource": 3}, "The 'resource' parameter must name an event column or be None"),
        ({"end_activities": ["ok", 3]}, "must be an activity name or a list of them"),
        ({"case_attributes": ["due_at"]}, "The 'case_attributes' parameter must map names"),
        ({"case_attributes": {"unit_id": "x"}, "constants": {"unit_id": "U"}},
         r"\['unit_id'\] are set both from an event column"),
        ({"handler_activity": "decide", "case_attributes": {"handler_id": "boss"}},
         "handler_id is given both by handler_activity"),
        ({"supplement_activities": "ask", "constants": {"supplement_requests": "0"}},
         "supplement_requests is given both by supplement_activities"),
        ({"constants": {"case_id": "x"}}, "case_id comes from the 'case' event column"),
        ({"dayfirst": "yes"}, "The 'dayfirst' parameter must be a bool"),
        ({"calendar": "NL"}, "The 'calendar' parameter must be a table"),
    ],
)  # fmt: skip
def test_bad_roles_are_refused_with_the_fix(options, message):
    with pytest.raises(isig.SchemaError, match=message):
        EventLogSpec(**options)


def test_with_options_refuses_unknown_names():
    with pytest.raises(TypeError, match=r"unknown event-log options \['colour'\]"):
        EventLogSpec().with_options(colour="red")


# ------------------------------------------------------------------ presets


def write(tmp_path, text: str):
    path = tmp_path / "preset.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_preset_fills_every_part_of_the_spec(tmp_path):
    spec = load_preset(
        write(
            tmp_path,
            """
[events]
case = "id"
activity = "step"
timestamp = "at"
resource = "who"
end_activities = ["return", "withdraw"]
handler_activity = "decide"
[case_attributes]
due_at = "deadline"
[constants]
unit_id = "U1"
[channel]
Intern = "in_person"
[reader]
tz = "Europe/Rome"
dayfirst = false
[calendar]
country = "IT"
""",
        )
    )
    assert spec.case == "id" and spec.end_activities == ("return", "withdraw")
    assert spec.handler_activity == ("decide",) and spec.case_attributes == {"due_at": "deadline"}
    assert spec.constants == {"unit_id": "U1"} and spec.channel == {"Intern": "in_person"}
    assert (
        spec.tz == "Europe/Rome" and spec.dayfirst is False and spec.calendar == {"country": "IT"}
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[events\n", "is not valid TOML"),
        ("[event]\ncase = 'x'\n", r"Unknown key 'event' in the top level .* Did you mean 'events'"),
        ("[events]\nactivty = 'x'\n", r"Unknown key 'activty' in \[events\].*'activity'"),
        ("events = 3\n", r"\[events\] in the preset .* must be a table"),
        ("constants = 3\n", r"\[constants\] in the preset .* must be a table"),
        ("[events]\nend_activities = [1]\n", "preset .*: The 'end_activities' parameter"),
    ],
)
def test_bad_presets_are_refused_with_the_fix(tmp_path, text, message):
    with pytest.raises(isig.SchemaError, match=message):
        load_preset(write(tmp_path, text))


def test_a_missing_preset_file_is_named(tmp_path):
    with pytest.raises(isig.SchemaError, match="preset .*nope.toml' does not exist"):
        load_preset(tmp_path / "nope.toml")


@pytest.mark.parametrize("name", ["wabo", "bpic15", "fines"])
def test_the_shipped_presets_load(name):
    from conftest import REPO

    spec = load_preset(REPO / "examples" / "presets" / f"{name}.toml")
    assert spec.calendar["country"] in {"NL", "IT"}
    assert "unit_id" in spec.constants


def test_roll_up_of_many_cases_is_vectorised_and_exact():
    rng = np.random.default_rng(0)
    n = 20_000
    events = pd.DataFrame({
        "case": rng.integers(0, 3_000, n).astype(str),
        "step": rng.choice(["in", "work", "out"], n),
        "at": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 10**7, n), unit="s"),
        "who": rng.choice(["a", "b", "c", None], n),
    })  # fmt: skip
    cases = roll(events, start_activities="in", end_activities="out")
    assert cases["n_events"].sum() == n
    by_hand = events.groupby("case")["step"].apply(lambda s: (s == "out").any())
    assert (cases["completed_at"].notna() == by_hand.reindex(cases.index)).all()
    outs = events[events["step"] == "out"].groupby("case")["at"].max()
    assert (
        cases["completed_at"].dropna() == outs.reindex(cases["completed_at"].dropna().index)
    ).all()
