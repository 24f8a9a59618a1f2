"""RiskModel: contract, flags, reasons, explanations, coverage, persistence, end to end."""

from __future__ import annotations

import dataclasses
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import average_precision_score

import integrity_signals as isig
from integrity_signals.model import FlagRateWarning
from integrity_signals.persistence import read_envelope
from integrity_signals.scoring.entities import EntityEvidence
from integrity_signals.scoring.officers import officer_posterior, officer_route
from integrity_signals.scoring.ranking import case_order, posterior
from integrity_signals.signals import SIGNALS

# the fixture province runs all six schemes among few officers: more than 5 % corrupt cases
pytestmark = pytest.mark.filterwarnings("ignore::integrity_signals.model.FlagRateWarning")


@pytest.fixture(scope="module")
def sim():
    return isig.simulate(15_000, random_state=0, officers_per_scheme=1)


@pytest.fixture(scope="module")
def model(sim):
    return isig.RiskModel(random_state=0).fit(sim.cases, catalog=sim.catalog)


@pytest.fixture(scope="module")
def flags(model, sim):
    return model.score(sim.cases)


def test_score_output_contract(flags, sim):
    assert list(flags.columns) == [
        "case_id", "risk_score", "rank", "flagged", "q_value", "route", "evidence", "timing_score",
        "fees_score", "handlers_score", "money_at_stake", "reasons", "handler_id", "unit_id",
    ]  # fmt: skip
    assert len(flags) == len(sim.cases) and flags["case_id"].is_unique
    assert flags["rank"].tolist() == list(range(1, len(flags) + 1))
    assert flags["risk_score"].is_monotonic_decreasing and flags["risk_score"].between(0, 1).all()
    # equal risks are ordered by the strength of all their evidence
    tied = flags[flags["risk_score"] == flags["risk_score"].iloc[-1]]
    assert tied["evidence"].is_monotonic_decreasing
    assert (flags["flagged"] == (flags["q_value"] <= 0.05)).all()
    assert set(flags.loc[flags["flagged"], "route"]) <= {"own", "officer"}
    assert (flags.loc[~flags["flagged"], "route"] == "").all()
    assert flags.loc[flags["flagged"], "reasons"].str.len().gt(0).all()
    assert flags["reasons"].str.count("; ").max() <= 2  # at most three sentences
    assert (flags["money_at_stake"].dropna() >= 0).all()


def test_finds_the_schemes_on_a_simulated_province(flags, sim, model):
    truth = sim.truth.set_index("case_id").loc[flags["case_id"]]
    ap = average_precision_score(truth["is_corrupt"], flags["risk_score"])
    assert ap > 0.7
    officers = model.score_entities(sim.cases)
    corrupt = set(sim.entity_truth.loc[sim.entity_truth["corrupt"], "handler_id"])
    top = set(officers.head(len(corrupt))["handler_id"])
    assert len(top & corrupt) >= len(corrupt) - 1


def test_reasons_name_numbers_and_baselines(flags, sim):
    text = " ".join(flags["reasons"].head(300))
    assert "expected" in text and "peers" in text


def test_case_reasons_are_tidied_into_one_sentence_per_pattern():
    from integrity_signals.reasons import tidy_case_reasons

    pair = "9 of this applicant's 10 dossiers went to this officer (1.2 expected)"
    records = pd.DataFrame(
        {
            "row": [0, 0, 0, 0, 0, 1],
            "code": ["repeat_pair", "fast", "pair_fast", "pair_jump", "self_receipt", "fast"],
            "kind": ["case", "case", "case", "case", "officer", "case"],
            "p_value": [1e-4, 1e-2, 1e-6, 1e-5, 1e-3, 1e-2],
            "text": [
                pair, "returned in 0.2 working days, peers take 4.1",
                f"{pair}, and returned in 0.2 working days, peers take 4.1",
                f"{pair}, and closed ahead of 1 earlier dossier still open",
                "officer: 40 dossiers received and processed by the same officer against 2.0 expected",
                "returned in 1.0 working days, peers take 5.0",
            ],
        }
    )  # fmt: skip
    out = tidy_case_reasons(records)
    assert out["code"].tolist() == ["pair_fast", "self_receipt", "fast"]
    assert out["text"].iloc[0] == (
        f"{pair}, and returned in 0.2 working days, peers take 4.1, "
        "and closed ahead of 1 earlier dossier still open"
    )
    assert out["p_value"].iloc[0] == 1e-6 and out["text"].iloc[2] == records["text"].iloc[5]


