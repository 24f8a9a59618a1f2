"""Inspection plans: the riskiest entities plus a random share with known inclusion probabilities.

An inspector with ``budget`` slots gets the riskiest officers (or units) and,
in a reserved share of the slots, entities drawn at random. The random part
is what makes the plan honest: targeted inspections alone only tell how often
the targeting hits, not how common problems are. Because every entity's
chance of being inspected is known, the inspection outcomes give an unbiased
estimate of the problem rate across all entities (the "optimise and
estimate" practice of tax-audit selection).

Design
------
- ``n_random = budget * random_share``, rounded half up (10 % of 25 slots is
  3), slots are drawn at random; the other ``n_risk = budget - n_random``
  go to the riskiest entities by ``risk_score`` (higher = riskier; missing
  scores rank last; ties are broken by entity id, so the plan does not
  depend on row order).
- ``max_per_unit`` caps the *risk-selected* entities per ``unit_id``: an
  entity is skipped when its unit already has that many. If the caps leave
  too few eligible entities, the risk part takes what it can and the unused
  slots move to the random part (a warning says how many), so the budget is
  always spent and the estimate only gets more precise.
- The random part is a simple random sample without replacement, drawn with
  ``np.random.default_rng(random_state)`` from the ``M`` entities left after
  the risk selection. Caps do not apply to it, so every one of them has the
  exact inclusion probability ``n_random / M``; risk-selected entities have
  probability 1. Over all ``N`` entities the probabilities sum to ``budget``.
- The plan holds only the selected rows, risk-selected first, each part in
  risk order. ``plan.attrs["design"]`` keeps the design as a plain dict:
  ``level``, ``n_entities`` (N), ``n_rest`` (M), ``n_risk``, ``n_random``,
  ``n_random_requested``, ``budget``, ``random_share``, ``max_per_unit``,
  ``random_state``. :func:`inclusion_probabilities` gives the full vector
  over every entity. A plan that lost its ``attrs`` (written to CSV and read
  back) still works: the design is recovered from the ``selected_by`` and
  ``inclusion_probability`` columns.

Estimation from the inspection outcomes is in :mod:`integrity_signals.estimation`.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd

from .exceptions import IntegritySignalsWarning, ParameterError, SchemaError

__all__ = [
    "MIN_RANDOM_PICKS",
    "inclusion_probabilities",
    "plan_dossiers",
    "plan_inspections",
    "random_picks_advice",
]

#: Random picks below which the problem-rate estimate is too imprecise to act on: with
#: one pick the 95 % interval spans most of [0, 1] whatever the inspectors find.
MIN_RANDOM_PICKS = 5

LEVELS = ("handler_id", "unit_id")
"""Entity id columns detected, in this order, when ``level`` is not given."""

_PASSTHROUGH = ("risk_score", "rank", "flagged", "n_cases", "money_at_stake", "reasons")
_FLAG_COLUMNS = ("case_id", "risk_score", "reasons")
_PLAN_COLUMNS = ("selected_by", "inclusion_probability")


# --------------------------------------------------------------------------- checks


def _fail(param: str, func: str, expected: str, got: str, fix: str = "") -> str:
    """The house error message."""
    return f"The {param!r} parameter of {func} must be {expected}. Got {got} instead.{fix}"


def _check_frame(obj, param: str, func: str, what: str) -> None:
    if not isinstance(obj, pd.DataFrame):
        raise TypeError(_fail(param, func, what, f"{type(obj).__name__}"))


def _check_int(value, param: str, func: str, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        expected = "None or an int >= 1" if allow_none else "an int >= 1"
        raise ValueError(_fail(param, func, expected, f"{value!r}"))
    return int(value)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_complete(df: pd.DataFrame, column: str, func: str, when: str = "") -> None:
    missing = int(df[column].isna().sum())
    if missing:
        raise SchemaError(
            _fail(
                "entity_scores",
                func,
                f"a frame with a {column} on every row{when}",
                f"{missing} rows without one",
            )
        )


def _check_columns(df: pd.DataFrame, needed, param: str, func: str, what: str = "") -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise SchemaError(
            _fail(
                param,
                func,
                f"a frame with the columns {list(needed)}{what}",
                f"one without {missing} (columns {[str(c) for c in df.columns]})",
            ),
            code="missing_columns",
            params={"param": param, "missing": missing, "columns": [str(c) for c in df.columns]},
        )


def _check_numeric(df: pd.DataFrame, column: str, param: str, func: str) -> None:
    dtype = df[column].dtype
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise SchemaError(_fail(param, func, f"a numeric {column!r} column", f"dtype {dtype}"))


def _entity_level(df: pd.DataFrame, level, func: str) -> str:
    """The entity id column: ``level`` if given, else the first of :data:`LEVELS` present."""
    if level is None:
        found = [c for c in LEVELS if c in df.columns]
        if not found:
            raise SchemaError(
                _fail(
                    "entity_scores",
                    func,
                    f"a frame with an entity id column ({' or '.join(map(repr, LEVELS))})",
                    f"columns {[str(c) for c in df.columns]}",
                    " Name the id column with level=.",
                ),
                code="missing_columns",
                params={"param": "entity_scores", "missing": ["handler_id or unit_id"],
                        "columns": [str(c) for c in df.columns]},
            )  # fmt: skip
        return found[0]
    if not isinstance(level, str) or level not in df.columns:
        raise ValueError(
            _fail("level", func, "None or a column of entity_scores", f"{level!r}"),
        )
    return level


def _check_entities(df: pd.DataFrame, level: str, func: str) -> None:
    _check_columns(df, [level, "risk_score"], "entity_scores", func)
    _check_numeric(df, "risk_score", "entity_scores", func)
    ids = df[level]
    _check_complete(df, level, func)
    if not ids.is_unique:
        repeated = sorted(map(str, ids[ids.duplicated()].unique()))
        raise SchemaError(
            _fail(
                "entity_scores",
                func,
                f"a frame with one row per {level}",
                f"repeated ids {repeated}",
                " Aggregate or drop the duplicates first.",
            ),
            code="repeated_entities",
            params={"param": "entity_scores", "level": level, "repeated": repeated},
        )


def _rng(random_state, func: str) -> np.random.Generator:
    try:
        return np.random.default_rng(random_state)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            _fail(
                "random_state", func, "None, an int >= 0 or a numpy Generator", f"{random_state!r}"
            )
        ) from exc


def _seed_record(random_state):
    """``random_state`` as a plain value for the design: None, an int, or the object's repr."""
    if random_state is None or isinstance(random_state, numbers.Integral):
        return None if random_state is None else int(random_state)
    return repr(random_state)


