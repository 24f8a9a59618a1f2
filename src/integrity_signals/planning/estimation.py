"""Inclusion probabilities of a plan, and the problem rate of all officers (or units) estimated
from its inspection outcomes.

:func:`estimate_problem_rate` treats the plan as two strata. The risk stratum
is a census: its count of problems is known exactly. The rest stratum (M
entities) is estimated from the random sample by Horvitz-Thompson,
``found * M / n_random``. The interval is a Wilson score interval for the
rest-stratum proportion with the finite-population correction applied
through the effective sample size ``n_random * (M - 1) / (M - n_random)``
(it narrows to a point when the sample covers the whole stratum), scaled to
a count, shifted by the exact risk-stratum count and divided by N. Without
random slots the rest is not estimable: only the risk stratum's hit rate is
reported.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..exceptions import SchemaError
from .checks import (
    _PLAN_COLUMNS,
    LEVELS,
    _check_columns,
    _check_entities,
    _check_frame,
    _fail,
    _is_real,
)

__all__ = ["ProblemRateEstimate", "estimate_problem_rate", "inclusion_probabilities"]


@dataclass(frozen=True)
class ProblemRateEstimate:
    """The problem rate across all entities, estimated from a plan's inspection outcomes.

    Attributes
    ----------
    rate : float
        Estimated share of the N entities with a problem (NaN when the rest
        stratum is not estimable).
    count : float
        Estimated number of entities with a problem: the risk stratum's exact
        count plus ``random_found * M / n_random``.
    ci_low, ci_high : float
        Confidence interval of ``rate``.
    confidence : float
        Level of the interval.
    risk_rate : float
        Hit rate among the risk-selected entities (NaN without any).
    random_rate : float
        Rate in the random sample, i.e. among the entities the targeting did
        not pick (NaN without random slots). ``risk_rate`` against
        ``random_rate`` is how much better than chance the targeting does.
    n_entities, n_rest : int or None
        N, all entities; M, those not risk-selected. None when unknown (a plan
        without random rows that lost its ``attrs``).
    n_risk, risk_found, n_random, random_found : int
        Inspected and problems found, per stratum.
    """

    rate: float
    count: float
    ci_low: float
    ci_high: float
    confidence: float
    risk_rate: float
    random_rate: float
    n_entities: int | None
    n_rest: int | None
    n_risk: int
    risk_found: int
    n_random: int
    random_found: int


def _wilson_interval(found: int, n: int, population: int, confidence: float):
    """Wilson score interval for a proportion from a sample of ``n`` out of ``population``.

    The finite-population correction enters through the effective sample size
    ``n (N - 1) / (N - n)``; a sample of the whole population gives a point.
    """
    p = found / n
    if n >= population:
        return p, p
    n_eff = n * (population - 1) / (population - n)
    z2 = stats.norm.ppf(0.5 + confidence / 2) ** 2
    denom = 1 + z2 / n_eff
    centre = (p + z2 / (2 * n_eff)) / denom
    half = np.sqrt(z2) / denom * np.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff**2))
    low = 0.0 if found == 0 else max(0.0, centre - half)
    high = 1.0 if found == n else min(1.0, centre + half)
    return low, high


def _check_outcomes(outcomes, ids: pd.Series, func: str) -> np.ndarray:
    """Each planned entity's outcome as a bool array in plan order."""
    if isinstance(outcomes, dict):
        outcomes = pd.Series(outcomes, dtype=object)
    if not isinstance(outcomes, pd.Series):
        raise TypeError(
            _fail(
                "outcomes",
                func,
                "a dict or a pandas Series mapping entity id to bool",
                f"{type(outcomes).__name__}",
            )
        )
    if not outcomes.index.is_unique:
        repeated = sorted(map(str, outcomes.index[outcomes.index.duplicated()].unique()))
        raise ValueError(
            _fail("outcomes", func, "one outcome per entity", f"repeated ids {repeated}")
        )
    given = outcomes.reindex(ids.to_numpy()).astype(object)
    missing = given.isna().to_numpy()
    if missing.any():
        raise ValueError(
            _fail(
                "outcomes",
                func,
                "an outcome for every planned entity",
                f"none for {list(map(str, ids[missing]))}",
                " Inspect them, or record what was found, before estimating.",
            )
        )
    found = given.map({True: True, False: False})
    bad = found.isna().to_numpy()
    if bad.any():
        shown = dict(zip(map(str, ids[bad]), given[bad], strict=True))
        raise ValueError(_fail("outcomes", func, "True/False (or 1/0) per entity", f"{shown}"))
    return found.to_numpy(dtype=bool)


