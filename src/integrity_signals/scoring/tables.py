"""The output tables: every case, every officer or unit, riskiest first, with their reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..detectors.combine import bh_qvalues, cauchy_combine, surprise
from ..reasons import case_reasons, entity_reasons
from ..signals import SIGNALS
from .evidence import Evidence
from .ranking import case_order

__all__ = ["case_table", "entity_table"]

_FAMILIES = ("timing", "fees", "handlers")
#: Digit tests are supporting evidence: alone they cannot flag an officer.
DIGIT_FLOOR = 1e-2
_EXCESS_FEE = [s.name for s in SIGNALS].index("excess_fee")
#: Entities whose combined test is at most this get reasons (their evidence that raises risk).
NOTABLE = 0.5


def _ranks(order: np.ndarray) -> np.ndarray:
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    return rank


def _money_at_stake(ev: Evidence) -> np.ndarray:
    """Per case: its fee excess over the posted or usual fee (NaN where unknown), at least 0."""
    excess = ev.features["fees__excess_vnd"].to_numpy()
    return np.where(np.isnan(excess), np.nan, np.maximum(excess, 0.0))


def case_table(ev: Evidence, *, fdr, reason_share, event_alpha, lang) -> pd.DataFrame:
    """One row per case, riskiest first (see :meth:`~integrity_signals.RiskModel.score`)."""
    n = len(ev.cases)
    order = case_order(ev.risk, ev.combined, ev.cases["case_id"].to_numpy(dtype=object))
    rank = _ranks(order)
    flagged = ev.q <= fdr
    out = pd.DataFrame({
        "case_id": ev.cases["case_id"].to_numpy(), "risk_score": ev.risk, "rank": rank,
        "flagged": flagged, "q_value": ev.q, "route": np.where(flagged, ev.route, ""),
        "evidence": surprise(ev.combined),
    })  # fmt: skip
    for family in _FAMILIES:
        cols = [j for j, s in enumerate(SIGNALS) if s.family == family]
        out[f"{family}_score"] = surprise(cauchy_combine(ev.p_case[:, cols], ev.context[:, cols]))
    out["money_at_stake"] = _money_at_stake(ev)
    chosen = np.flatnonzero(flagged | (rank <= max(1, int(np.ceil(reason_share * n)))))
    out["reasons"] = case_reasons(ev, chosen, n, event_alpha, lang)
    out["handler_id"] = ev.cases["handler_id"].to_numpy()
    out["unit_id"] = ev.cases["unit_id"].to_numpy()
    return out.iloc[order].reset_index(drop=True)


def entity_table(ev: Evidence, level: str, *, fdr, lang) -> pd.DataFrame:
    """One row per officer or unit, riskiest first (see
    :meth:`~integrity_signals.RiskModel.score_entities`)."""
    ent = ev.entities[level]
    k, codes = len(ent.ids), ent.codes
    digit_p = np.maximum(ent.digits["p_value"], DIGIT_FLOOR)  # supporting evidence, bounded
    combined = cauchy_combine(np.column_stack([ent.p, digit_p]))
    q, risk = bh_qvalues(combined), surprise(combined)
    out = pd.DataFrame({level: np.asarray(ent.ids)})
    if level == "handler_id":
        first = np.unique(codes, return_index=True)[1]
        unit = np.empty(k, dtype=object)
        unit[codes[first]] = ev.cases["unit_id"].to_numpy(dtype=object)[first]
        out["unit_id"] = unit
    order = np.lexsort((np.asarray(ent.ids, dtype=object), -risk))
    fee_events = ev.tails.events[:, _EXCESS_FEE] == 1
    out = out.assign(
        risk_score=risk, rank=_ranks(order), flagged=q <= fdr, q_value=q,
        n_cases=np.bincount(codes, minlength=k),
        n_flagged_cases=np.bincount(codes, ev.q <= fdr, k).astype(np.int64),
        money_at_stake=np.bincount(codes, np.nan_to_num(_money_at_stake(ev)) * fee_events, k),
        reasons=entity_reasons(ent, combined <= NOTABLE, lang),
    )  # fmt: skip
    for j, s in enumerate(SIGNALS):
        out[f"obs_{s.name}"] = ent.observed[:, j]
        out[f"exp_{s.name}"] = ent.expected[:, j]
        if s.test == "shift":
            out[f"shift_{s.name}"] = ent.shift[:, j]
    for key in ("first_mad", "first_class", "last_two_mad", "last_two_class"):
        out[f"digits_{key}"] = ent.digits[key]
    return out.iloc[order].reset_index(drop=True)
