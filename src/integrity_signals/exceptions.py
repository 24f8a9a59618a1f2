"""The library's errors: one small hierarchy, every message names the fix."""

from __future__ import annotations

__all__ = ["IntegritySignalsError", "ModelFileError", "SchemaError"]


class IntegritySignalsError(Exception):
    """Base class of every error raised by integrity_signals on purpose."""


class SchemaError(IntegritySignalsError, ValueError):
    """Input that does not meet the data contract.

    Parameters
    ----------
    message : str
        What is wrong, where, and how to fix it.
    failures : pandas.DataFrame, optional
        One row per failing input row and problem (the same columns as
        ``CaseData.rejects``) when the error is about rows rather than the
        table's shape.
    """

    def __init__(self, message: str, failures=None):
        super().__init__(message)
        self.failures = failures


class ModelFileError(IntegritySignalsError):
    """A saved model file that cannot be used (missing, truncated, tampered, incompatible)."""