def estimate_problem_rate(plan, outcomes, *, confidence=0.95):
    """Estimate the share of all entities with a problem from a plan's inspection outcomes.

    The risk stratum is a census, the rest is estimated from the random
    sample by Horvitz-Thompson; see the module docstring.

    Parameters
    ----------
    plan : pandas.DataFrame
        A plan from :func:`plan_inspections`, whole (every inspected row).
    outcomes : dict or pandas.Series
        Planned entity id -> whether a problem was found (bool or 0/1).
        Outcomes for entities outside the plan are ignored: they were not
        drawn with a known probability.
    confidence : float, default=0.95
        Level of the interval, in (0, 1).

    Returns
    -------
    ProblemRateEstimate

    Raises
    ------
    ValueError
        If a planned entity has no outcome (all are listed) or a non-boolean
        one, or ``confidence`` is out of range.
    SchemaError
        If ``plan`` is not a whole plan from :func:`plan_inspections`.

    Warns
    -----
    UserWarning
        If the plan has no random slots while some entities were not
        risk-selected: only ``risk_rate`` is estimable.

    Examples
    --------
    >>> import pandas as pd
    >>> from integrity_signals import estimate_problem_rate, plan_inspections
    >>> units = pd.DataFrame({"unit_id": [f"P{i}" for i in range(1, 21)],
    ...                       "risk_score": [i / 20 for i in range(20, 0, -1)]})
    >>> plan = plan_inspections(units, budget=10, random_share=0.5, random_state=0)
    >>> found = dict.fromkeys(plan["unit_id"], False) | {"P1": True, "P2": True, "P3": True}
    >>> est = estimate_problem_rate(plan, found)
    >>> est.risk_rate, est.random_rate, est.rate
    (0.6, 0.0, 0.15)
    >>> round(est.ci_low, 3), round(est.ci_high, 3)
    (0.15, 0.416)
    """
    func = "estimate_problem_rate"
    if not _is_real(confidence) or not 0 < confidence < 1:
        raise ValueError(_fail("confidence", func, "a float in (0, 1)", f"{confidence!r}"))
    design = _plan_design(plan, func)
    found = _check_outcomes(outcomes, plan[design["level"]], func)
    by = plan["selected_by"].to_numpy()
    n_risk, n_random = design["n_risk"], design["n_random"]
    n_entities, n_rest = design["n_entities"], design["n_rest"]
    risk_found = int(found[by == "risk"].sum())
    random_found = int(found[by == "random"].sum())
    risk_rate = risk_found / n_risk if n_risk else np.nan
    random_rate = random_found / n_random if n_random else np.nan

    if n_random:
        low, high = _wilson_interval(random_found, n_random, n_rest, confidence)
        count = risk_found + random_found * n_rest / n_random
        rate = count / n_entities
        ci_low = (risk_found + low * n_rest) / n_entities
        ci_high = (risk_found + high * n_rest) / n_entities
    elif n_rest == 0:  # every entity was risk-selected: the census is complete
        count = float(risk_found)
        rate = ci_low = ci_high = count / n_entities
    else:
        warnings.warn(
            "The plan has no random slots, so the problem rate among the entities the "
            "targeting did not pick cannot be estimated; only risk_rate is reported. "
            "Plan with random_share > 0 to estimate the overall rate.",
            UserWarning,
            stacklevel=2,
        )
        count = rate = ci_low = ci_high = np.nan
    return ProblemRateEstimate(
        rate=float(rate),
        count=float(count),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        confidence=float(confidence),
        risk_rate=float(risk_rate),
        random_rate=float(random_rate),
        n_entities=n_entities,
        n_rest=n_rest,
        n_risk=n_risk,
        risk_found=risk_found,
        n_random=n_random,
        random_found=random_found,
    )


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
