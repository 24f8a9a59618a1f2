"""The signal registry: every signal declared once, complete, and written in both languages."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import integrity_signals as isig
from integrity_signals.features import CaseFeatures
from integrity_signals.signals import ISOLATION, LANGS, SIGNALS, signal

FEATURES = set(CaseFeatures().get_feature_names_out())

#: Sample feature values that make every sentence say something (money, days, counts, shares).
SAMPLE = {
    "timing__duration_wd": 1234.5, "timing__pending_age_wd": np.nan, "timing__peer_median_wd": 9.25,
    "timing__days_late": 3.5, "timing__queue_jump": 12.0, "timing__queue_len": 20.0,
    "timing__supplements": 3.0, "timing__supplements_expected": 0.15, "timing__off_hours": 1.0,
    "timing__non_workday": 0.0, "timing__due_gap_wd": 5.0, "timing__statutory_wd": 15.0,
    "fees__charged": 1_550_000.0, "fees__reference": 50_000.0, "fees__reference_learned": 0.0,
    "fees__waiver_p": 0.125, "fees__posted_own": 70_000.0, "fees__posted_catalog": 1_050_000.0,
    "handlers__pair_cases": 1200.0, "handlers__applicant_cases": 1500.0,
    "handlers__pair_expected": 2.5, "handlers__receiver_is_handler_p": 0.0125,
}  # fmt: skip


def _sentences(lang: str) -> dict[str, list[str]]:
    when = np.array([np.datetime64("2025-03-08T21:15")])
    out = {}
    for s in (*SIGNALS, ISOLATION):
        values = {f: np.array([SAMPLE[f]]) for f in s.features_needed()}
        case = s.render(values, when, lang)
        out[s.name] = case + ([s.entity_sentence(1234.0, 12.5, lang)] if s.phrase[lang] else [])
    return out


def test_every_signal_is_declared_completely():
    names = [s.name for s in SIGNALS]
    assert len(names) == len(set(names))
    for s in SIGNALS:
        assert s.family in {"timing", "fees", "handlers"}
        assert s.test in {"shift", "rate", "cluster"} and s.null in {
            "peers",
            "binomial",
            "calibrated",
        }
        assert set(s.p_features) <= FEATURES and set(s.features_needed()) <= FEATURES
        assert {s.value, s.baseline} <= FEATURES
        assert all(u in {None, "money", "days", "count", "share"} for u in s.units)
        assert set(s.label) == set(s.phrase) == set(LANGS)
        assert all(s.label[lang] and s.phrase[lang] for lang in LANGS)
        for part in s.parts:  # a co-occurrence joins two registered single signals
            assert not signal(part).parts and signal(part).p_feature in s.p_features
        assert s.clustered == ("handlers__pair_p" in s.p_features)
    assert signal("fast").test == "rate" and signal("supplements").test == "shift"


@pytest.mark.parametrize("name", [s.name for s in (*SIGNALS, ISOLATION)])
def test_every_reason_is_written_in_vietnamese_with_vietnamese_numbers(name):
    en = _sentences("en")
    english_words = {
        w.lower() for t in sum(en.values(), []) for w in re.findall(r"[^\W\d_]{3,}", t)
    }
    english_words -= {"mad"}  # the digit statistic's name
    for text in _sentences("vi")[name]:
        words = {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)}
        assert not words & english_words, (name, text, words & english_words)
        assert not re.findall(r"\d,\d{3}(?!\d)", text), ("English thousands", text)
        assert not re.findall(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.])", text), ("English decimals", text)
    for text in en[name]:
        assert not re.findall(r"\d\.\d{3}(?!\d)", text), ("Vietnamese thousands", text)


def test_sentences_give_the_number_and_the_baseline():
    en, vi = _sentences("en"), _sentences("vi")
    # whole numbers from 100 on, one decimal below
    assert en["fast"][0] == "returned in 1,234 working days, peers take 9.2"
    assert vi["fast"][0] == "trả kết quả sau 1.234 ngày làm việc, hồ sơ cùng loại mất 9,2"
    assert en["excess_fee"][0] == "fee 1,500,000 VND above the posted 50,000 VND"
    assert "1.500.000 đồng" in vi["excess_fee"][0]
    assert en["fast"][1] == "1,234 dossiers returned much faster than peers against 12.5 expected"


def test_scores_explanations_and_entities_in_either_language():
    sim = isig.simulate(6_000, random_state=1, officers_per_scheme=1)
    model = isig.RiskModel(random_state=0).fit(sim.cases, catalog=sim.catalog)
    with pytest.warns(UserWarning):  # a small province with seven schemes flags much
        vi, en = model.score(sim.cases, lang="vi"), model.score(sim.cases, lang="en")
    assert (vi["reasons"] != "").sum() == (en["reasons"] != "").sum() > 50
    assert vi["reasons"].str.contains("hồ sơ|phí|cán bộ").any()
    top = en["case_id"].iloc[0]
    explained = model.explain(top, sim.cases, lang="vi")
    assert explained["kind"].iloc[0] == "case" and explained["text"].str.len().gt(0).all()
    officers = model.score_entities(sim.cases, lang="vi")
    assert officers["reasons"].iloc[0] and "against" not in officers["reasons"].iloc[0]
    with pytest.raises(ValueError, match=r"The 'lang' parameter of score must be one of"):
        model.score(sim.cases, lang="fr")
    pd.testing.assert_frame_equal(
        vi.drop(columns="reasons"), en.drop(columns="reasons"), check_exact=True
    )