def test_reasons_do_not_say_the_same_thing_twice(flags):
    sentences = flags.loc[flags["reasons"] != "", "reasons"].str.split("; ")
    assert len(sentences) > 100
    # a co-occurrence sentence ("... went to this officer, and returned in ...") replaces the
    # single-signal sentence it starts with
    repeated = sentences.map(lambda ps: any(a != b and b.startswith(a) for a in ps for b in ps))
    assert not repeated.any()


def test_entities_contract(model, sim):
    officers = model.score_entities(sim.cases, level="handler_id")
    units = model.score_entities(sim.cases, level="unit_id")
    for frame, level in ((officers, "handler_id"), (units, "unit_id")):
        assert frame.columns[0] == level and frame[level].is_unique
        assert {
            "risk_score",
            "rank",
            "flagged",
            "q_value",
            "n_cases",
            "reasons",
            "money_at_stake",
        } <= set(frame.columns)
        assert frame["n_cases"].sum() == len(sim.cases)
        assert frame["risk_score"].is_monotonic_decreasing
    assert officers["unit_id"].notna().all()
    with pytest.raises(ValueError, match=r"The 'level' parameter of score_entities must be one of"):
        model.score_entities(sim.cases, level="applicant_id")


def test_explain_gives_records_with_baselines(model, flags):
    top = flags["case_id"].iloc[0]
    records = model.explain(top)
    assert list(records.columns) == [
        "code",
        "kind",
        "feature",
        "value",
        "baseline",
        "p_value",
        "text",
    ]
    assert len(records) >= 1 and records["kind"].iloc[0] == "case"  # its own evidence first
    for kind in ("case", "officer"):  # strongest first within each
        assert records.loc[records["kind"] == kind, "p_value"].is_monotonic_increasing
    with pytest.raises(KeyError, match="is not in the scored batch"):
        model.explain("no-such-case")


def test_scores_do_not_depend_on_row_order(model, sim, flags):
    shuffled = sim.cases.sample(frac=1.0, random_state=3)
    again = model.score(shuffled).set_index("case_id").sort_index()
    base = flags.set_index("case_id").sort_index()
    pd.testing.assert_series_equal(
        again["risk_score"], base["risk_score"], check_exact=False, rtol=1e-9
    )


def test_scoring_is_deterministic_and_does_not_change_the_model(model, sim, flags):
    state = pickle.dumps(model)
    assert model.score(sim.cases.copy()).equals(flags)
    assert pickle.dumps(model) == state


def test_honest_province_raises_few_flags():
    honest = isig.simulate(15_000, random_state=5, corruption=0)
    m = isig.RiskModel(random_state=0).fit(honest.cases, catalog=honest.catalog)
    assert m.score(honest.cases)["flagged"].mean() <= 0.01
    assert m.score_entities(honest.cases)["flagged"].mean() <= 0.05


def _officers(observed, expected, p, codes, design=None):
    """A hand-made officer level: its counts and tests, (officers, signals) arrays."""
    k = observed.shape[0]
    z = np.zeros_like(observed)
    return EntityEvidence(
        "handler_id", pd.Index([f"o{i}" for i in range(k)]), np.asarray(codes), observed,
        expected, z, np.ones_like(observed) if design is None else design, p, {}, p, {},
    )  # fmt: skip


