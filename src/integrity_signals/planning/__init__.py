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

Modules: :mod:`~integrity_signals.planning.selection` draws the plan and picks its dossiers;
:mod:`~integrity_signals.planning.estimation` holds each entity's inclusion probability and
the problem rate estimated from the inspection outcomes; :mod:`~integrity_signals.planning.checks`
the argument checks they share.
"""

from .estimation import ProblemRateEstimate, estimate_problem_rate, inclusion_probabilities
from .selection import MIN_RANDOM_PICKS, plan_dossiers, plan_inspections, random_picks_advice

__all__ = [
    "MIN_RANDOM_PICKS",
    "ProblemRateEstimate",
    "estimate_problem_rate",
    "inclusion_probabilities",
    "plan_dossiers",
    "plan_inspections",
    "random_picks_advice",
]
