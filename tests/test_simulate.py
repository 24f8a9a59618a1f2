"""The province simulator: determinism, the data contract, and the trace of every confounder and scheme."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import integrity_signals as isig
from integrity_signals.calendar import WorkCalendar
from integrity_signals.simulation import (
    SCHEMES,
    VIETNAMESE_HEADERS,
    Simulation,
    simulate,
    write_simulation,
)

OFFICE = WorkCalendar(office_hours=("07:30", "17:00"))


@pytest.fixture(scope="module")
def sim() -> Simulation:
    """A 30k-case province with one corrupt officer per scheme (all seven present)."""
    return simulate(30_000, random_state=0, officers_per_scheme=1)


def _frame(sim: Simulation) -> pd.DataFrame:
    """Cases with truth, catalog facts and working-day durations joined on."""
    cat = sim.catalog.drop_duplicates("procedure_id").set_index("procedure_id")
    df = sim.cases.assign(
        is_corrupt=sim.truth["is_corrupt"].to_numpy(),
        scheme=sim.truth["scheme"].to_numpy(),
        statutory=sim.cases["procedure_id"].map(cat["statutory_days"]).to_numpy(),
        sector=sim.cases["procedure_id"].map(cat["sector"]).to_numpy(),
        days=OFFICE.working_days(sim.cases["submitted_at"], sim.cases["completed_at"]).to_numpy(),
    )
    df["ratio"] = df["days"] / df["statutory"]
    df["excess"] = df["fee_charged"] - df["fee_official"]
    return df


@pytest.fixture(scope="module")
def frame(sim) -> pd.DataFrame:
    return _frame(sim)


@pytest.fixture(scope="module")
def honest(frame) -> pd.DataFrame:
    return frame[~frame["is_corrupt"]]


@pytest.fixture(scope="module", params=range(10), ids=lambda s: f"seed{s}")
def province(request) -> tuple[Simulation, pd.DataFrame, pd.DataFrame]:
    """(simulation, frame, honest rows) of 30k-case provinces with all seven schemes, seeds 0-9:
    every scheme's trace must hold whatever the draw."""
    sim = simulate(30_000, random_state=request.param, officers_per_scheme=1)
    frame = _frame(sim)
    return sim, frame, frame[~frame["is_corrupt"]]