def test_officer_route_flags_the_events_an_officer_excess_explains():
    names = [s.name for s in SIGNALS]
    receipt, requests, fast, pair = (
        names.index(k) for k in ("self_receipt", "supplements", "fast", "repeat_pair")
    )
    n_officers, n_signals = 6, len(SIGNALS)
    observed, expected = np.zeros((n_officers, n_signals)), np.zeros((n_officers, n_signals))
    p = np.ones((n_officers, n_signals))
    observed[0, receipt], expected[0, receipt], p[0, receipt] = 400, 10.0, 1e-40  # 12 of 400
    observed[1, requests], expected[1, requests], p[1, requests] = 180, 67.0, 1e-8  # 69 of 180
    observed[2, fast], expected[2, fast], p[2, fast] = 90, 3.0, 1e-20  # speed is evidence too
    observed[3, requests], expected[3, requests], p[3, requests] = 4, 6.0, 0.8  # no excess
    observed[4, receipt], expected[4, receipt], p[4, receipt] = 400, 10.0, 1e-40  # as officer 0
    observed[5, pair], expected[5, pair], p[5, pair] = 100, 1.0, 1e-30  # clustered: own test only
    officers = _officers(observed, expected, p, [0, 0, 0, 1, 2, 3, -1, 4, 5])
    events = np.zeros((9, n_signals))
    events[[0, 1, 6, 7], receipt] = 1  # row 6 has no officer
    events[[2, 3, 5], requests] = 1  # row 2: its officer has no excess of requests
    events[4, fast] = 1
    events[8, pair] = 1
    q = officer_route(officers, events, fdr=0.05)
    # 400 self-receipts where 10 (+ 2 pseudo-events) are expected: 3 % ordinary; officers 0
    # and 4 are alike and get the same q-value, whatever their order, on every channel
    assert q[0] == q[1] == q[7] == pytest.approx(12 / 400, rel=0.01)
    # 180 requests where 67 are expected (69 with the pseudo-events, 38 %) flag the officer, not
    # each request, however clean the groups pooled before them; no excess, no group
    assert q[[2, 3, 5, 6, 8]].tolist() == [1.0] * 5
    # plain speed is a pattern like any other: 90 fast returns where 3 are expected
    assert q[4] == pytest.approx(5 / 90, rel=0.01) or q[4] < 0.06
    # a group whose officer is not a discovery is not flagged either
    p[0, receipt] = p[4, receipt] = 0.2
    assert officer_route(_officers(observed, expected, p, officers.codes), events, 0.05)[0] == 1.0


def test_officer_route_allows_for_honest_officers_spread():
    """71 slow dossiers where the case mix predicts 9.6: with no spread among honest officers
    (9.6 + 2) / 71 = 16 % are ordinary, few enough to be flagged along with a cleaner group
    (self-receipts, 1.2 % ordinary). Where honest officers' slow rates spread by a factor
    exp(0.45) (tau2 = 0.2), an honest officer at the 95th percentile has 9.6 x 2.1 = 20
    ordinary slow dossiers: 31 %, and the slow dossiers are not flagged one by one."""
    names = [s.name for s in SIGNALS]
    slow, receipt = names.index("slow"), names.index("self_receipt")
    observed, expected = np.zeros((2, len(SIGNALS))), np.zeros((2, len(SIGNALS)))
    p = np.ones((2, len(SIGNALS)))
    observed[0, slow], expected[0, slow], p[0, slow] = 71, 9.6, 1e-6
    observed[1, receipt], expected[1, receipt], p[1, receipt] = 1000, 10.0, 1e-90
    events = np.zeros((21, len(SIGNALS)))  # one slow dossier, twenty self-received ones
    events[0, slow] = 1
    events[1:, receipt] = 1
    tight = _officers(observed, expected, p, [0] + [1] * 20)
    q = officer_route(tight, events, 0.05)
    assert q[0] == pytest.approx((11.6 / 71 + 20 * 0.012) / 21, rel=1e-3)  # pooled: flagged
    tau2 = np.where(np.arange(len(SIGNALS)) == slow, 0.2, 0.0)
    spread = dataclasses.replace(tight, tau2=tau2)
    q = officer_route(spread, events, 0.05)
    assert q[0] == 1.0 and q[1:].tolist() == pytest.approx([0.012] * 20)
    # the ranking keeps the expected excess: 1 - (9.6 + 2) / 71
    assert officer_posterior(spread, events)[0] == pytest.approx(1 - 11.6 / 71, rel=1e-4)


