"""Signals only where the data carries them; a model refuses data it was not fitted for; the
overlap guard (issue 14's acceptance points)."""

from __future__ import annotations

import warnings

import holidays
import numpy as np
import pandas as pd
import pytest

import integrity_signals as isig
from integrity_signals.cli import EXIT_BAD_INPUT, EXIT_OK, main
from integrity_signals.resolution import (
    data_coverage,
    mask_not_applicable,
    not_applicable,
    real_times,
    time_resolution,
)
from integrity_signals.scoring.overlap import ReferenceOverlapWarning

OFF_HOURS = ("completed late in the evening", "completions outside office hours")


@pytest.fixture(scope="module")
def sim():
    return isig.simulate(n_cases=5_000, n_units=3, random_state=0)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _date_only(cases, officers=None):
    out = cases.copy()
    rows = out["handler_id"].isin(officers) if officers is not None else slice(None)
    out.loc[rows, "completed_at"] = out.loc[rows, "completed_at"].dt.normalize()
    return out


def _off_hours_reasons(flags: pd.DataFrame, officers: pd.DataFrame) -> int:
    text = pd.concat([flags.loc[flags["flagged"], "reasons"], officers["reasons"]])
    return int(text.str.contains("|".join(OFF_HOURS), regex=True).sum())


# --------------------------------------------------------------------------- resolution


def test_resolution_per_source_unit_and_officer(sim):
    cases = _date_only(sim.cases, ["U001-CB02"])
    table = time_resolution(cases).set_index("entity")
    assert table.loc["", "status"] == "times" and table.loc["U001-CB02", "status"] == "date only"
    stamped = cases.copy()
    one = stamped["handler_id"] == "U001-CB04"
    stamped.loc[one, "completed_at"] = stamped.loc[
        one, "completed_at"
    ].dt.normalize() + pd.Timedelta("23:59:00")
    table = time_resolution(stamped).set_index("entity")
    assert table.loc["U001-CB04", "status"] == "constant time 23:59"
    real = real_times(stamped)
    rest = (~one & ~cases["handler_id"].eq("U001-CB02") & cases["completed_at"].notna()).to_numpy()
    assert not real[one.to_numpy()].any() and real[rest].mean() > 0.99
    done = (one & stamped["completed_at"].notna()).to_numpy()
    assert real_times(stamped, constant=True)[done].all()  # durations read them as they are


@pytest.mark.parametrize("who", ["one officer", "every officer"])
def test_completions_without_a_time_of_day_flag_nobody_for_off_hours_work(sim, who):
    """Acceptance: an export whose completion dates carry no time of day, for one officer or for
    all, flags nobody for off-hours work (the issue: rank 3 for "126 completions at unusual
    hours", and 400 of 400 dossiers of a date-only file)."""
    officer = sim.cases["handler_id"].value_counts().index[5]
    cases = _date_only(sim.cases, [officer] if who == "one officer" else None)
    model = _quiet(isig.RiskModel(random_state=0, n_estimators=30).fit, cases, catalog=sim.catalog)
    flags = _quiet(model.score, cases)
    officers = _quiet(model.score_entities, cases)
    assert _off_hours_reasons(flags, officers) == 0 or who == "one officer"
    row = officers.set_index("handler_id").loc[officer]
    assert row["obs_off_time"] == 0 and not any(s in row["reasons"] for s in OFF_HOURS)
    hit = flags["handler_id"].eq(officer) & flags["flagged"]
    assert not flags.loc[hit, "reasons"].str.contains("|".join(OFF_HOURS)).any()
    if who == "every officer":
        assert model.coverage_["signal:off_time"] == "not applicable: no time_of_day"
        assert model.coverage_["resolution:completed_at"] == "date only"
    else:
        assert f"date only for 1 officers ({officer})" in model.coverage_["resolution:completed_at"]


