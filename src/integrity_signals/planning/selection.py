"""Drawing an inspection plan (the riskiest entities plus a random share) and its dossiers."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from ..exceptions import IntegritySignalsWarning, ParameterError
from .checks import (
    _FLAG_COLUMNS,
    _check_columns,
    _check_complete,
    _check_entities,
    _check_flags,
    _check_frame,
    _check_int,
    _entity_level,
    _fail,
    _is_real,
    _rng,
    _seed_record,
)
from .estimation import _plan_design

__all__ = ["MIN_RANDOM_PICKS", "plan_dossiers", "plan_inspections", "random_picks_advice"]

#: Random picks below which the problem-rate estimate is too imprecise to act on: with
#: one pick the 95 % interval spans most of [0, 1] whatever the inspectors find.
MIN_RANDOM_PICKS = 5

_PASSTHROUGH = ("risk_score", "rank", "flagged", "n_cases", "money_at_stake", "reasons")


def _risk_order(df: pd.DataFrame, level: str) -> np.ndarray:
    """Row positions riskiest first, missing scores last, ties broken by entity id."""
    keys = pd.DataFrame({"score": df["risk_score"].to_numpy(), "id": df[level].to_numpy()})
    return keys.sort_values(
        ["score", "id"], ascending=[False, True], na_position="last", kind="stable"
    ).index.to_numpy()


def _top_dossiers(ids: pd.Series, flags: pd.DataFrame, level: str, n_dossiers: int) -> pd.DataFrame:
    """One row per (entity, case): each entity's ``n_dossiers`` riskiest cases, in ``ids`` order."""
    order = pd.Series(np.arange(len(ids)), index=pd.Index(ids))
    cases = flags.loc[flags[level].isin(order.index), [level, *_FLAG_COLUMNS]]
    cases = cases.sort_values(
        ["risk_score", "case_id"], ascending=[False, True], na_position="last", kind="stable"
    )
    cases = cases.groupby(level, sort=False).head(n_dossiers)
    cases = cases.iloc[np.argsort(cases[level].map(order).to_numpy(), kind="stable")]
    cases.insert(1, "dossier_rank", cases.groupby(level, sort=False).cumcount() + 1)
    return cases.reset_index(drop=True)


def _dossier_text(ids: pd.Series, flags: pd.DataFrame, level: str, n_dossiers: int):
    """The ``dossiers`` and ``dossier_reasons`` columns for the entities in ``ids``."""
    top = _top_dossiers(ids, flags, level, n_dossiers)
    case = top["case_id"].astype(str)
    reasons = top["reasons"].fillna("").astype(str)
    item = case.where(reasons.eq(""), case + ": " + reasons)
    grouped = pd.DataFrame({level: top[level], "case": case, "item": item}).groupby(
        level, sort=False
    )
    dossiers = ids.map(grouped["case"].agg(", ".join)).fillna("")
    dossier_reasons = ids.map(grouped["item"].agg(" | ".join)).fillna("")
    return dossiers.to_numpy(dtype=object), dossier_reasons.to_numpy(dtype=object)


def random_picks_advice(budget, random_share, n_entities=None, n_random=None) -> dict | None:
    """What it takes for a plan's random part to estimate the problem rate; None if it can.

    A plan with a random share draws ``n_random`` entities at random (``budget *
    random_share`` rounded half up). Fewer than :data:`MIN_RANDOM_PICKS` give an
    estimate too imprecise to use. Returns None when the random part is large
    enough, when there is none by choice (``random_share=0``), when it covers
    every entity not selected by risk, or when no plan on ``n_entities`` could
    draw enough. Otherwise a dict: ``n_random``, ``needed``
    (:data:`MIN_RANDOM_PICKS`), ``random_share`` (the smallest share, in
    hundredths, that draws enough at this budget; None if none can) and
    ``budget`` (the smallest budget that draws enough at this share; None if
    none within ``n_entities`` can).

    Examples
    --------
    >>> random_picks_advice(10, 0.1, n_entities=67)
    {'n_random': 1, 'needed': 5, 'random_share': 0.45, 'budget': 45}
    >>> random_picks_advice(10, 0.5, n_entities=67) is None
    True
    """
    if random_share is None or not random_share > 0:
        return None
    if n_random is None:
        n_random = int(np.floor(budget * random_share + 0.5))
    needed = MIN_RANDOM_PICKS
    if n_random >= needed:
        return None
    if n_entities is not None:
        n_rest = n_entities - (budget - n_random)
        if n_rest <= n_random or n_entities < needed + 1:
            return None
    share = math.ceil(round((needed - 0.5) / budget * 100, 9)) / 100
    share = share if share <= 1 else None
    more = math.ceil(round((needed - 0.5) / random_share, 9))
    while np.floor(more * random_share + 0.5) < needed:  # float rounding at the boundary
        more += 1
    more = more if n_entities is None or more <= n_entities else None
    if share is None and more is None:
        return None
    return {"n_random": n_random, "needed": needed, "random_share": share, "budget": more}


