"""The library on the shared real event logs (``../shared/data/real/``), and the injection helper.

The logs live outside the repository: tests that need them are skipped, with
the reason, where the folder is absent.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pytest

import integrity_signals as isig
from conftest import REPO
from integrity_signals.cli import EXIT_OK, EXIT_QUARANTINED, main

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
PRESETS = REPO / "examples" / "presets"
needs_logs = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"the shared real logs are not in {DATA} (../shared/data/real)"
)

LOGS = {  # name: (file, preset, cases in the log, country)
    "wabo": ("wabo_receipt/receipt.xes.gz", "wabo.toml", 1_434, "NL"),
    "bpic15": ("bpic15_municipality1/events.csv.gz", "bpic15.toml", 1_199, "NL"),
    "fines": ("road_traffic_fines/events.csv", "fines.toml", 10_000, "IT"),
}


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("real_logs", REPO / "benchmarks" / "real_logs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def logs():
    return {
        name: isig.read_event_log(DATA / file, PRESETS / preset)
        for name, (file, preset, _, _) in LOGS.items()
    }


@pytest.fixture(scope="module")
def fines_model(logs):
    data = logs["fines"]
    return isig.RiskModel(random_state=0, calendar=data.calendar).fit(data)


@needs_logs
@pytest.mark.parametrize("name", list(LOGS))
def test_every_case_of_the_log_is_rolled_up(logs, name):
    data = logs[name]
    expected = LOGS[name][2]
    rejected_cases = data.rejects["case_id"].nunique()
    assert len(data.cases) + rejected_cases == expected
    assert data.n_input == data.n_events_in_cases + data.n_rejected
    assert data.cases["n_events"].sum() == data.n_events_in_cases


@needs_logs
def test_rejects_by_reason(logs):
    wabo = logs["wabo"]
    # two cases that end (at 00:00:00.010) an hour before they start (01:06:40) the same day
    assert wabo.summary().by_reason.to_dict() == {"completed_before_submitted": 4}
    assert sorted(wabo.rejects["case_id"].unique()) == ["case-10862", "case-8267"]
    assert logs["bpic15"].n_rejected == 0 and logs["fines"].n_rejected == 0
    assert logs["bpic15"].summary().n_open == 126 and logs["wabo"].summary().n_open == 105


@needs_logs
def test_the_xes_file_and_its_csv_copy_give_the_same_cases(logs):
    csv = isig.read_event_log(DATA / "wabo_receipt" / "events.csv", PRESETS / "wabo.toml")
    pd.testing.assert_frame_equal(csv.cases, logs["wabo"].cases)
    assert csv.n_input == logs["wabo"].n_input == 8_577


@needs_logs
@pytest.mark.parametrize("name", ["bpic15", "fines"])
def test_durations_are_working_days_with_the_countrys_holidays(logs, name):
    data = logs[name]
    country = LOGS[name][3]
    closed = data.cases.dropna(subset=["completed_at"])
    dates_only = (closed["submitted_at"] == closed["submitted_at"].dt.normalize()) & (
        closed["completed_at"] == closed["completed_at"].dt.normalize()
    )
    assert dates_only.sum() > 500  # mostly day resolution: whole working days, checked here
    closed = closed[dates_only]
    start = closed["submitted_at"].to_numpy(dtype="datetime64[D]")
    end = closed["completed_at"].to_numpy(dtype="datetime64[D]")
    years = range(int(start.min().astype("datetime64[Y]").astype(int)) + 1970, 2016)
    days_off = np.array(sorted(holidays.country_holidays(country, years=years)), "datetime64[D]")
    expected = np.busday_count(start, end, holidays=days_off)
    got = data.calendar.working_days(closed["submitted_at"], closed["completed_at"])
    assert np.allclose(got.to_numpy(), expected)
    weekends_only = np.busday_count(start, end)
    assert (expected < weekends_only).sum() > 100  # the holidays matter for many cases


@needs_logs
def test_the_fines_tariff_revision_is_a_change_of_level_for_everyone(fines_model, logs):
    changes = fines_model.features_.fees_.fee_changes_
    first = changes.groupby("procedure_id")["date"].min()
    true_2007 = pd.Timestamp("2007-01-01")  # biennial update of the highway code's fines
    assert set(first.index) == {"157.0", "7.0", "158.0"}
    assert ((first - true_2007).abs() <= pd.Timedelta(days=31)).all()
    art7 = changes[changes["procedure_id"] == "7.0"].sort_values("date")
    assert art7["levels_after"].iloc[-1] == [23]  # 22 -> 23 on 1 January 2009
    assert abs(art7["date"].iloc[-1] - pd.Timestamp("2009-01-01")) <= pd.Timedelta(days=31)
    features = fines_model.features_.transform(logs["fines"])
    assert (features["fees__excess_vnd"] <= 0).all()  # nobody charged above the level in force


@needs_logs
def test_honest_fines_officers_are_not_flagged_for_the_tariff_revision(fines_model, logs):
    flags = fines_model.score(logs["fines"])
    officers = fines_model.score_entities(logs["fines"])
    assert not flags["flagged"].any()
    assert officers["obs_excess_fee"].sum() == 0  # the new tariff is a level, not an excess
    assert not officers["reasons"].str.contains("fee").any()
    assert not flags["reasons"].str.contains("above the").any()


@needs_logs
def test_an_injected_overcharging_officer_ranks_first_with_the_fee_reason(logs):
    bench = _load_benchmark()
    result = bench.evaluate(logs["fines"], "overcharge", 0)
    assert result["injected"] == 60 and result["officer_rank"] == 1 and result["officer_flagged"]
    assert result["precision_at_k"] >= 0.85
    assert "fees above the posted or usual fee" in result["officer_reasons"]


@needs_logs
def test_the_command_line_fits_an_xes_log_with_a_preset(tmp_path, capsys):
    model_path = tmp_path / "wabo.joblib"
    code = main(["fit", str(DATA / LOGS["wabo"][0]), "--events", str(PRESETS / "wabo.toml"),
                 "--model", str(model_path), "--quiet"])  # fmt: skip
    assert code == EXIT_QUARANTINED  # two cases of the log contradict themselves
    rejects = pd.read_csv(tmp_path / "wabo.rejects.csv", encoding="utf-8-sig")
    assert set(rejects["reason"]) == {"completed_before_submitted"} and len(rejects) == 4
    model = isig.RiskModel.load(model_path)
    assert model.calendar.country == "NL" and model.n_reference_ == 1_432
    code = main(["validate", str(DATA / LOGS["fines"][0]), "--events", str(PRESETS / "fines.toml")])
    assert code == EXIT_OK
    assert (
        "34,724 events in, 34,724 in 10,000 cases (0 open), 0 rejected" in capsys.readouterr().out
    )


# ------------------------------------------------------------------ the injection helper


def _cases(n=600, officers=6, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-01-06 08:00") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    return pd.DataFrame({
        "case_id": [f"c{i}" for i in range(n)], "procedure_id": "P", "unit_id": "U",
        "handler_id": rng.choice([f"o{k}" for k in range(officers)], n),
        "submitted_at": start,
        "completed_at": start + pd.to_timedelta(rng.integers(1, 60, n), unit="D"),
        "fee_charged": 36.0,
    })  # fmt: skip


@pytest.mark.parametrize("kind", ["slow", "broker", "same_day", "overcharge"])
def test_the_injection_helper_plants_what_it_says(kind):
    bench = _load_benchmark()
    cases = _cases()
    out, injected, officer = bench.inject(cases, kind, random_state=3)
    again = bench.inject(cases, kind, random_state=3)
    assert injected.sum() == bench.INJECTIONS[kind] and (again[1] == injected).all()
    assert (out.loc[injected, "handler_id"] == officer).all()
    untouched = ~injected
    pd.testing.assert_frame_equal(out.loc[untouched, cases.columns], cases.loc[untouched])
    took = (out["completed_at"] - out["submitted_at"]).dt.days
    before = (cases["completed_at"] - cases["submitted_at"]).dt.days
    if kind == "slow":
        assert (took[injected] > before[injected]).all()
        assert (out.loc[injected, "completed_at"].dt.day_of_week
                == cases.loc[injected, "completed_at"].dt.day_of_week).all()  # fmt: skip
    elif kind == "broker":
        assert (out.loc[injected, "applicant_id"] == "broker").all()
        assert out.loc[untouched, "applicant_id"].is_unique
        assert (took[injected] <= before[injected] / 4 + 1).all()
    elif kind == "same_day":
        same = out["completed_at"].dt.normalize() == out["submitted_at"].dt.normalize()
        assert same[injected].all()
    else:
        assert set(out.loc[injected, "fee_charged"] - 36.0) <= {10.0, 20.0, 50.0}
    with pytest.raises(ValueError, match="kind must be one of"):
        bench.inject(cases, "bribe", random_state=0)
