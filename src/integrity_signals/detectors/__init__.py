"""Detectors: statistical tails, entity rate tests, digit tests, isolation forest, combination."""

from .combine import bh_qvalues, cauchy_combine, group_qvalues, surprise
from .digits import DigitTest
from .entity import EntityRateTest
from .isolation import IsolationDetector
from .statistical import SIGNALS, Signal, TailDetector

__all__ = [
    "SIGNALS",
    "DigitTest",
    "EntityRateTest",
    "IsolationDetector",
    "Signal",
    "TailDetector",
    "bh_qvalues",
    "cauchy_combine",
    "group_qvalues",
    "surprise",
]