def test_the_posterior_ranks_each_officer_by_its_excess_not_by_all_its_dossiers():
    """An officer with a test of 1e-75 contributes its excess to the top of the ranking: its
    events get 1 - ordinary / O, its other dossiers nothing from it."""
    names = [s.name for s in SIGNALS]
    receipt, requests = names.index("self_receipt"), names.index("supplements")
    observed, expected = np.zeros((2, len(SIGNALS))), np.zeros((2, len(SIGNALS)))
    p = np.ones((2, len(SIGNALS)))
    observed[0, receipt], expected[0, receipt], p[0, receipt] = 400, 10.0, 1e-75
    observed[1, requests], expected[1, requests], p[1, requests] = 180, 67.0, 1e-8
    officers = _officers(observed, expected, p, [0, 0, 1, 1])
    events = np.zeros((4, len(SIGNALS)))
    events[0, receipt] = events[2, requests] = 1  # rows 1 and 3: ordinary dossiers
    post = officer_posterior(officers, events)
    assert post[0] == pytest.approx(1 - 12 / 400) and post[1] == 0.0
    assert post[2] == pytest.approx(1 - 69 / 180) and post[3] == 0.0
    # the case's own evidence counts where it says more; equal risks order by all evidence
    rng = np.random.default_rng(0)
    own = np.r_[rng.random(20_000), 1e-12, 0.5]
    risk, own_post = posterior(own, np.r_[np.zeros(20_000), 0.3, 0.9])
    assert risk[-2] == pytest.approx(1.0, abs=0.01) and risk[-1] == pytest.approx(0.9)
    assert own_post[:20_000].max() < 0.5
    order = case_order(
        np.array([0.5, 0.5, 0.9]), np.array([1e-3, 1e-6, 0.5]), np.array(list("abc"))
    )
    assert order.tolist() == [2, 1, 0]


def test_flags_keep_their_false_discovery_rate_on_simulated_provinces(flags, sim):
    # the false share is an average, so two provinces are pooled (quality.py measures twelve)
    other = isig.simulate(15_000, random_state=1, officers_per_scheme=1)
    other_flags = (
        isig.RiskModel(random_state=0).fit(other.cases, catalog=other.catalog).score(other.cases)
    )
    false = flagged = 0
    for truth, scored in [(sim.truth, flags), (other.truth, other_flags)]:
        honest = ~truth.set_index("case_id").loc[scored["case_id"], "is_corrupt"].to_numpy()
        false += int((scored["flagged"].to_numpy() & honest).sum())
        flagged += int(scored["flagged"].sum())
    assert flagged > 400 and false / flagged <= 0.05


def test_coverage_reports_missing_signals(sim):
    bare = sim.cases.drop(columns=["receiver_id", "applicant_id"])
    m = isig.RiskModel(random_state=0, use_isolation_forest=False).fit(bare, catalog=sim.catalog)
    assert m.coverage_["signal:self_receipt"] == "not applicable: no receiver_id"
    assert m.coverage_["signal:repeat_pair"] == "not applicable: no applicant_id"
    assert m.coverage_["signal:excess_fee"] == "ok"
    flags = m.score(bare)
    assert flags["handlers_score"].max() < 1  # nothing computed, nothing claimed
    assert m.coverage_["signal:posted_gap"] == "ok"
    no_due = sim.cases.drop(columns=["due_at"])
    m2 = isig.RiskModel(random_state=0, use_isolation_forest=False).fit(no_due, catalog=sim.catalog)
    assert m2.coverage_["signal:due_gap"] == "not applicable: no due_at"


