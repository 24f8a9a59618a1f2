"""Fitting the reference period: peer rates without the anomalous officers, then the entity tests.

Peers are the officers who are not themselves anomalous on a signal. The
tail detector's rates are first fitted on every officer; the officers whose
test of a signal is then a discovery (Benjamini-Hochberg at ``fdr``) are
left out of that signal's peer rates and of its honest dispersion, and the
rates refitted, until no more are found (at most :data:`PEER_ROUNDS`
rounds). A few corrupt officers must not raise every other officer's
baseline: three officers overcharging the same procedures would otherwise
make overcharging look ordinary for each other and for everyone else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..detectors.combine import bh_qvalues
from ..detectors.entity import EntityRateTest
from ..detectors.statistical import TailDetector, Tails
from .entities import fit_level, pair_ids
from .evidence import LEVELS
from .record import EntityRecord

__all__ = ["PEER_ROUNDS", "fit_reference"]

#: Rounds of refitting the peer rates without the officers found anomalous (at most).
PEER_ROUNDS = 3


def fit_reference(
    features: pd.DataFrame,
    cases: pd.DataFrame,
    groups,
    *,
    event_alpha: float,
    shrinkage: float,
    fdr: float,
) -> tuple[TailDetector, dict[str, EntityRateTest], dict[str, EntityRecord], Tails]:
    """The fitted tail detector, per level the entity test and the reference record, and the
    reference cases' signals under the fitted detector."""
    detector = TailDetector(event_alpha, shrinkage)
    signals = detector.case_signals(features)  # the features' own part: once for every round
    detector.fit(features, *groups, signals=signals)
    tails = detector.apply(features, *groups, signals=signals)
    pairs = pair_ids(cases)
    anomalous, ids = None, None
    for _ in range(PEER_ROUNDS):
        _, record = fit_level(tails, cases["handler_id"], pairs)
        found = bh_qvalues(record.p.ravel()).reshape(record.p.shape) <= fdr
        if anomalous is not None:
            found |= anomalous
        if not found.any() or (anomalous is not None and (found == anomalous).all()):
            break
        anomalous, ids = found, record.ids
        tails = _refit(detector, features, cases, groups, anomalous, ids, signals)
    known = None if anomalous is None else pd.DataFrame(anomalous, index=ids)
    tests, records = {}, {}
    for level in LEVELS:
        tests[level], records[level] = fit_level(
            tails, cases[level], pairs, known if level == "handler_id" else None
        )
    return detector, tests, records, tails


def _refit(detector: TailDetector, features, cases, groups, anomalous, ids, signals) -> Tails:
    """Refit the detector's rates without the anomalous officers' events (in place)."""
    codes = ids.get_indexer(cases["handler_id"])
    leave_out = anomalous[np.maximum(codes, 0)] & (codes >= 0)[:, None]
    detector.fit(features, *groups, leave_out=leave_out, signals=signals)
    return detector.apply(features, *groups, signals=signals)