def test_an_honest_officer_with_date_only_stamps_is_not_flagged_for_speed_or_queues(sim):
    """Date-only stamps add no evidence: the officer is not flagged, has no fast events (a date
    cannot show them) and no more slow ones than with its real times, and neither speed nor
    queue jumps are among its reasons (its queue jumps are many more than with times, and so
    is their expected number)."""
    et = sim.entity_truth
    honest = set(et.loc[~et["corrupt"], "handler_id"])
    officer = next(h for h in sim.cases["handler_id"].value_counts().index if h in honest)

    def officer_row(cases):
        model = _quiet(
            isig.RiskModel(random_state=0, n_estimators=30).fit, cases, catalog=sim.catalog
        )
        return _quiet(model.score_entities, cases).set_index("handler_id").loc[officer]

    dated, timed = officer_row(_date_only(sim.cases, [officer])), officer_row(sim.cases)
    assert not dated["flagged"]
    assert dated["obs_fast"] == 0
    assert dated["obs_slow"] <= timed["obs_slow"]
    for text in ("faster than peers", "closed ahead of earlier ones"):
        assert text not in dated["reasons"]


def test_a_date_only_file_scored_with_a_timed_model_is_refused_then_flags_nobody_for_hours(
    sim, tmp_path
):
    model = _quiet(
        isig.RiskModel(random_state=0, n_estimators=30).fit, sim.cases, catalog=sim.catalog
    )
    batch = _date_only(sim.cases.tail(400))
    with pytest.raises(isig.IncompatibleBatchError, match="completed_at has date only here"):
        model.score(batch)
    flags = _quiet(model.score, batch, force=True)
    assert not flags["reasons"].str.contains("|".join(OFF_HOURS)).any()
    assert flags["model_mismatch"].str.contains("date only").all()


def test_columns_a_unit_or_officer_does_not_record_are_not_applicable_there(sim):
    cases = sim.cases.copy()
    unit = cases["unit_id"] == "U001"
    cases.loc[unit, "supplement_requests"] = 0  # the unit's system writes 0 in every row
    officer = cases["handler_id"] == "U002-CB03"
    cases.loc[officer, "fee_charged"] = np.nan  # one officer's fees are not recorded
    cases.loc[cases["handler_id"] == "U002-CB04", "applicant_id"] = "0"  # a placeholder
    table = not_applicable(cases)
    found = set(map(tuple, table[["column", "level", "entity", "status"]].to_numpy()))
    assert ("supplement_requests", "unit_id", "U001", "constant") in found
    assert ("fee_charged", "handler_id", "U002-CB03", "nearly empty") in found
    assert ("applicant_id", "handler_id", "U002-CB04", "constant") in found
    masked = mask_not_applicable(cases, table)
    assert masked.loc[unit, "supplement_requests"].isna().all()
    assert masked.loc[~unit, "supplement_requests"].notna().all()
    coverage = data_coverage(cases)
    assert "constant for 1 units (U001)" in coverage["not_applicable:supplement_requests"]
    model = _quiet(isig.RiskModel(random_state=0, n_estimators=30).fit, cases, catalog=sim.catalog)
    officers = _quiet(model.score_entities, cases).set_index("handler_id")
    assert officers.loc["U002-CB04", "obs_repeat_pair"] == 0  # the placeholder is no broker
    assert np.isnan(model.features_.transform(cases).loc[unit, "timing__supplements_p"]).all()


