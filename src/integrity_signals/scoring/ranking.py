"""The posterior-scale ranking of cases, and how it relates to the flags.

``risk_score`` is the estimated probability that a dossier is one of the
excess events: the larger of

- its own evidence's posterior, ``1 - lfdr`` of its combined own p-value
  (signals and isolation forest) in the batch (Efron's two-groups model,
  :func:`~integrity_signals.detectors.combine.local_fdr`), and
- its officer's: ``1 - ordinary / O`` of its officer's events of a pattern it
  belongs to (:func:`~integrity_signals.scoring.officers.officer_posterior`).

So an officer whose test says 1e-75 contributes about its excess to the top
of the ranking, not all its dossiers, and one loud scheme cannot fill the
budget. Cases of equal posterior (an officer's group, or the many with none)
are ordered by the strength of all their evidence, ``-log10`` of the Cauchy
combination of their own p-values, their officer's where they are events,
and the forest's (``evidence``), then by case id.

``flagged`` is the error-controlled decision: ``q_value <= fdr`` with the
q-value the smaller of the own evidence's Benjamini-Hochberg q-value and the
officer route's group q-value. A flagged case has strong evidence on one
route; a case can rank high (its officer's excess makes it likely) and stay
unflagged when its group holds too many ordinary events to be flagged
together, and the officer is then flagged instead.
"""

from __future__ import annotations

import numpy as np

from ..detectors.combine import local_fdr, surprise

__all__ = ["case_order", "posterior"]


def posterior(own_p: np.ndarray, officer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(posterior, own posterior) per case (see the module notes)."""
    own = 1.0 - np.nan_to_num(local_fdr(own_p), nan=1.0)
    return np.maximum(own, officer), own


def case_order(risk: np.ndarray, combined: np.ndarray, case_ids: np.ndarray) -> np.ndarray:
    """Row order, riskiest first: posterior, then evidence, then case id (no ties left)."""
    # rounded: equal posteriors tie exactly, whatever the order of the sums behind them
    return np.lexsort((case_ids, -surprise(combined), -np.round(risk, 12)))