def test_flag_rate_warning_on_a_broken_catalog(sim):
    broken = sim.catalog.assign(statutory_days=0.0, fee_official=0.0)  # every fee looks illegal
    m = isig.RiskModel(random_state=0, max_flag_share=0.001).fit(sim.cases, catalog=broken)
    with pytest.warns(FlagRateWarning, match="check the catalog"):
        m.score(sim.cases)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            {"fdr": 0},
            r"The 'fdr' parameter of RiskModel must be a float in the range \(0, 1\). Got 0 instead.",
        ),
        (
            {"event_alpha": 1.5},
            r"The 'event_alpha' parameter of RiskModel must be a float in the range",
        ),
        (
            {"n_estimators": 0},
            r"The 'n_estimators' parameter of RiskModel must be an int >= 1. Got 0 instead.",
        ),
        ({"shrinkage": -1}, r"The 'shrinkage' parameter of RiskModel must be a float >= 0"),
        (
            {"use_isolation_forest": "yes"},
            r"The 'use_isolation_forest' parameter of RiskModel must be a bool",
        ),
        (
            {"calendar": "VN"},
            r"The 'calendar' parameter of RiskModel must be a WorkCalendar or None",
        ),
        (
            {"random_state": 1.5},
            r"The 'random_state' parameter of RiskModel must be an int >= 0 or None",
        ),
    ],
)
def test_parameter_validation(params, match, sim):
    with pytest.raises(ValueError, match=match):
        isig.RiskModel(**params).fit(sim.cases.head(500))


def test_sklearn_conventions(sim):
    m = isig.RiskModel(fdr=0.01, random_state=3)
    assert clone(m).get_params() == m.get_params() and "fdr=0.01" in repr(m)
    with pytest.raises(NotFittedError, match="This RiskModel instance is not fitted yet"):
        m.score(sim.cases.head(10))
    bad = sim.cases.head(50).copy()
    bad.loc[bad.index[0], "submitted_at"] = pd.NaT
    with pytest.raises(
        isig.SchemaError, match="rows passed to RiskModel.fit break the data contract"
    ):
        m.fit(bad)


# ------------------------------------------------------------------ persistence


def test_save_load_roundtrip_and_envelope(model, sim, flags, tmp_path):
    path = tmp_path / "model.joblib"
    model.save(path)
    loaded = isig.RiskModel.load(path)
    assert loaded.score(sim.cases).equals(flags)
    env = read_envelope(path)
    assert env["training_rows"] == len(sim.cases)
    assert set(env["versions"]) == {"integrity_signals", "scikit-learn", "numpy", "pandas"}
    assert env["catalog_sha256"] and env["feature_names"][0] == "timing__duration_wd"


def test_load_refuses_tampered_truncated_foreign_and_missing_files(model, tmp_path):
    path = tmp_path / "model.joblib"
    model.save(path)
    record = joblib.load(path)
    record["payload"] = record["payload"][:-10] + b"0123456789"
    tampered = tmp_path / "tampered.joblib"
    joblib.dump(record, tampered)
    with pytest.raises(isig.ModelFileError, match="fails its SHA-256 check"):
        isig.RiskModel.load(tampered)
    truncated = tmp_path / "truncated.joblib"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(
        isig.ModelFileError, match="cannot be read .* truncated, corrupted or not a model file"
    ):
        isig.RiskModel.load(truncated)
    foreign = tmp_path / "foreign.joblib"
    joblib.dump({"weights": [1, 2]}, foreign)
    with pytest.raises(isig.ModelFileError, match="is not an integrity_signals model file"):
        isig.RiskModel.load(foreign)
    with pytest.raises(isig.ModelFileError, match="does not exist"):
        isig.RiskModel.load(tmp_path / "nope.joblib")
    record = joblib.load(path)
    record["envelope"]["versions"]["scikit-learn"] = "0.1.0"
    old = tmp_path / "old.joblib"
    joblib.dump(record, old)
    with pytest.raises(
        isig.ModelFileError, match=r"saved with scikit-learn 0.1.0 \(now .*\)\. Refit the model"
    ):
        isig.RiskModel.load(old)
    # a model from a version without the reference record is refused, not half-used
    stale = pickle.loads(pickle.dumps(model))
    del stale.features_.handlers_.record_
    stale_path = tmp_path / "stale.joblib"
    stale.save(stale_path)
    with pytest.raises(isig.ModelFileError, match="lacks features_.handlers_.record_"):
        isig.RiskModel.load(stale_path)
    # nor one without the sector shares of the assignment prior (0.2.0)
    stale = pickle.loads(pickle.dumps(model))
    del stale.features_.handlers_.sector_of_
    stale.save(stale_path)
    with pytest.raises(isig.ModelFileError, match="lacks features_.handlers_.sector_of_"):
        isig.RiskModel.load(stale_path)