def test_validate_says_what_the_data_carries(sim, tmp_path, capsys):
    path = tmp_path / "cases.csv"
    _date_only(sim.cases, ["U001-CB02"]).to_csv(path, index=False)
    assert main(["validate", str(path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "time of day in date returned: times; date only for 1 officers (U001-CB02)" in out
    assert main(["validate", str(path), "--lang", "vi"]) == EXIT_OK
    assert "giờ trong ngày trả kết quả: có giờ; chỉ có ngày ở 1 cán bộ (U001-CB02)" in (
        capsys.readouterr().out
    )


# --------------------------------------------------------------------------- a model's own data


def test_the_mismatched_model_exits_2_with_the_message(sim, tmp_path, capsys):
    """Acceptance: a model fitted on one commune with fewer columns, applied to the province."""
    small = sim.cases[sim.cases["unit_id"] == "U001"].drop(columns=["receiver_id"])
    province, part = tmp_path / "province.csv", tmp_path / "commune.csv"
    sim.cases.to_csv(province, index=False)
    small.to_csv(part, index=False)
    model = tmp_path / "commune.joblib"
    assert main(["fit", str(part), "--model", str(model), "-q"]) == EXIT_OK
    out = tmp_path / "flags.csv"
    code = main(["score", str(province), "--model", str(model), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and not out.exists()
    assert "This batch is not like the data the model was fitted on: receiver_id is filled" in err
    assert "units (e.g. U002" in err and "pass --force to score it anyway" in err
    code = main(["score", str(province), "--model", str(model), "--out", str(out), "-q",
                 "--lang", "vi"])  # fmt: skip
    assert "Đợt hồ sơ này khác dữ liệu đã dùng để huấn luyện mô hình" in capsys.readouterr().err
    # --force scores anyway, and every output says how the batch differs
    code = main(["score", str(province), "--model", str(model), "--out", str(out), "--force",
                 "--entities", "handler_id,unit_id", "-q"])  # fmt: skip
    assert code == EXIT_OK
    for path in (out, tmp_path / "flags.officers.csv", tmp_path / "flags.units.csv"):
        table = pd.read_csv(path)
        assert table["model_mismatch"].str.contains("receiver_id is filled here").all()
    report = tmp_path / "report.html"
    assert main(["report", str(province), "--model", str(model), "--out", str(report), "--force",
                 "-q"]) == EXIT_OK  # fmt: skip
    assert "receiver_id is filled here" in report.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- overlap guard


def _holiday_free_calendar():
    """Every public holiday worked: dates shifted by 52 weeks keep their working days."""
    days = [d for year in range(2024, 2028) for d in holidays.VN(years=year)]
    return isig.WorkCalendar(extra_workdays=days)


def test_re_importing_the_reference_with_shifted_dates_flags_no_more(tmp_path):
    """Acceptance: re-importing the reference with its dates shifted flags no more dossiers (nor
    officers) than scoring the reference once; re-keyed, it warns about likely duplicates."""
    sim = isig.simulate(n_cases=3_000, months=3, random_state=0)  # one fee schedule
    model = _quiet(isig.RiskModel(random_state=0, n_estimators=30, calendar=_holiday_free_calendar()).fit,
                   sim.cases, catalog=sim.catalog)  # fmt: skip
    once = _quiet(model.score, sim.cases)
    officers_once = _quiet(model.score_entities, sim.cases)
    shifted = sim.cases.copy()
    for column in ("submitted_at", "due_at", "completed_at"):
        shifted[column] += pd.Timedelta(weeks=52)
    with pytest.warns(ReferenceOverlapWarning, match="3000 of 3000 dossiers .* already in"):
        again = model.score(shifted)
    officers_again = _quiet(model.score_entities, shifted)
    assert again["flagged"].sum() <= once["flagged"].sum()
    assert officers_again["flagged"].sum() <= officers_once["flagged"].sum()
    rekeyed = shifted.assign(case_id="R" + shifted["case_id"])
    with pytest.warns(ReferenceOverlapWarning, match="likely re-keyed|likely duplicates"):
        _quiet_but(model.score, rekeyed, force=True)


def _quiet_but(fn, *args, **kwargs):
    """Run ``fn`` letting only the overlap guard's warnings through."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", ReferenceOverlapWarning)
        return fn(*args, **kwargs)


def test_the_cli_prints_the_overlap_warning(sim, tmp_path, capsys):
    ref = sim.cases.head(2_000)
    path, model = tmp_path / "ref.csv", tmp_path / "m.joblib"
    ref.to_csv(path, index=False)
    assert main(["fit", str(path), "--model", str(model), "-q"]) == EXIT_OK
    shifted = ref.copy()
    for column in ("submitted_at", "due_at", "completed_at"):
        shifted[column] += pd.Timedelta(weeks=52)
    later = tmp_path / "later.csv"
    shifted.to_csv(later, index=False)
    main(["score", str(later), "--model", str(model), "--out", str(tmp_path / "f.csv"), "--force"])
    err = capsys.readouterr().err
    assert "2,000 of 2,000 dossiers of this batch are already in the model's reference" in err
    main(["score", str(later), "--model", str(model), "--out", str(tmp_path / "f.csv"), "--force",
          "--lang", "vi"])  # fmt: skip
    assert "đã có trong dữ liệu tham chiếu của mô hình" in capsys.readouterr().err
