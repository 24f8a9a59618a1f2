"""Detectors: statistical tails, entity rate tests, digit tests, isolation forest, combination.

Every detector has the same shape: ``fit(...)`` learns from the reference
period and returns the detector; ``apply(...)`` scores a batch with what was
learned, without changing it.
"""

from ..signals import SIGNALS, Signal
from .combine import bh_qvalues, cauchy_combine, group_qvalues, local_fdr, surprise
from .digits import DigitTest
from .entity import EntityRateTest
from .isolation import IsolationDetector
from .statistical import TailDetector, Tails

__all__ = [
    "SIGNALS",
    "DigitTest",
    "EntityRateTest",
    "IsolationDetector",
    "Signal",
    "TailDetector",
    "Tails",
    "bh_qvalues",
    "cauchy_combine",
    "group_qvalues",
    "local_fdr",
    "surprise",
]