def _warn_few_random(budget: int, random_share: float, n_entities: int, n_random: int) -> None:
    """Warn when the random part is too small to estimate the problem rate, with the fix."""
    advice = random_picks_advice(budget, random_share, n_entities, n_random)
    if advice is None and not (random_share > 0 and n_random == 0):
        return
    fixes = []
    if advice is not None and advice["random_share"] is not None:
        fixes.append(f"random_share={advice['random_share']:g} at budget={budget}")
    if advice is not None and advice["budget"] is not None:
        fixes.append(f"budget={advice['budget']} at random_share={random_share:g}")
    fix = f" {MIN_RANDOM_PICKS} random picks would: {' or '.join(fixes)}." if fixes else ""
    if n_random == 0:
        message = (
            f"random_share={random_share:g} of budget={budget} rounds to 0 random slots, so "
            "estimate_problem_rate cannot estimate the problem rate outside the risk selection."
            f"{fix} Or pass random_share=0 to plan without a random part."
        )
    else:
        message = (
            f"random_share={random_share:g} of budget={budget} draws {n_random} at random: too "
            "few for a useful estimate of the problem rate (its interval stays wide whatever the "
            f"inspectors find).{fix}"
        )
    warnings.warn(
        IntegritySignalsWarning(
            message,
            code="few_random_picks",
            params={"budget": budget, "random_share": random_share, "n_random": n_random,
                    "needed": MIN_RANDOM_PICKS, "share_needed": advice and advice["random_share"],
                    "budget_needed": advice and advice["budget"]},
        ),
        stacklevel=3,
    )  # fmt: skip


