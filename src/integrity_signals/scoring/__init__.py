"""Scoring a batch: the evidence of cases and entities, the officer route, the reference record
and the posterior-scale ranking (see :mod:`~integrity_signals.scoring.ranking`)."""

from .evidence import LEVELS, Evidence, build_evidence

__all__ = ["LEVELS", "Evidence", "build_evidence"]