def _check_flags(flags, level: str, func: str) -> None:
    _check_frame(flags, "flags", func, "None or a DataFrame from RiskModel.score")
    _check_columns(flags, [level, *_FLAG_COLUMNS], "flags", func)
    _check_numeric(flags, "risk_score", "flags", func)


# --------------------------------------------------------------------------- planning


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


def _plan_design(plan, func: str) -> dict:
    """The design of a plan, from ``plan.attrs`` or recovered from its columns."""
    _check_frame(plan, "plan", func, "a DataFrame from plan_inspections")
    design = dict(plan.attrs.get("design", {}))
    level = design.get("level") or next((c for c in LEVELS if c in plan.columns), None)
    _check_columns(plan, [level or LEVELS[0], *_PLAN_COLUMNS], "plan", func)
    by = plan["selected_by"]
    unknown = sorted(map(str, set(by.unique()) - {"risk", "random"}))
    if unknown:
        raise SchemaError(
            _fail("plan", func, "a plan whose selected_by is 'risk' or 'random'", f"{unknown}")
        )
    n_risk, n_random = int(by.eq("risk").sum()), int(by.eq("random").sum())
    if "n_risk" in design:
        if (design["n_risk"], design["n_random"]) != (n_risk, n_random):
            raise SchemaError(
                _fail(
                    "plan",
                    func,
                    f"every row plan_inspections returned ({design['n_risk']} risk and "
                    f"{design['n_random']} random rows, by its design)",
                    f"{n_risk} risk and {n_random} random rows",
                    " Pass the whole plan; the estimate needs every inspected entity.",
                )
            )
        return design
    probs = plan.loc[by.eq("random"), "inclusion_probability"].unique()
    if n_random and (len(probs) != 1 or not 0 < probs[0] <= 1):
        raise SchemaError(
            _fail(
                "plan",
                func,
                "a plan whose random rows share one inclusion_probability in (0, 1]",
                f"{sorted(map(float, probs))}",
            )
        )
    n_rest = int(round(n_random / probs[0])) if n_random else None
    return {
        "level": level,
        "n_entities": None if n_rest is None else n_risk + n_rest,
        "n_rest": n_rest,
        "n_risk": n_risk,
        "n_random": n_random,
    }


def inclusion_probabilities(entity_scores, plan):
    """Every entity's probability of being in the plan; they sum to the budget.

    Parameters
    ----------
    entity_scores : pandas.DataFrame
        The frame the plan was made from.
    plan : pandas.DataFrame
        A plan from :func:`plan_inspections`.

    Returns
    -------
    pandas.Series
        Named ``inclusion_probability``, indexed by entity id in the row order
        of ``entity_scores``: 1.0 for risk-selected entities, ``n_random / M``
        for every other one, drawn or not.

    Raises
    ------
    SchemaError
        If the plan names entities that ``entity_scores`` lacks, or was made
        from a frame of another size.

    Examples
    --------
    >>> import pandas as pd
    >>> from integrity_signals.planning import inclusion_probabilities, plan_inspections
    >>> units = pd.DataFrame({"unit_id": ["P1", "P2", "P3", "P4", "P5"],
    ...                       "risk_score": [0.9, 0.7, 0.5, 0.3, 0.1]})
    >>> plan = plan_inspections(units, budget=2, random_share=0.5, random_state=0)
    >>> inclusion_probabilities(units, plan)
    unit_id
    P1    1.00
    P2    0.25
    P3    0.25
    P4    0.25
    P5    0.25
    Name: inclusion_probability, dtype: float64
    """
    func = "inclusion_probabilities"
    design = _plan_design(plan, func)
    level = design["level"]
    _check_frame(entity_scores, "entity_scores", func, "the DataFrame the plan was made from")
    _check_entities(entity_scores, level, func)
    ids = pd.Index(entity_scores[level])
    strangers = sorted(map(str, set(plan[level]) - set(ids)))
    if strangers:
        raise SchemaError(
            _fail(
                "plan",
                func,
                "a plan made from entity_scores",
                f"planned ids that entity_scores lacks: {strangers}",
            )
        )
    if design["n_entities"] is not None and design["n_entities"] != len(ids):
        raise SchemaError(
            _fail(
                "entity_scores",
                func,
                f"the frame the plan was made from ({design['n_entities']} entities)",
                f"{len(ids)} rows",
            )
        )
    risk = ids.isin(plan.loc[plan["selected_by"].eq("risk"), level])
    n_rest = len(ids) - int(risk.sum())
    rest_p = design["n_random"] / n_rest if n_rest else 0.0
    return pd.Series(np.where(risk, 1.0, rest_p), index=ids, name="inclusion_probability")


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