def plan_inspections(
    entity_scores,
    budget,
    random_share=0.1,
    max_per_unit=None,
    random_state=None,
    *,
    level=None,
    flags=None,
    n_dossiers=5,
):
    """Pick ``budget`` officers or units to inspect: the riskiest plus a random share.

    The random share is drawn with known inclusion probabilities, so that the
    inspection outcomes give an unbiased estimate of the problem rate across
    all entities (:func:`estimate_problem_rate`). See the module docstring for
    the full design.

    Parameters
    ----------
    entity_scores : pandas.DataFrame
        One row per entity, as from ``RiskModel.score_entities``: the entity
        id column (``level``), ``risk_score`` (higher = riskier) and, passed
        through to the plan when present, ``unit_id``, ``rank``, ``flagged``,
        ``n_cases``, ``money_at_stake`` and ``reasons``.
    budget : int
        Number of entities to inspect, 1 to ``len(entity_scores)``.
    random_share : float, default=0.1
        Share of the budget drawn at random, in [0, 1]; the number of random
        slots is ``budget * random_share`` rounded half up.
    max_per_unit : int, optional
        At most this many risk-selected entities per ``unit_id`` (the random
        part is not capped). Slots the caps leave unfilled move to the random
        part, with a warning.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the random draw; the same inputs and seed give the same plan.
    level : str, optional
        Entity id column; by default the first of ``"handler_id"`` and
        ``"unit_id"`` present.
    flags : pandas.DataFrame, optional
        Case-level scores from ``RiskModel.score`` (``case_id``, the level
        column, ``risk_score``, ``reasons``). When given, each planned entity
        gets its riskiest cases as the dossiers to pull first.
    n_dossiers : int, default=5
        Dossiers listed per entity when ``flags`` is given.

    Returns
    -------
    plan : pandas.DataFrame
        One row per selected entity, risk-selected first, with the columns
        ``<level>``, ``unit_id`` (handler level, when present),
        ``selected_by`` (``"risk"`` or ``"random"``), the pass-through columns
        present among ``risk_score``, ``rank``, ``flagged``, ``n_cases``,
        ``money_at_stake``, ``reasons``, then with ``flags`` ``dossiers``
        (case ids joined by ", ") and ``dossier_reasons`` ("case_id: reasons"
        joined by " | "), and last ``inclusion_probability``. The design is in
        ``plan.attrs["design"]``.

    Raises
    ------
    SchemaError
        If ``entity_scores`` or ``flags`` lacks a needed column, has a
        non-numeric ``risk_score``, or repeated or missing entity ids.
    ValueError
        If a parameter is out of range, e.g. ``budget`` above the number of
        entities.

    Warns
    -----
    IntegritySignalsWarning
        If ``random_share > 0`` draws fewer than :data:`MIN_RANDOM_PICKS` at
        random (none, or too few for a useful estimate of the problem rate;
        the warning says which share or budget would draw enough, see
        :func:`random_picks_advice`), or the caps leave risk slots unfilled.

    See Also
    --------
    integrity_signals.estimate_problem_rate : The problem rate from the inspection outcomes.
    inclusion_probabilities : Every entity's chance of being in the plan.
    plan_dossiers : The dossiers to pull, one row per (entity, case).

    Examples
    --------
    >>> import pandas as pd
    >>> from integrity_signals.planning import plan_inspections
    >>> officers = pd.DataFrame({
    ...     "handler_id": ["cb1", "cb2", "cb3", "cb4", "cb5", "cb6", "cb7", "cb8"],
    ...     "unit_id": ["P1", "P1", "P1", "P2", "P2", "P3", "P3", "P3"],
    ...     "risk_score": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2],
    ... })
    >>> plan = plan_inspections(officers, budget=4, random_share=0.25, max_per_unit=2,
    ...                         random_state=0)
    >>> plan[["handler_id", "unit_id", "selected_by", "inclusion_probability"]]
      handler_id unit_id selected_by  inclusion_probability
    0        cb1      P1        risk                    1.0
    1        cb2      P1        risk                    1.0
    2        cb4      P2        risk                    1.0
    3        cb8      P3      random                    0.2
    >>> plan.attrs["design"]["n_rest"]
    5
    """
    func = "plan_inspections"
    _check_frame(entity_scores, "entity_scores", func, "a DataFrame from RiskModel.score_entities")
    level = _entity_level(entity_scores, level, func)
    _check_entities(entity_scores, level, func)
    n_entities = len(entity_scores)
    budget = _check_int(budget, "budget", func)
    if budget > n_entities:
        raise ParameterError(
            _fail(
                "budget",
                func,
                f"at most the number of entities in entity_scores ({n_entities})",
                f"{budget}",
                " Lower the budget or score more entities.",
            ),
            code="budget_too_large",
            params={"param": "budget", "value": budget, "n_entities": n_entities, "level": level},
        )
    if not _is_real(random_share) or not 0 <= random_share <= 1:
        raise ValueError(_fail("random_share", func, "a float in [0, 1]", f"{random_share!r}"))
    max_per_unit = _check_int(max_per_unit, "max_per_unit", func, allow_none=True)
    if max_per_unit is not None:
        _check_columns(
            entity_scores, ["unit_id"], "entity_scores", func, " when max_per_unit is set"
        )
        _check_complete(entity_scores, "unit_id", func, " when max_per_unit is set")
    rng = _rng(random_state, func)
    if flags is not None:
        _check_flags(flags, level, func)
    n_dossiers = _check_int(n_dossiers, "n_dossiers", func)

    n_random_requested = int(np.floor(budget * random_share + 0.5))
    n_risk_requested = budget - n_random_requested

    order = _risk_order(entity_scores, level)
    if max_per_unit is None:
        eligible = np.arange(n_entities)
    else:
        units = entity_scores["unit_id"].iloc[order].reset_index(drop=True)
        eligible = np.flatnonzero(units.groupby(units, sort=False).cumcount() < max_per_unit)
    risk_pos = eligible[:n_risk_requested]
    n_risk = len(risk_pos)
    n_random = budget - n_risk
    if n_risk < n_risk_requested:
        warnings.warn(
            IntegritySignalsWarning(
                f"max_per_unit={max_per_unit} leaves {n_risk} entities eligible for the "
                f"{n_risk_requested} risk slots; the {n_risk_requested - n_risk} unused slots "
                f"were added to the random draw ({n_random} random slots instead of "
                f"{n_random_requested}).",
                code="caps_unfilled",
                params={"max_per_unit": max_per_unit, "n_risk": n_risk,
                        "n_risk_requested": n_risk_requested, "n_random": n_random,
                        "n_random_requested": n_random_requested},
            ),
            stacklevel=2,
        )  # fmt: skip
    _warn_few_random(budget, random_share, n_entities, n_random)
    rest_pos = np.setdiff1d(np.arange(n_entities), risk_pos)
    n_rest = len(rest_pos)
    random_pos = rest_pos[np.sort(rng.choice(n_rest, size=n_random, replace=False))]

    chosen = entity_scores.iloc[order[np.concatenate([risk_pos, random_pos])]]
    columns = {level: chosen[level].array}
    if "unit_id" in chosen.columns and level != "unit_id":
        columns["unit_id"] = chosen["unit_id"].array
    columns["selected_by"] = np.repeat(["risk", "random"], [n_risk, n_random]).astype(object)
    columns.update({c: chosen[c].array for c in _PASSTHROUGH if c in chosen.columns})
    if flags is not None:
        columns["dossiers"], columns["dossier_reasons"] = _dossier_text(
            pd.Series(columns[level]), flags, level, n_dossiers
        )
    columns["inclusion_probability"] = np.repeat(
        [1.0, n_random / n_rest if n_rest else 0.0], [n_risk, n_random]
    )
    plan = pd.DataFrame(columns)
    plan.attrs["design"] = {
        "level": level,
        "n_entities": n_entities,
        "n_rest": n_rest,
        "n_risk": n_risk,
        "n_random": n_random,
        "n_random_requested": n_random_requested,
        "budget": budget,
        "random_share": float(random_share),
        "max_per_unit": max_per_unit,
        "random_state": _seed_record(random_state),
    }
    return plan


