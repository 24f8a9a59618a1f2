"""Hand-computed cases for every feature family on tiny frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from integrity_signals.detectors.pairs import (
    PAIR_EVIDENCE_CAP,
    pair_tail,
    pair_threshold,
    steering_share,
)
from integrity_signals.features import CaseFeatures, FeeFeatures, HandlerFeatures, TimingFeatures
from integrity_signals.features.base import CaseContext, outside_period, period_of
from integrity_signals.features.handlers import RECORD_MAX_DOSSIERS
from integrity_signals.features.peers import PeerTails


def frame(rows: list[dict], **defaults) -> pd.DataFrame:
    base = {"procedure_id": "P", "unit_id": "U", "handler_id": "h1"} | defaults
    out = pd.DataFrame([base | r for r in rows])
    out.insert(0, "case_id", [f"c{i}" for i in range(len(out))])
    for col in ("submitted_at", "completed_at", "due_at"):
        if col in out:
            out[col] = pd.to_datetime(out[col])
    return out


def feat(transformer, cases, name):
    return transformer.fit_transform(cases)[f"{transformer.family}__{name}"].to_numpy()


# ------------------------------------------------------------------ timing


def test_durations_skip_tet_and_weekends_and_count_fractions():
    cases = frame(
        [
            {"submitted_at": "2025-01-24 08:00", "completed_at": "2025-02-03 08:00"},  # across Tết
            {"submitted_at": "2025-03-07 16:30", "completed_at": "2025-03-10 08:00"},  # Fri -> Mon
            {"submitted_at": "2025-03-03 08:00", "completed_at": "2025-03-03 20:00"},  # same day
            {"submitted_at": "2025-03-03 08:00", "completed_at": None},  # pending
        ]
    )
    t = TimingFeatures(as_of="2025-03-06 08:00")
    f = t.fit_transform(cases)
    np.testing.assert_allclose(
        f["timing__duration_wd"].to_numpy()[:3], [1.0, 7.5 / 24 + 8 / 24, 0.5]
    )
    assert np.isnan(f["timing__duration_wd"].iloc[3]) and f["timing__pending"].tolist() == [
        0,
        0,
        0,
        1,
    ]
    assert f["timing__pending_age_wd"].iloc[3] == pytest.approx(3.0)
    assert f["timing__off_hours"].tolist()[:3] == [0, 0, 1]


def test_allowed_days_from_due_date_or_catalog_and_lateness():
    cases = frame(
        [
            {
                "submitted_at": "2025-03-03 08:00",
                "due_at": "2025-03-05",
                "completed_at": "2025-03-07 08:00",
            },
            {"submitted_at": "2025-03-03 08:00", "completed_at": "2025-03-04 08:00"},
        ]
    )
    catalog = pd.DataFrame({"procedure_id": ["P"], "statutory_days": [3]})
    f = TimingFeatures(catalog=catalog).fit_transform(cases)
    # due Wed 5 March (end of day): allowed = 2 days 16 h; completed Fri 08:00 = 4 days 0 h
    allowed = 2 + 16 / 24
    np.testing.assert_allclose(f["timing__allowed_wd"].iloc[0], allowed)
    np.testing.assert_allclose(f["timing__days_late"].iloc[0], 4.0 - allowed)
    # from the catalog: 3 working days after Monday = end of Thursday 6 March
    np.testing.assert_allclose(f["timing__allowed_wd"].iloc[1], 3 + 16 / 24)
    assert f["timing__days_late"].iloc[1] == 0 and f["timing__allowed_na"].sum() == 0


def test_peer_tails_against_the_other_officers_less_the_officers_habit():
    days = [f"2025-03-{d:02d}" for d in range(3, 8)]
    rows = [
        {"submitted_at": "2025-03-03 08:00", "completed_at": f"{days[i % 4 + 1]} 08:00"}
        for i in range(40)
    ]
    rows.append(  # a fast outlier, by another officer
        {"submitted_at": "2025-03-03 08:00", "completed_at": "2025-03-03 09:00", "handler_id": "h2"}
    )
    f = TimingFeatures().fit_transform(frame(rows))
    fast, z = f["timing__fast_p"].to_numpy(), f["timing__peer_z"].to_numpy()
    # faster than h1's 40: rank (0 + 0 + 1) / 41 on the probit scale, less h2's own habit: its
    # median over all procedures shrunk by 1 / (1 + 20), plus its median on this procedure less
    # that, shrunk by 1 / (1 + 20) again
    z_h2 = stats.norm.ppf(1 / 41)
    habit = z_h2 / 21 + (z_h2 - z_h2 / 21) / 21
    assert fast[-1] == pytest.approx(stats.norm.cdf(z_h2 - habit))
    # median log(1+2) and IQR log(1+3) - log(1+1) of the reference: z = (log(1 + 1/24) - log 3) / (log 2 / 1.349)
    assert z[-1] == pytest.approx((np.log1p(1 / 24) - np.log(3)) / (np.log(2) / 1.349))
    assert f["timing__peer_median_wd"].iloc[0] == pytest.approx(2.5, abs=0.6)


def test_an_officers_habit_is_not_a_finding_and_a_share_of_extreme_dossiers_is():
    """A uniformly fast officer's dossiers are ordinary for it; one returning a fifth of its
    dossiers at once has those as extreme as they are."""
    rng = np.random.default_rng(0)
    start = pd.Timestamp("2025-03-03 08:00")

    def dossiers(officer, scale, n=200):
        took = rng.lognormal(np.log(3 * scale), 0.3, n)
        return [{"handler_id": officer, "submitted_at": start,
                 "completed_at": start + pd.Timedelta(days=float(d))} for d in took]  # fmt: skip

    rows = dossiers("peer1", 1.0) + dossiers("peer2", 1.0) + dossiers("fast", 0.5)
    mixed = dossiers("mixed", 1.0)
    for r in mixed[:40]:  # a fifth returned the same morning
        r["completed_at"] = start + pd.Timedelta(hours=2)
    f = TimingFeatures().fit_transform(frame(rows + mixed))
    p = f["timing__fast_p"].to_numpy()
    fast, mixed_p = p[400:600], p[600:]
    assert (fast <= 0.05).mean() < 0.1  # the habit is removed: about as many events as anyone
    assert (mixed_p[:40] <= 0.05).all() and (mixed_p[40:] <= 0.05).mean() < 0.1


def test_an_officers_habit_explains_its_events_away_and_never_creates_any():
    """A fast officer's habit makes its fast dossiers ordinary, never its dossiers of the peers'
    usual speed slow (nor a slow officer's usual dossiers fast): with 40 of 100 dossiers
    returned at once, the other 60, as fast as the peers', are no slow events."""
    rng = np.random.default_rng(1)
    start = pd.Timestamp("2025-03-03 08:00")

    def dossiers(officer, days):
        return [{"handler_id": officer, "submitted_at": start,
                 "completed_at": start + pd.Timedelta(days=float(d))} for d in days]  # fmt: skip

    def usual(n):
        return rng.lognormal(np.log(3), 0.3, n)

    rows = dossiers("peer1", usual(200)) + dossiers("peer2", usual(200))
    rows += dossiers("quick", np.r_[np.full(40, 2 / 24), usual(60)])
    rows += dossiers("late", np.r_[usual(60), np.full(40, 30.0)])
    f = TimingFeatures().fit_transform(frame(rows))
    fast, slow = f["timing__fast_p"].to_numpy(), f["timing__slow_p"].to_numpy()
    quick, late = slice(400, 500), slice(500, 600)
    # their ordinary dossiers are judged as the peers' are: a few events at 0.05, not dozens
    peers_slow, peers_fast = (slow[:400] <= 0.05).mean(), (fast[:400] <= 0.05).mean()
    assert (slow[quick][40:] <= 0.05).mean() <= peers_slow + 0.05
    assert (fast[late][:60] <= 0.05).mean() <= peers_fast + 0.05
    # a share jumping to the extreme stays a finding on its own side
    assert (fast[quick][:40] <= 0.05).all() and (slow[late][60:] <= 0.05).all()


def test_queue_jump_counts_earlier_dossiers_still_open():
    rows = [
        {"submitted_at": "2025-03-03 08:00", "completed_at": "2025-03-14 08:00"},
        {"submitted_at": "2025-03-04 08:00", "completed_at": "2025-03-14 09:00"},
        {"submitted_at": "2025-03-05 08:00", "completed_at": "2025-03-05 10:00"},  # jumps 2
        {"submitted_at": "2025-03-06 08:00", "completed_at": "2025-03-14 10:00"},
    ]
    f = TimingFeatures().fit_transform(frame(rows))
    assert f["timing__queue_jump"].tolist() == [0, 0, 2, 0]
    assert f["timing__queue_len"].tolist() == [0, 1, 2, 2]
    assert f["timing__queue_jump_share"].iloc[2] == pytest.approx(2 / 3)


def test_supplement_requests_against_peer_rate():
    rows = [
        {"submitted_at": "2025-03-03", "completed_at": "2025-03-05", "supplement_requests": 0}
        for _ in range(30)
    ]
    rows += [{"submitted_at": "2025-03-03", "completed_at": "2025-03-05", "supplement_requests": 3}]
    cases = frame(rows)
    cases["supplement_requests"] = cases["supplement_requests"].astype("Int64")
    f = TimingFeatures().fit_transform(cases)
    assert f["timing__supplements_expected"].iloc[0] == pytest.approx(3 / 31)
    # the most requests of all 31: (0 greater + 1 equal + 1) / 32; ties count against the case
    assert f["timing__supplements_p"].iloc[-1] == pytest.approx(2 / 32)
    assert f["timing__supplements_p"].iloc[0] == pytest.approx((1 + 30 + 1) / 32)


def test_completions_late_at_night_or_on_holidays():
    rows = [
        {"submitted_at": "2025-03-03 08:00", "completed_at": f"2025-03-{d:02d} 10:00"}
        for d in (4, 5, 6, 7) * 10
    ]
    rows += [
        {"submitted_at": "2025-03-03 08:00", "completed_at": "2025-03-05 23:00"},
        {"submitted_at": "2025-03-03 08:00", "completed_at": "2025-03-05 17:00"},  # last hour
        {"submitted_at": "2025-04-28 08:00", "completed_at": "2025-04-30 10:00"},  # a holiday
    ]
    f = TimingFeatures().fit_transform(frame(rows))
    assert f["timing__off_hours"].tolist()[-3:] == [1, 0, 0]
    assert f["timing__non_workday"].tolist()[-3:] == [0, 0, 1]
    # depth: hours into the last office hour (16:30) and after it, on working days only
    assert f["timing__off_time_depth"].tolist()[-3:-1] == [6.5, 0.5]
    p = f["timing__off_time_p"].to_numpy()
    # among 42 working-day completions: the latest (0 + 1 + 1) / 43, the next (1 + 1 + 1) / 43
    assert p[-3] == pytest.approx(2 / 43) and p[-2] == pytest.approx(3 / 43)
    assert np.isnan(p[-1]) and p[0] == 1.0
    nonwork = f["timing__non_workday_p"].to_numpy()
    assert nonwork[-1] == pytest.approx(1 / 43) and nonwork[0] == 1.0  # the reference's share


# ------------------------------------------------------------------ fees


def test_fee_excess_free_procedure_and_waiver():
    cases = frame(
        [
            {"procedure_id": "PAID", "fee_official": 50_000, "fee_charged": 50_000},
            {
                "procedure_id": "PAID",
                "fee_official": 50_000,
                "fee_charged": 150_000,
                "handler_id": "h2",
            },
            {"procedure_id": "PAID", "fee_official": 50_000, "fee_charged": 0},
            {"procedure_id": "FREE", "fee_official": 0, "fee_charged": 20_000},
            {"procedure_id": "FREE", "fee_official": 0, "fee_charged": 0},
            {"procedure_id": "PAID", "fee_official": 50_000, "fee_charged": 63_500},
        ],
        submitted_at="2025-03-03",
    )
    f = FeeFeatures().fit_transform(cases)
    assert f["fees__excess_vnd"].tolist() == [0, 100_000, -50_000, 20_000, 0, 13_500]
    assert (
        f["fees__excess_ratio"].tolist()[:2] == [0, 2.0] and f["fees__excess_ratio"].iloc[3] == 2.0
    )
    assert f["fees__charged_on_free"].tolist() == [0, 0, 0, 1, 0, 0]
    assert f["fees__waived"].tolist() == [0, 0, 1, 0, 0, 0]
    assert f["fees__excess_round"].tolist() == [0, 1, 0, 1, 0, 0]
    # the procedure's exemption rate among the *other* officers' paid cases (h2: none waived of 1),
    # shrunk to the overall rate, 1 of 4
    assert f["fees__waiver_p"].iloc[2] == pytest.approx(5 / 21)  # h2: 0 of 1, and 20 x 1/4
    # against the other officer's three: beyond all of them, (0 + 0 + 1) / 4
    assert f["fees__excess_p"].iloc[1] == pytest.approx(1 / 4)


def test_learned_fee_levels_without_a_posted_fee():
    rows = [{"fee_charged": 50_000, "submitted_at": "2025-01-10"} for _ in range(30)]
    rows += [
        {"fee_charged": 70_000, "submitted_at": "2025-08-10"} for _ in range(30)
    ]  # new schedule
    rows += [{"fee_charged": 120_000, "submitted_at": "2025-08-11"}]
    f = FeeFeatures().fit_transform(frame(rows))
    assert f["fees__reference_learned"].eq(1).all()
    assert f["fees__excess_vnd"].iloc[0] == 0 and f["fees__excess_vnd"].iloc[30] == 0
    assert f["fees__reference"].iloc[-1] == 70_000 and f["fees__excess_vnd"].iloc[-1] == 50_000


def test_catalog_fee_schedule_by_date():
    catalog = pd.DataFrame({"procedure_id": ["P", "P"], "valid_from": ["2025-01-01", "2025-07-01"],
                            "fee_official": [50_000, 70_000]})  # fmt: skip
    cases = frame([{"submitted_at": "2025-03-03", "fee_charged": 70_000},
                   {"submitted_at": "2025-08-03", "fee_charged": 70_000}])  # fmt: skip
    f = FeeFeatures(catalog=catalog).fit_transform(cases)
    assert f["fees__reference"].tolist() == [50_000, 70_000]
    assert f["fees__excess_vnd"].tolist() == [20_000, 0] and f["fees__reference_learned"].sum() == 0


def test_a_stale_posted_fee_in_the_case_system_is_not_an_excess():
    # the unit's system still shows the old 50,000 after the 70,000 schedule came into force
    catalog = pd.DataFrame({"procedure_id": ["P", "P"], "valid_from": ["2025-01-01", "2025-07-01"],
                            "fee_official": [50_000, 70_000]})  # fmt: skip
    cases = frame([{"submitted_at": "2025-08-03", "fee_official": 50_000, "fee_charged": charged}
                   for charged in (70_000, 120_000, 60_000, 50_000, 0)])  # fmt: skip
    f = FeeFeatures(catalog=catalog).fit_transform(cases)
    # the new fee charged is lawful; above it the excess counts from it; between the two
    # posted fees (and below both) from the lower one
    assert f["fees__reference"].tolist() == [70_000, 70_000, 50_000, 50_000, 50_000]
    assert f["fees__excess_vnd"].tolist() == [0, 50_000, 10_000, 0, -50_000]
    assert f["fees__waived"].tolist() == [0, 0, 0, 0, 1]
    # a case system ahead of the catalog: its own higher posted fee allows the charge
    ahead = FeeFeatures(catalog=catalog).fit_transform(
        frame([{"submitted_at": "2025-03-03", "fee_official": 70_000, "fee_charged": 70_000}])
    )
    assert ahead["fees__excess_vnd"].tolist() == [0]


# ------------------------------------------------------------------ handlers


def test_assignment_prior_is_the_officer_share_of_the_sector():
    # land desk: h1 gets 16 of 20 L1 dossiers and the one L2 dossier; h2 the other 4 and all
    # 20 civil-status ones. One citizen per dossier: every vote counts 1.
    rows = [{"procedure_id": "L1", "handler_id": "h1"}] * 16 + [
        {"procedure_id": "L1", "handler_id": "h2"}] * 4 + [
        {"procedure_id": "C1", "handler_id": "h2"}] * 20 + [
        {"procedure_id": "L2", "handler_id": "h1"}]  # fmt: skip
    cases = frame(rows, submitted_at="2025-03-03")
    cases["applicant_id"] = [f"citizen{i}" for i in range(len(cases))]
    catalog = pd.DataFrame({"procedure_id": ["L1", "L2", "C1"], "sector": ["land", "land", "civil"],
                            "statutory_days": [10, 10, 3]})  # fmt: skip
    model = HandlerFeatures(catalog=catalog)
    share = model.fit_transform(cases)["handlers__assignment_share"].to_numpy()
    # land prior of h1: its 17 of the sector's 21 votes, shrunk (k = 5) to its unit share 17/41
    prior = (17 + 5 * 17 / 41) / (21 + 5)
    assert share[-1] == pytest.approx((1 + 5 * prior) / (1 + 5))  # L2: one vote, h1's
    # the two land officers' chances of an L2 dossier add up to one
    other = model._assign_prob(np.array([2]), np.array([0]), np.array([1]))[0]  # L2, U, h2
    assert model.procedures_.categories[2] == "L2" and model.handlers_.categories[1] == "h2"
    assert share[-1] + other == pytest.approx(1.0)
    # without sectors the prior is the unit share renormalised over the officers seen on L2
    # (h1 alone, so 1): L2 is expected to go to h1 for certain
    plain = HandlerFeatures().fit_transform(cases)["handlers__assignment_share"].to_numpy()
    assert plain[-1] == pytest.approx(1.0)


def test_a_procedure_new_since_the_reference_takes_its_sector_share():
    # L2 is in the catalog (land) but not in the reference: h1 has 16 of the 20 land votes
    rows = [{"procedure_id": "L1", "handler_id": "h1"}] * 16 + [
        {"procedure_id": "L1", "handler_id": "h2"}] * 4 + [
        {"procedure_id": "C1", "handler_id": "h2"}] * 20  # fmt: skip
    cases = frame(rows, submitted_at="2025-03-03")
    cases["applicant_id"] = [f"citizen{i}" for i in range(len(cases))]
    catalog = pd.DataFrame({"procedure_id": ["L1", "L2", "C1", "X9"],
                            "sector": ["land", "land", "civil", None],
                            "statutory_days": [10, 10, 3, 3]})  # fmt: skip
    model = HandlerFeatures(catalog=catalog).fit(cases)
    later = frame([{"procedure_id": code, "handler_id": officer}
                   for code, officer in (("L2", "h1"), ("X9", "h1"), ("Z0", "h2"), ("L1", "h9"))],
                  submitted_at="2025-04-01")  # fmt: skip
    later["applicant_id"] = ["new1", "new2", "new3", "new4"]
    share = model.transform(later)["handlers__assignment_share"].to_numpy()
    # h1's land share, shrunk (k = 5) towards its unit share 16/40
    assert share[0] == pytest.approx((16 + 5 * 16 / 40) / (20 + 5))
    # without a sector (X9) or unknown to the catalog (Z0): no evidence of steering; a new
    # officer (h9): half of an even split between the unit's two officers
    assert share[1:].tolist() == [1.0, 1.0, 0.25]


def test_the_sector_comes_from_the_latest_catalog_row():
    # P moved from civil status to land on 1 July; its rows are listed newest first
    catalog = pd.DataFrame({
        "procedure_id": ["P", "P", "L"], "sector": ["land", "civil", "land"],
        "valid_from": pd.to_datetime(["2025-07-01", "2025-01-01", None]),
        "statutory_days": [10, 10, 10],
    })  # fmt: skip
    cases = frame([{"procedure_id": "P"}, {"procedure_id": "L"}], submitted_at="2025-03-03")
    model = HandlerFeatures(catalog=catalog).fit(cases)
    assert model.sector_of_[0] == model.sector_of_[1] >= 0  # both land


def test_broker_against_legitimate_heavy_filer():
    officers = ["h1", "h2", "h3", "h4"]
    rows = [{"applicant_id": f"citizen{i}", "handler_id": officers[i % 4]} for i in range(80)]
    rows += [{"applicant_id": "broker", "handler_id": "h1"} for _ in range(8)]
    rows += [{"applicant_id": "law_office", "handler_id": officers[i % 4]} for i in range(8)]
    f = HandlerFeatures().fit_transform(frame(rows, submitted_at="2025-03-03"))
    broker, law = f.iloc[80], f.iloc[89]  # law office row 89 went to h2
    assert broker["handlers__pair_cases"] == 8 and law["handlers__pair_cases"] == 2
    # one vote per applicant: 80 citizens (20 per officer), the broker's 8 dossiers count 1 (all h1),
    # the law office's 8 count 1 (a quarter per officer): P(h1) = (20 + 1 + 1/4) / 82
    q = 21.25 / 82
    assert broker["handlers__pair_expected"] == pytest.approx(8 * q)
    assert broker["handlers__pair_p"] == pytest.approx(
        stats.binom.sf(7, 8, steering_share(q))
    )  # steering tolerance
    assert broker["handlers__pair_p"] < 1e-3 and law["handlers__pair_p"] > 0.3
    assert law["handlers__pair_lift"] == pytest.approx(2 / (8 * 20.25 / 82))
    assert f["handlers__pair_p"].iloc[0] == 1.0  # a single dossier is not a pattern
    assert broker["handlers__applicant_handlers"] == 1 and law["handlers__applicant_handlers"] == 4


def _broker_reference():
    officers = ["h1", "h2", "h3", "h4"]
    rows = [{"applicant_id": f"citizen{i}", "handler_id": officers[i % 4]} for i in range(80)]
    rows += [{"applicant_id": "broker", "handler_id": "h1"} for _ in range(8)]
    rows += [{"applicant_id": "law_office", "handler_id": officers[i % 4]} for i in range(8)]
    return frame(rows, submitted_at="2025-03-03")


def test_later_dossiers_are_judged_with_the_applicants_reference_record():
    model = HandlerFeatures().fit(_broker_reference())
    later = frame(
        [
            {"applicant_id": "broker", "handler_id": "h1"},
            {"applicant_id": "broker", "handler_id": "h1"},
            {"applicant_id": "broker", "handler_id": "h2"},
            {"applicant_id": "newcomer", "handler_id": "h1"},
        ],
        submitted_at="2025-06-02",
    )
    f = model.transform(later)
    q1, q2 = 21.25 / 82, 20.25 / 82  # one vote per applicant (see the test above)
    # the broker: 8 reference dossiers, all with h1, plus 3 new ones, 2 of them with h1
    assert f["handlers__pair_cases"].tolist()[:3] == [10, 10, 1]
    assert f["handlers__applicant_cases"].tolist()[:3] == [11, 11, 11]
    assert f["handlers__pair_expected"].iloc[0] == pytest.approx(11 * q1)
    assert f["handlers__pair_expected"].iloc[2] == pytest.approx(11 * q2)
    assert f["handlers__pair_p"].iloc[0] == pytest.approx(stats.binom.sf(9, 11, steering_share(q1)))
    assert f["handlers__pair_p"].iloc[2] == 1.0
    # an applicant without a record: the batch alone; distinct counts stay the batch's
    assert f["handlers__pair_cases"].iloc[3] == 1 and f["handlers__applicant_cases"].iloc[3] == 1
    assert f["handlers__applicant_handlers"].iloc[0] == 2
    # with dossiers from inside the period in the same batch, the new ones get the same figures
    mixed = pd.concat([_broker_reference().iloc[80:84], later], ignore_index=True)
    g = model.transform(mixed).iloc[4:].reset_index(drop=True)
    cols = ["handlers__pair_cases", "handlers__applicant_cases", "handlers__pair_expected"]
    pd.testing.assert_frame_equal(g[cols], f[cols])


def test_batches_inside_the_reference_period_count_nothing_twice():
    reference = _broker_reference()
    model = HandlerFeatures().fit(reference)
    pd.testing.assert_frame_equal(
        model.transform(reference), HandlerFeatures().fit_transform(reference)
    )
    part = reference.iloc[80:84]  # four of the broker's dossiers, from inside the period
    f = model.transform(part)
    assert f["handlers__pair_cases"].tolist() == [4] * 4
    assert f["handlers__applicant_cases"].tolist() == [4] * 4


def test_rows_without_an_applicant_count_for_nobody():
    rows = [{"applicant_id": None, "handler_id": "h1"} for _ in range(5)]
    rows += [
        {"applicant_id": "solo", "handler_id": "h2"},
        {"applicant_id": "pair", "handler_id": "h1"},
    ]
    rows += [{"applicant_id": "pair", "handler_id": "h1"}]
    f = HandlerFeatures().fit_transform(frame(rows, submitted_at="2025-03-03"))
    assert f["handlers__applicant_cases"].tolist()[5:] == [1, 2, 2]
    assert f["handlers__applicant_cases"].iloc[:5].isna().all()


def test_refitting_on_a_context_never_reuses_an_earlier_fits_figures():
    later = frame(
        [{"applicant_id": "broker", "handler_id": "h1"} for _ in range(3)],
        submitted_at="2025-06-02",
    )
    model = HandlerFeatures().fit(_broker_reference())
    ctx = CaseContext(later, model.calendar or __import__("integrity_signals").WorkCalendar())
    pooled = model.transform(ctx)
    assert pooled["handlers__pair_cases"].tolist() == [11] * 3  # 8 from the record + 3
    model.fit(ctx)  # the same context, now as a reference of its own
    again = model.transform(ctx)
    fresh = HandlerFeatures().fit_transform(later)
    pd.testing.assert_frame_equal(again, fresh)
    assert again["handlers__pair_cases"].tolist() == [3] * 3


def test_placeholder_applicants_keep_no_record():
    big = RECORD_MAX_DOSSIERS + 1
    officers = ["h1", "h2", "h3", "h4"]
    rows = [{"applicant_id": "0", "handler_id": officers[i % 4]} for i in range(big)]
    rows += [{"applicant_id": "broker", "handler_id": "h1"} for _ in range(4)]
    model = HandlerFeatures().fit(frame(rows, submitted_at="2025-03-03"))
    later = frame(
        [{"applicant_id": "0", "handler_id": "h1"}, {"applicant_id": "0", "handler_id": "h2"},
         {"applicant_id": "broker", "handler_id": "h1"}],
        submitted_at="2025-06-02",
    )  # fmt: skip
    f = model.transform(later)
    assert f["handlers__applicant_cases"].tolist() == [2, 2, 5]  # the placeholder: batch alone


def test_pair_threshold_is_the_smallest_count_the_pair_test_calls_an_event():
    n = np.repeat(np.array([2, 3, 8, 29, 30, 31, 45, 114, 500]), 7)
    q = np.tile(np.array([0.02, 0.1, 0.3, 0.52, 0.68, 0.77, 0.95]), 9)
    for alpha in (0.25, 0.05, 0.001):
        k = pair_threshold(n, q, alpha)
        reachable = k <= n
        assert np.all(pair_tail(k[reachable], n[reachable], q[reachable]) <= alpha)
        below = np.maximum(k - 1, 0)
        assert np.all((pair_tail(below, n, q) > alpha) | (below < 2))
    # up to the cap the test is the exact binomial tail at the steering share
    assert pair_tail(np.array([7]), np.array([12]), np.array([0.3]))[0] == pytest.approx(
        stats.binom.sf(6, 12, steering_share(0.3))
    )
    # beyond it the evidence stops growing: 93 of 114 weighs as 24.5 of 30
    scaled = pair_tail(np.array([93]), np.array([114]), np.array([0.68]))[0]
    assert scaled > stats.binom.sf(92, 114, steering_share(0.68)) and PAIR_EVIDENCE_CAP == 30


def test_reference_period_guard():
    t = pd.to_datetime(
        ["2025-01-05 08:00", "2025-09-30 17:00", None, "2025-10-01 08:00", "2024-12-31 08:00"]
    )
    period = period_of(t.to_numpy("datetime64[ns]")[:2])
    assert outside_period(t.to_numpy("datetime64[ns]"), period).tolist() == [
        False, False, False, True, True,
    ]  # fmt: skip
    assert not outside_period(t.to_numpy("datetime64[ns]"), None).any()
    assert np.isnat(period_of(np.array([], dtype="datetime64[ns]"))[0])


def test_officer_who_covers_the_procedure_alone_is_not_a_broker_pattern():
    rows = [{"procedure_id": "RARE", "handler_id": "h9", "applicant_id": "firm"} for _ in range(6)]
    rows += [
        {"procedure_id": "P", "handler_id": f"h{i % 3}", "applicant_id": f"c{i}"} for i in range(30)
    ]
    f = HandlerFeatures().fit_transform(frame(rows, submitted_at="2025-03-03"))
    assert f["handlers__pair_lift"].iloc[0] == pytest.approx(1.0)
    assert f["handlers__pair_p"].iloc[0] == pytest.approx(1.0)


def test_receiver_is_handler_and_missing_applicant():
    rows = [{"receiver_id": "r1"} for _ in range(19)] + [{"receiver_id": "h1"}]
    f = HandlerFeatures().fit_transform(frame(rows, submitted_at="2025-03-03"))
    assert f["handlers__receiver_is_handler"].tolist() == [0] * 19 + [1]
    assert f["handlers__receiver_is_handler_p"].iloc[-1] == pytest.approx(0.05)
    assert f["handlers__applicant_na"].eq(1).all() and f["handlers__pair_p"].isna().all()


def test_interactions_need_both_signals():
    officers = ["h1", "h2", "h3", "h4"]
    rows = [
        {"applicant_id": f"c{i}", "handler_id": officers[i % 4], "completed_at": "2025-03-10 08:00"}
        for i in range(60)
    ]
    rows += [
        {"applicant_id": "broker", "handler_id": "h1", "completed_at": "2025-03-03 09:00"}
        for _ in range(6)
    ]
    f = CaseFeatures().fit_transform(frame(rows, submitted_at="2025-03-03 08:00"))
    x = f["handlers__pair_x_fast"].to_numpy()
    assert x[-1] > 1.5 and np.all(x[:60] == 0)


def test_a_duration_beyond_every_peer_is_extrapolated_from_the_other_officers_only():
    """Below the fastest of 200 peers the ranks stop at 1 / 201; the exponential tail of the
    other officers' extremes goes on. The officer's own forty same-day returns neither set
    that tail nor make "same day" ordinary for it."""
    rng = np.random.default_rng(0)
    peers = np.log1p(rng.lognormal(np.log(6.0), 0.4, 200))  # about 6 working days
    own = np.log1p(rng.uniform(0.05, 0.5, 40))
    values = np.r_[peers, own]
    group = np.zeros(240, np.int64)
    officer = np.r_[np.arange(200) % 8 + 1, np.zeros(40, np.int64)]
    ranks = PeerTails(group, officer, values)
    tails = PeerTails(group, officer, values, extrapolate=True)
    alone = PeerTails(group[:200], officer[:200], values[:200], extrapolate=True)
    query = np.log1p(np.array([0.1, 1.0, 6.0]))
    args = np.zeros(3, np.int64), np.zeros(3, np.int64), query
    floor, low = ranks.tails(*args)[0], tails.tails(*args)[0]
    assert floor[0] == floor[1] == pytest.approx(1 / 201)  # the ranks cannot tell them apart
    assert low[0] < low[1] <= 1 / 201 and low[0] >= 1 / 201 / 1000
    assert low[2] == floor[2]  # among the peers: the ranks, untouched
    assert np.array_equal(low, alone.tails(*args)[0])  # the own forty play no part