def test_unfitted_model_cannot_be_saved(tmp_path):
    with pytest.raises(NotFittedError):
        isig.RiskModel().save(tmp_path / "x.joblib")


def test_no_warnings_from_a_normal_run(sim):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = isig.RiskModel(random_state=0).fit(sim.cases.head(3000), catalog=sim.catalog)
        m.score(sim.cases.head(3000))
        m.score_entities(sim.cases.head(3000), level="unit_id")


def test_a_later_batch_is_judged_with_the_reference_record(sim, model):
    month = sim.cases["submitted_at"].dt.month
    early, late = sim.cases[month <= 9], sim.cases[month > 9]
    temporal = isig.RiskModel(random_state=0).fit(early, catalog=sim.catalog)
    officers = temporal.score_entities(late)
    truth = sim.entity_truth
    k = int(truth["corrupt"].sum())
    top = officers.head(k)
    corrupt = top["handler_id"].isin(truth.loc[truth["corrupt"], "handler_id"])
    assert corrupt.sum() >= k - 1
    quoted = top.loc[corrupt, "reasons"].str.contains("reference period and this batch: ")
    assert quoted.sum() >= corrupt.sum() - 1 and (top["reasons"] != "").all()
    # the pooled record is the reference's counts plus the batch's, officer by officer
    ent = temporal._evidence(late).entities["handler_id"]
    past = temporal.records_["handler_id"]
    pos = past.ids.get_indexer(ent.ids)
    seen = pos >= 0
    assert seen.sum() >= 10
    pooled = ent.history["observed"][seen]
    assert (pooled == past.observed[pos[seen]] + ent.observed[seen]).all()
    # a batch mixing months 9 and 10-12: only the dossiers after the period join the record
    mixed = sim.cases[month >= 9]
    ev = temporal._evidence(mixed)
    ent_mixed = ev.entities["handler_id"]
    new = (mixed["submitted_at"].dt.month > 9).to_numpy()
    from integrity_signals.detectors.entity import entity_counts

    o_new = entity_counts(ent_mixed.codes, ev.tails.events, len(ent_mixed.ids), new)
    pos = past.ids.get_indexer(ent_mixed.ids)
    seen = pos >= 0
    expected_obs = past.observed[pos[seen]] + o_new[seen]
    assert not np.allclose(o_new, ent_mixed.observed)  # month 9 is in the batch, not the record
    assert np.allclose(ent_mixed.history["observed"][seen], expected_obs)


def test_the_reference_period_itself_counts_nothing_twice(sim, model):
    officers = model.score_entities(sim.cases)
    assert not officers["reasons"].str.contains("this batch").any()
    part = sim.cases[sim.cases["submitted_at"].dt.month == 5]  # a month from inside the period
    ent = model._evidence(part).entities["handler_id"]
    past = model.records_["handler_id"]
    pos = past.ids.get_indexer(ent.ids)
    assert (ent.history["observed"] == past.observed[pos]).all()


def test_a_batch_of_procedures_the_catalog_does_not_list_is_scored(model, sim):
    # procedures created after the fit: no catalog row, no reference, no sector
    later = sim.cases.head(5).copy()
    later["procedure_id"] = "TT9999"
    later["case_id"] = [f"new{i}" for i in range(5)]
    flags = model.score(later)
    assert len(flags) == 5 and flags["risk_score"].notna().all()
    assert not flags["flagged"].any()


def test_a_one_case_batch_and_an_empty_batch_are_scored(model, flags, sim):
    one = model.score(sim.cases.iloc[[0]])
    assert list(one.columns) == list(flags.columns) and len(one) == 1
    empty = model.score(sim.cases.iloc[:0])
    assert list(empty.columns) == list(flags.columns) and len(empty) == 0
    assert len(model.score_entities(sim.cases.iloc[:0])) == 0