def plan_dossiers(plan, flags, n_dossiers=5):
    """The dossiers to pull first for each planned entity, one row per (entity, case).

    Parameters
    ----------
    plan : pandas.DataFrame
        A plan from :func:`plan_inspections`.
    flags : pandas.DataFrame
        Case-level scores from ``RiskModel.score``: ``case_id``, the plan's
        level column, ``risk_score`` and ``reasons``.
    n_dossiers : int, default=5
        Cases per entity, riskiest first (ties by case id).

    Returns
    -------
    pandas.DataFrame
        Columns ``<level>``, ``dossier_rank`` (1 = pull first), ``case_id``,
        ``risk_score`` (the case's), ``reasons`` and ``selected_by``, in plan
        order. Entities without cases in ``flags`` have no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from integrity_signals.planning import plan_dossiers, plan_inspections
    >>> units = pd.DataFrame({"unit_id": ["P1", "P2", "P3"], "risk_score": [0.9, 0.5, 0.1]})
    >>> flags = pd.DataFrame({
    ...     "case_id": ["HS1", "HS2", "HS3", "HS4"],
    ...     "unit_id": ["P1", "P1", "P1", "P2"],
    ...     "risk_score": [0.2, 0.9, 0.6, 0.4],
    ...     "reasons": ["", "fee 150,000 VND above the posted 50,000", "closed same day", ""],
    ... })
    >>> plan = plan_inspections(units, budget=1, random_share=0)
    >>> plan_dossiers(plan, flags, n_dossiers=2)[["unit_id", "dossier_rank", "case_id", "reasons"]]
      unit_id  dossier_rank case_id                                  reasons
    0      P1             1     HS2  fee 150,000 VND above the posted 50,000
    1      P1             2     HS3                          closed same day
    >>> plan_inspections(units, budget=1, random_share=0, flags=flags, n_dossiers=2).loc[
    ...     0, "dossier_reasons"]
    'HS2: fee 150,000 VND above the posted 50,000 | HS3: closed same day'
    """
    func = "plan_dossiers"
    design = _plan_design(plan, func)
    level = design["level"]
    _check_flags(flags, level, func)
    n_dossiers = _check_int(n_dossiers, "n_dossiers", func)
    top = _top_dossiers(plan[level], flags, level, n_dossiers)
    top["selected_by"] = top[level].map(pd.Series(plan["selected_by"].to_numpy(), plan[level]))
    return top
