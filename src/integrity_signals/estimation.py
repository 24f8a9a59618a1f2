"""The problem rate of all officers (or units), estimated from an inspection plan's outcomes.

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

from .planning import _fail, _is_real, _plan_design

__all__ = ["ProblemRateEstimate", "estimate_problem_rate"]


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
