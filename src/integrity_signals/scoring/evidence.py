"""Everything that scoring, entity scores and explanations need about one batch, computed once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..detectors.combine import bh_qvalues, cauchy_combine
from ..detectors.shift import contextual_p
from ..detectors.statistical import Tails
from ..features.base import outside_period
from ..signals import SIGNALS
from .entities import EntityEvidence, codes_of, level_evidence, pair_ids
from .officers import officer_posterior, officer_route
from .overlap import guard
from .ranking import posterior

__all__ = ["LEVELS", "Evidence", "build_evidence"]

LEVELS = ("handler_id", "unit_id")
#: How a signal's p-value is read against the case's context (see ``contextual_p``).
_KIND = [
    "exact" if s.null != "peers" else "occurrence" if s.occurrence else "tail" for s in SIGNALS
]


@dataclass(frozen=True)
class Evidence:
    """One scored batch.

    ``cases`` the validated cases and ``features`` their features; ``tails``
    the case-level signals (:class:`~integrity_signals.detectors.Tails`);
    ``p_case`` each signal's p-value against the case's officer's baseline
    (:func:`~integrity_signals.detectors.shift.contextual_p`); ``p_if`` the
    isolation forest's p-values; ``context`` per case and signal
    its officer's p-value where the case is an event (NaN elsewhere);
    ``own`` the combined p-value of the case's own evidence, ``combined`` of all
    its evidence (own, officer context, forest); ``entities`` per level the
    :class:`~integrity_signals.scoring.entities.EntityEvidence`; ``risk`` the
    posterior, ``own_posterior`` its own-evidence part; ``q`` the q-values and
    ``route`` which route gave the smaller one (``"own"``, ``"officer"``).
    """

    cases: pd.DataFrame
    features: pd.DataFrame
    tails: Tails
    p_case: np.ndarray
    p_if: np.ndarray
    context: np.ndarray
    own: np.ndarray
    combined: np.ndarray
    entities: dict[str, EntityEvidence]
    risk: np.ndarray
    own_posterior: np.ndarray
    q: np.ndarray
    route: np.ndarray

    @property
    def officers(self) -> EntityEvidence:
        return self.entities["handler_id"]


def build_evidence(model, cases: pd.DataFrame, features=None, tails=None) -> Evidence:
    """Score one validated batch with a fitted :class:`~integrity_signals.RiskModel`
    (``features`` and ``tails``: the batch's, when already known)."""
    private = model._private(cases)  # pseudonymised ids where the model keeps only those
    known = guard(model, private)  # dossiers the reference record holds: never counted twice
    if features is None:
        ctx = model.features_._context(private)
        ctx.in_record = known
        features = model.features_.transform(ctx)
    proc, unit, officer = model._groups(cases)
    if tails is None:
        tails = model.tails_.apply(features, proc, unit, officer)
    fees = (
        cases["fee_charged"].to_numpy(dtype=float, na_value=np.nan)
        if "fee_charged" in cases
        else np.full(len(cases), np.nan)
    )
    # cases the reference record cannot contain: only these are pooled with it
    new = (
        outside_period(
            cases["submitted_at"].to_numpy("datetime64[ns]"),
            model.features_.handlers_.reference_period_,
        )
        & ~known
    )
    entities, chances = {}, {}
    pairs = pair_ids(cases)
    for level in LEVELS:
        codes, ids = codes_of(cases[level])
        digits = model.digits_.apply(codes, fees, proc, len(ids))
        entities[level], chances[level] = level_evidence(
            level, cases[level], tails, pairs, model.entity_tests_[level], model.records_[level],
            new, digits,
        )  # fmt: skip
    officers = entities["handler_id"]
    # each case's own evidence against its officer's baseline (the unit's practice, the
    # officer's habits): a habit on every dossier is not a finding about any one of them
    p_case = np.column_stack([
        contextual_p(tails.p[:, j], chances["handler_id"][:, j], a, _KIND[j])
        for j, a in enumerate(model.tails_.thresholds)
    ])  # fmt: skip
    context = np.where(tails.events == 1, officers.p[np.maximum(officers.codes, 0)], np.nan)
    p_if = (
        model.isolation_.apply(features)
        if model.isolation_ is not None
        else np.full(len(cases), np.nan)
    )
    own = cauchy_combine(p_case, p_if[:, None])  # blocks side by side, never stacked whole
    combined = cauchy_combine(p_case, context, p_if[:, None])
    risk, own_posterior = posterior(own, officer_posterior(officers, tails.events))
    q_own = bh_qvalues(own)
    q_officer = officer_route(officers, tails.events, model.fdr)
    q = np.minimum(q_own, q_officer)
    route = np.where(q_officer < q_own, "officer", "own").astype(object)
    return Evidence(
        cases, features, tails, p_case, p_if, context, own, combined, entities, risk,
        own_posterior, q, route,
    )  # fmt: skip