def _officers(sim: Simulation, scheme: str) -> list[str]:
    et = sim.entity_truth
    return et.loc[et["scheme"] == scheme, "handler_id"].tolist()


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_frames():
    a, b = simulate(5_000, random_state=7), simulate(5_000, random_state=7)
    for name in ("cases", "catalog", "truth", "entity_truth"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.params == b.params


def test_different_seed_differs():
    a, b = simulate(5_000, random_state=7), simulate(5_000, random_state=8)
    assert not a.cases.equals(b.cases)


def test_no_seed_records_one_that_repeats_the_run():
    a = simulate(2_000)
    assert isinstance(a.params["seed"], int) and a.params["random_state"] is None
    b = simulate(2_000, random_state=a.params["seed"])
    pd.testing.assert_frame_equal(a.cases, b.cases)


def test_generator_as_random_state():
    a = simulate(2_000, random_state=np.random.default_rng(3))
    b = simulate(2_000, random_state=np.random.default_rng(3))
    pd.testing.assert_frame_equal(a.cases, b.cases)


# --------------------------------------------------------------------------- the contract


def test_cases_pass_validation_unchanged(seed):
    s = simulate(8_000, random_state=seed)
    data = isig.validate_cases(s.cases)
    assert data.n_rejected == 0
    pd.testing.assert_frame_equal(data.cases, s.cases)
    catalog = isig.validate_catalog(s.catalog)
    assert catalog.n_rejected == 0
    pd.testing.assert_frame_equal(catalog.catalog, s.catalog)


def test_dtypes_and_filled_columns(sim):
    c = sim.cases
    assert list(c.columns) == isig.CASE_SCHEMA.names
    for col in ("case_id", "procedure_id", "unit_id", "handler_id", "applicant_id", "status"):
        assert c[col].dtype == pd.StringDtype("pyarrow", na_value=np.nan), col
    for col in ("submitted_at", "due_at", "completed_at"):
        assert c[col].dtype == np.dtype("datetime64[ns]"), col
    assert c["fee_charged"].dtype == np.float64 and c["fee_official"].dtype == np.float64
    assert list(c["channel"].cat.categories) == ["online", "in_person", "postal"]
    assert c["supplement_requests"].dtype == "Int64"
    missing = c.isna().sum()
    assert missing.drop("completed_at").eq(0).all(), missing[missing > 0]
    pending = c["status"] == "pending"
    assert set(c["status"]) == {"returned", "pending"}
    assert (c["completed_at"].isna() == pending).all()
    assert c["case_id"].is_unique and c["submitted_at"].is_monotonic_increasing


def test_truth_frames(sim):
    t, et = sim.truth, sim.entity_truth
    assert list(t.columns) == ["case_id", "is_corrupt", "scheme"]
    assert (t["case_id"] == sim.cases["case_id"]).all()
    assert t["is_corrupt"].dtype == bool
    assert (t["is_corrupt"] == (t["scheme"] != "none")).all()
    assert set(t["scheme"]) == {"none", *SCHEMES}
    assert list(et.columns) == ["handler_id", "unit_id", "corrupt", "scheme"]
    assert set(et["handler_id"]) == set(sim.cases["handler_id"])
    assert et["handler_id"].is_unique
    assert (et["corrupt"] == (et["scheme"] != "none")).all()
    assert et["corrupt"].sum() == len(SCHEMES) < 0.2 * len(et)  # a few officers, one scheme each
    # every labelled dossier is handled by an officer running that scheme
    officer_scheme = et.set_index("handler_id")["scheme"]
    labelled = t["is_corrupt"].to_numpy()
    handled_by = sim.cases["handler_id"][labelled].map(officer_scheme)
    assert (handled_by.to_numpy() == t["scheme"][labelled].to_numpy()).all()


def test_params_are_json(sim):
    text = json.dumps(sim.params)
    back = json.loads(text)
    assert back["n_cases"] == 30_000 and back["seed"] == 0
    assert set(back["schemes"]) == set(SCHEMES)
    assert back["corrupt_officers"]["harassment"] == _officers(sim, "harassment")
    assert sum(back["prevalence"].values()) == pytest.approx(sim.truth["is_corrupt"].mean())


def test_honest_province_has_no_labels():
    s = simulate(20_000, corruption=0, random_state=1)
    assert not s.truth["is_corrupt"].any() and set(s.truth["scheme"]) == {"none"}
    assert not s.entity_truth["corrupt"].any() and set(s.entity_truth["scheme"]) == {"none"}
    assert all(v == [] for v in s.params["corrupt_officers"].values())
    assert all(v == 0 for v in s.params["schemes"].values())


@pytest.mark.parametrize(("n", "seed"), [(50_000, 0), (50_000, 1), (100_000, 2)])
def test_default_prevalence_is_one_to_three_percent(n, seed):
    s = simulate(n, random_state=seed)
    assert 0.01 <= s.truth["is_corrupt"].mean() <= 0.03
    corrupt_officers = s.entity_truth["corrupt"].mean()
    assert 0 < corrupt_officers <= 0.12


def test_schemes_switch_and_scale():
    off = simulate(20_000, random_state=2, schemes={"harassment": False}, officers_per_scheme=1)
    assert "harassment" not in set(off.truth["scheme"])
    assert off.params["corrupt_officers"]["harassment"] == []
    assert off.params["schemes"]["harassment"] == 0.0
    base = simulate(20_000, random_state=2, schemes={"overcharging": 1}, officers_per_scheme=1)
    more = simulate(20_000, random_state=2, schemes={"overcharging": 2}, officers_per_scheme=1)
    assert (more.truth["scheme"] == "overcharging").sum() > 1.5 * (
        base.truth["scheme"] == "overcharging"
    ).sum()
    only = simulate(20_000, random_state=2, corruption=0, schemes={"off_book": True})
    assert set(only.truth["scheme"]) == {"none"}  # corruption=0 multiplies every intensity


def test_small_province_runs_fewer_schemes():
    s = simulate(5_000, random_state=0)
    assert s.entity_truth["corrupt"].sum() <= max(1, round(0.12 * len(s.entity_truth)))


@pytest.mark.parametrize(
    "kwargs",
    [{"n_cases": 1}, {"n_cases": 300, "months": 1}, {"n_cases": 50, "n_units": 50}],
)
def test_edge_sizes(kwargs):
    s = simulate(random_state=0, **kwargs)
    assert len(s.cases) == kwargs["n_cases"]
    assert isig.validate_cases(s.cases).n_rejected == 0


# --------------------------------------------------------------------------- confounders


def test_procedures_terms_fees_and_popularity(sim, frame):
    cat = sim.catalog
    assert cat["statutory_days"].between(1, 30).all()
    assert cat["statutory_days"].nunique() >= 6
    fees = cat["fee_official"]
    assert (fees == 0).any() and (fees > 0).any() and fees.isna().any()  # free, paid, by value
    counts = frame["procedure_id"].value_counts()
    top = counts.head(max(1, len(counts) // 10)).sum() / counts.sum()
    assert top > 0.4  # heavy-tailed popularity: a tenth of procedures, almost half the dossiers
    by_value = cat.loc[fees.isna(), "procedure_id"]
    land = frame[frame["procedure_id"].isin(by_value)]
    assert land.groupby("procedure_id")["fee_official"].nunique().median() > 10


def test_fee_schedule_change_and_lagging_units(sim, honest):
    cat = sim.catalog
    changed = cat[cat["procedure_id"].duplicated(keep=False)]
    assert len(changed) >= 2 and changed["valid_from"].nunique() == 2
    new = changed.drop_duplicates("procedure_id", keep="last").set_index("procedure_id")
    old = changed.drop_duplicates("procedure_id", keep="first").set_index("procedure_id")
    after = honest[
        honest["procedure_id"].isin(new.index)
        & (honest["submitted_at"] >= new["valid_from"].iloc[0])
    ]
    new_fee = after["procedure_id"].map(new["fee_official"])
    assert (after["fee_official"] == new_fee).mean() > 0.8
    # some units kept the old posted fee for a while: the schedule's round rise shows as an
    # excess on both channels, for every officer of the unit
    old_fee = after["procedure_id"].map(old["fee_official"])
    stale = after[(after["fee_official"] == old_fee) & (after["fee_charged"] == new_fee)]
    assert len(stale) > 0 and (stale["excess"] > 0).all() and (stale["excess"] % 5_000 == 0).all()
    assert stale["channel"].nunique() >= 2


def test_units_and_officers_differ_legitimately(honest):
    size = honest["unit_id"].value_counts()
    assert size.max() > 2 * size.min()
    unit_speed = honest.groupby("unit_id")["ratio"].median()
    assert unit_speed.max() > 1.3 * unit_speed.min()
    handled = honest["handler_id"].value_counts()
    officer_speed = honest.groupby("handler_id")["ratio"].median()[handled >= 200]
    assert officer_speed.max() > 1.5 * officer_speed.min()
    # officers cover only their desk's procedures: no one handles every sector of the unit
    sectors_per_officer = honest.groupby("handler_id")["sector"].nunique()
    assert sectors_per_officer.max() <= 2
    assert honest["sector"].nunique() == 7


def test_submissions_on_working_days_in_office_hours(sim):
    sub = sim.cases["submitted_at"]
    assert OFFICE.is_workday(sub.to_numpy()).all()
    seconds = (sub - sub.dt.normalize()).dt.total_seconds()
    assert seconds.between(7.5 * 3600, 17 * 3600).all()
    tet = sub.dt.normalize().between("2025-01-27", "2025-01-31")
    assert not tet.any()
    due = OFFICE.add_working_days(
        sub.to_numpy(),
        sim.cases["procedure_id"]
        .map(
            sim.catalog.drop_duplicates("procedure_id").set_index("procedure_id")["statutory_days"]
        )
        .to_numpy(),
    ) + np.timedelta64(17, "h")
    assert (sim.cases["due_at"].to_numpy() == due).all()


def test_seasonal_peak_before_tet(sim):
    day = sim.cases["submitted_at"].dt.normalize()
    per_day = day.value_counts()
    rush = per_day[(per_day.index >= "2025-01-13") & (per_day.index < "2025-01-27")].mean()
    assert rush > 1.2 * per_day.mean()


def test_durations_are_working_days(sim, honest):
    done = honest.dropna(subset=["completed_at"])
    across_tet = done[(done["submitted_at"] < "2025-01-25") & (done["completed_at"] > "2025-02-03")]
    elapsed = (across_tet["completed_at"] - across_tet["submitted_at"]).dt.total_seconds() / 86_400
    whole_days = WorkCalendar().working_days(across_tet["submitted_at"], across_tet["completed_at"])
    assert len(across_tet) > 20 and (elapsed - whole_days >= 9 - 1e-9).all()  # Tết: 9 days shut
    late = (done["completed_at"] > done["due_at"]).mean()
    assert 0.01 <= late <= 0.08  # a natural late rate of a few percent
    assert done["ratio"].median() < 0.6


def test_natural_supplement_requests(honest):
    asked = honest["supplement_requests"] > 0
    assert 0.05 <= asked.mean() <= 0.25
    by_channel = asked.groupby(honest["channel"], observed=True).mean()
    assert by_channel["online"] > by_channel["in_person"]  # incomplete uploads


def test_pending_at_the_extract_date(sim):
    c = sim.cases
    pending = c["status"] == "pending"
    assert 0.002 <= pending.mean() <= 0.05
    extract = pd.Timestamp(sim.params["extract_at"])
    assert (c.loc[~pending, "completed_at"] <= extract).all()
    assert c.loc[pending, "submitted_at"].min() > extract - pd.Timedelta(days=120)


def test_applicants_mostly_one_off_with_honest_heavy_filers(sim, honest):
    per_applicant = sim.cases["applicant_id"].value_counts()
    assert (per_applicant == 1).mean() > 0.7
    filed = honest["applicant_id"].value_counts()
    heavy = honest[honest["applicant_id"].isin(filed.index[filed >= 30])]
    assert heavy["applicant_id"].nunique() >= 3
    assert (heavy.groupby("applicant_id")["unit_id"].nunique() == 1).all()  # in their own unit
    # spread over officers by the normal assignment: pair share near the officer's share
    group = honest.groupby(["unit_id", "sector"])["case_id"].transform("size")
    officer_share = (
        honest.groupby(["unit_id", "sector", "handler_id"])["case_id"].transform("size") / group
    )
    h = heavy.assign(expected=officer_share[heavy.index])
    pairs = h.groupby(["applicant_id", "sector", "handler_id"]).agg(
        n=("case_id", "size"), expected=("expected", "first")
    )
    pairs["share"] = pairs["n"] / pairs.groupby(level=[0, 1])["n"].transform("sum")
    big = pairs[pairs.groupby(level=[0, 1])["n"].transform("sum") >= 20]
    assert (big["share"] - big["expected"]).abs().mean() < 0.12


def test_exemptions_and_channels(honest):
    paid = honest[honest["fee_official"] > 0]
    assert 0.01 <= (paid["fee_charged"] == 0).mean() <= 0.05
    share = honest["channel"].value_counts(normalize=True)
    assert 0.1 <= share["online"] <= 0.4 and share["postal"] > 0 and share["in_person"] > 0.5
    first = honest["submitted_at"] < "2025-04-01"
    last = honest["submitted_at"] >= "2025-10-01"
    online = honest["channel"] == "online"
    assert online[last].mean() > online[first].mean()  # online filing grows


def test_honest_after_hours_are_limited(honest):
    done = honest.dropna(subset=["completed_at"])
    t = done["completed_at"]
    hour = (t - t.dt.normalize()).dt.total_seconds() / 3600
    workday = OFFICE.is_workday(t.to_numpy())
    assert 0.005 < (hour > 17).mean() < 0.04  # staying late in busy weeks
    assert (hour[workday] <= 19).all()
    off = ~workday
    assert (t[off].dt.day_of_week == 5).all() and (hour[off] <= 11.5).all()  # Saturday desks only


def test_raw_fields_alone_do_not_separate(frame):
    from sklearn.metrics import roc_auc_score

    y = frame["is_corrupt"]
    raw = {
        "days": frame["days"].fillna(frame["days"].max()),
        "fee": frame["fee_charged"],
        "supplements": frame["supplement_requests"].astype(float),
    }
    for name, values in raw.items():
        assert 0.3 < roc_auc_score(y, values) < 0.7, name


# --------------------------------------------------------------------------- schemes


def test_broker_pair_share_far_above_assignment_rate(province):
    sim, frame, honest = province
    (officer,) = _officers(sim, "broker_fast_track")
    rows = frame[frame["scheme"] == "broker_fast_track"]
    assert len(rows) >= 30 and (rows["handler_id"] == officer).all()
    unit = rows["unit_id"].iloc[0]
    sectors = rows["sector"].unique()
    peers = honest[(honest["unit_id"] == unit) & honest["sector"].isin(sectors)]
    assignment_rate = (peers["handler_id"] == officer).mean()
    brokers = rows["applicant_id"].unique()
    assert 1 <= len(brokers) <= 3
    filed = frame[frame["applicant_id"].isin(brokers)]
    pair_share = (filed["handler_id"] == officer).mean()
    assert assignment_rate <= 0.7 and pair_share >= 0.8 and pair_share > assignment_rate + 0.2
    assert rows["supplement_requests"].eq(0).all()


def _queue_jumps(rows: pd.DataFrame, frame: pd.DataFrame) -> float:
    """Among ``rows`` received while an earlier dossier of the same procedure and unit was open,
    the share completed before one of those earlier dossiers (a queue jump)."""
    jumped = []
    for r in rows.itertuples():  # a few hundred rows: a loop is fine in a test
        earlier = frame[
            (frame["procedure_id"] == r.procedure_id)
            & (frame["unit_id"] == r.unit_id)
            & (frame["submitted_at"] < r.submitted_at)
        ]
        done = earlier["completed_at"]
        if not (done.isna() | (done > r.submitted_at)).any():
            continue  # nobody was waiting: nothing to jump
        jumped.append(bool((done.isna() | (done > r.completed_at)).any()))
    return float(np.mean(jumped))


def test_broker_dossiers_finish_fast_and_jump_the_queue(province):
    sim, frame, honest = province
    rows = frame[frame["scheme"] == "broker_fast_track"].dropna(subset=["completed_at"])
    peer_ratio = honest.groupby("procedure_id")["ratio"].median()
    assert (rows["ratio"] / rows["procedure_id"].map(peer_ratio)).median() < 0.4
    peers = honest[honest["unit_id"].isin(rows["unit_id"]) & honest["sector"].isin(rows["sector"])]
    peers = peers.dropna(subset=["completed_at"])
    peers = peers.sample(min(300, len(peers)), random_state=0)
    broker_rate, peer_rate = _queue_jumps(rows, frame), _queue_jumps(peers, frame)
    assert broker_rate > 0.75 and broker_rate > peer_rate + 0.25


def test_harassment_supplements_and_delays_in_person(province):
    sim, frame, honest = province
    (officer,) = _officers(sim, "harassment")
    rows = frame[frame["scheme"] == "harassment"]
    assert len(rows) >= 30
    assert (rows["channel"] == "in_person").all() and (rows["supplement_requests"] >= 1).all()
    mine = frame[frame["handler_id"] == officer]
    peers = honest[
        honest["sector"].isin(mine["sector"].unique()) & (honest["handler_id"] != officer)
    ]

    def rates(channel):  # the officer's rate, and its peers' on the same procedures
        asked = (peers["supplement_requests"] > 0)[peers["channel"] == channel]
        by_procedure = asked.groupby(peers.loc[peers["channel"] == channel, "procedure_id"]).mean()
        own = mine[mine["channel"] == channel]
        expected = own["procedure_id"].map(by_procedure).fillna(asked.mean()).mean()
        return (own["supplement_requests"] > 0).mean(), expected

    observed, expected = rates("in_person")
    assert observed > expected + 0.1  # a quarter of the counter dossiers harassed
    observed, expected = rates("online")
    assert observed < 2 * expected  # online left alone (the officer may be strict by habit)
    done = rows.dropna(subset=["completed_at"])
    late = done["completed_at"] > done["due_at"]
    peer_ratio = honest.groupby("procedure_id")["ratio"].median()
    sudden = done["ratio"] < done["procedure_id"].map(peer_ratio)
    assert late.mean() > 0.3 and sudden.mean() > 0.15  # stalled, or paid and finished suddenly


def test_overcharging_round_amounts_in_person(province):
    sim, frame, honest = province
    rows = frame[frame["scheme"] == "overcharging"]
    assert len(rows) >= 30 and (rows["channel"] == "in_person").all()
    assert (rows["excess"] >= 20_000).all() and (rows["excess"] % 5_000 == 0).all()
    assert (rows["excess"] % 10_000 == 0).mean() > 0.8
    (officer,) = _officers(sim, "overcharging")
    free = frame[(frame["handler_id"] == officer) & (frame["fee_official"] == 0)]
    if (free["channel"] == "in_person").sum() >= 10:  # fees on free procedures, where it has any
        assert (free.loc[free["scheme"] == "overcharging", "fee_charged"] > 0).sum() > 0
    assert (rows["handler_id"] == officer).all()


def test_waiver_favour_for_a_few_friends(province):
    sim, frame, honest = province
    rows = frame[frame["scheme"] == "waiver_favour"]
    assert len(rows) >= 3
    assert (rows["fee_charged"] == 0).all() and (rows["fee_official"] > 0).all()
    assert 2 <= rows["applicant_id"].nunique() <= 4
    (officer,) = _officers(sim, "waiver_favour")
    assert (rows["handler_id"] == officer).all() and (rows["channel"] == "in_person").all()
    peer_ratio = honest.groupby("procedure_id")["ratio"].median()
    assert (rows["ratio"] / rows["procedure_id"].map(peer_ratio)).median() < 0.7


def test_off_book_completions_outside_working_time(province):
    sim, frame, honest = province
    rows = frame[frame["scheme"] == "off_book"]
    assert len(rows) >= 20 and rows["completed_at"].notna().all()
    t = rows["completed_at"]
    hour = (t - t.dt.normalize()).dt.total_seconds() / 3600
    outside = ~OFFICE.is_workday(t.to_numpy()) | (hour >= 18.5).to_numpy()
    assert outside.all()
    (officer,) = _officers(sim, "off_book")
    assert (rows["handler_id"] == officer).all()


def test_receiver_is_processor_concentrated_on_one_officer(province):
    sim, frame, honest = province
    rows = frame[frame["scheme"] == "receiver_is_processor"]
    assert len(rows) >= 30 and (rows["receiver_id"] == rows["handler_id"]).all()
    (officer,) = _officers(sim, "receiver_is_processor")
    self_share = (frame["receiver_id"] == frame["handler_id"]).groupby(frame["handler_id"]).mean()
    counter = frame[frame["channel"] == "in_person"]
    own = counter.loc[counter["handler_id"] == officer]
    assert (own["receiver_id"] == officer).mean() > 0.2  # 30 % of its counter dossiers
    busy = frame["handler_id"].value_counts()
    others = self_share.drop(officer)[busy.drop(officer) >= 100]
    assert others.max() < 0.05 and self_share.drop(officer).mean() > 0  # honest stand-ins exist


def test_speed_money_returns_long_procedures_within_a_day_on_any_channel(province):
    sim, frame, honest = province
    rows = frame[frame["scheme"] == "speed_money"].dropna(subset=["completed_at"])
    (officer,) = _officers(sim, "speed_money")
    assert len(rows) >= 20 and (rows["handler_id"] == officer).all()
    # within a working day (a stamp after 17:00 may round it up a little, as for everyone)
    assert (rows["statutory"] >= 7).all() and rows["days"].median() <= 0.6
    assert (rows["days"] <= 2.0).all()
    assert rows["supplement_requests"].eq(0).all()
    # nothing else in common: many applicants, the officer's usual channels, no fee trace
    assert rows["applicant_id"].nunique() >= 0.75 * len(rows)
    assert (rows["fee_charged"] <= rows["fee_official"].fillna(np.inf) + 50_000).all()
    mine = frame[frame["handler_id"] == officer]
    assert abs((rows["channel"] == "online").mean() - (mine["channel"] == "online").mean()) < 0.2
    # the officer's other long dossiers look like its peers'
    ordinary = mine[(mine["scheme"] == "none") & (mine["statutory"] >= 7)]
    peer_ratio = honest.groupby("procedure_id")["ratio"].median()
    assert 0.3 < (ordinary["ratio"] / ordinary["procedure_id"].map(peer_ratio)).median() < 3.0


def test_honest_speed_look_alikes(honest):
    """Fast honest officers, and procedures often settled within the day, exist without corruption."""
    peer_ratio = honest.groupby("procedure_id")["ratio"].median()
    rel = (honest["ratio"] / honest["procedure_id"].map(peer_ratio)).groupby(honest["handler_id"])
    busy = honest["handler_id"].value_counts() >= 100
    assert (rel.median()[busy[busy].index] < 0.7).any()  # officers fast on everything
    long = honest[honest["statutory"] >= 3]
    same_day = (long["days"] <= 1.0).groupby(long["procedure_id"]).mean()
    assert (same_day > 0.15).any()  # procedures often settled within the day


# --------------------------------------------------------------------------- files


@pytest.fixture(scope="module")
def small() -> Simulation:
    return simulate(3_000, random_state=4)


def test_vietnamese_headers_round_trip(small, tmp_path):
    paths = write_simulation(
        small,
        tmp_path / "ho_so.csv",
        truth_path=tmp_path / "truth.csv",
        catalog_path=tmp_path / "danh_muc.csv",
        vietnamese_headers=True,
    )
    raw = pd.read_csv(paths["cases"], dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert list(raw.columns) == [VIETNAMESE_HEADERS[c] for c in isig.CASE_SCHEMA.names]
    assert raw["Ngày tiếp nhận"].str.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d").all()
    assert raw["Lệ phí"].str.fullmatch(r"\d{1,3}(?:\.\d{3})+").any()
    assert set(raw["Hình thức nộp"]) <= {"Trực tuyến", "Trực tiếp", "Bưu chính"}
    assert paths["cases"].read_bytes()[:3] == b"\xef\xbb\xbf"  # BOM for Excel
    back = isig.read_cases(paths["cases"])
    assert back.n_rejected == 0
    pd.testing.assert_frame_equal(back.cases, small.cases)
    catalog = isig.read_catalog(paths["catalog"])
    assert catalog.n_rejected == 0
    pd.testing.assert_frame_equal(catalog.catalog, small.catalog)
    truth = pd.read_csv(paths["truth"], encoding="utf-8-sig")
    assert list(truth.columns) == ["case_id", "is_corrupt", "scheme"]
    assert truth["is_corrupt"].sum() == small.truth["is_corrupt"].sum()


@pytest.mark.parametrize(("suffix", "fmt"), [(".csv", None), (".parquet", None), (".dat", "csv")])
@pytest.mark.parametrize("vietnamese", [False, True])
def test_files_round_trip(small, tmp_path, suffix, fmt, vietnamese):
    paths = write_simulation(
        small, tmp_path / f"cases{suffix}", fmt=fmt, vietnamese_headers=vietnamese
    )
    assert set(paths) == {"cases"}
    if suffix == ".dat":  # read_cases needs a known extension
        paths["cases"] = paths["cases"].rename(tmp_path / "cases.csv")
    back = isig.read_cases(paths["cases"])
    assert back.n_rejected == 0
    pd.testing.assert_frame_equal(back.cases, small.cases)


def test_write_simulation_rejects_bad_arguments(small, tmp_path):
    with pytest.raises(ValueError, match=r"The 'fmt' parameter of write_simulation must be one of"):
        write_simulation(small, tmp_path / "x.csv", fmt="xlsx")
    with pytest.raises(TypeError, match=r"The 'sim' parameter of write_simulation must be a"):
        write_simulation(small.cases, tmp_path / "x.csv")


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_cases": -3}, "The 'n_cases' parameter of simulate must be an int >= 1. Got -3 instead."),
        ({"n_cases": 2.5}, "The 'n_cases' parameter of simulate must be an int >= 1. Got 2.5"),
        ({"n_cases": True}, "The 'n_cases' parameter of simulate must be an int >= 1. Got True"),
        ({"n_units": 0}, "The 'n_units' parameter of simulate must be an int in [1, 50000] or None"),
        ({"n_cases": 10, "n_units": 11}, "The 'n_units' parameter of simulate must be an int in [1, 10]"),
        ({"months": 0}, "The 'months' parameter of simulate must be an int in [1, 120]. Got 0"),
        ({"start": "soon"}, "The 'start' parameter of simulate must be a date between 1990 and 2090"),
        ({"start": "1800-01-01"}, "The 'start' parameter of simulate must be a date between"),
        ({"corruption": -1}, "The 'corruption' parameter of simulate must be a real number >= 0. Got -1"),
        ({"corruption": float("nan")}, "The 'corruption' parameter of simulate must be a real number"),
        ({"corruption": "high"}, "The 'corruption' parameter of simulate must be a real number"),
        ({"schemes": ["harassment"]}, "The 'schemes' parameter of simulate must be None or a dict"),
        ({"schemes": {"bribery": 1}}, "The 'schemes' parameter of simulate has unknown scheme names ['bribery']"),
        ({"schemes": {"harassment": -1}}, "The 'schemes' parameter of simulate must be None or a dict"),
        ({"random_state": -1}, "The 'random_state' parameter of simulate must be an int >= 0, a numpy.random.Generator or None. Got -1"),
        ({"random_state": "0"}, "The 'random_state' parameter of simulate must be an int >= 0"),
        ({"n_procedures": 3}, "The 'n_procedures' parameter of simulate must be an int in [7, 9999] or None. Got 3"),
        ({"extract_at": "2025-06-01"}, "The 'extract_at' parameter of simulate must be None or a date on or after the period's end (2026-01-01)"),
        ({"officers_per_scheme": 0}, "The 'officers_per_scheme' parameter of simulate must be an int >= 1 or None"),
    ],
)  # fmt: skip
def test_parameter_validation(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        simulate(**{"n_cases": 50_000, **kwargs})


def test_later_extract_leaves_fewer_pending():
    early = simulate(5_000, random_state=5)
    late = simulate(5_000, random_state=5, extract_at="2026-03-01")
    assert (late.cases["status"] == "pending").sum() < (early.cases["status"] == "pending").sum()
    pd.testing.assert_series_equal(early.cases["submitted_at"], late.cases["submitted_at"])
