"""The problem rate estimated from a plan's inspection outcomes (this import path is kept; the code
is in :mod:`integrity_signals.planning.estimation`)."""

from .planning.estimation import ProblemRateEstimate, estimate_problem_rate

__all__ = ["ProblemRateEstimate", "estimate_problem_rate"]
