"""The library's errors and warnings: one small hierarchy, every message names the fix.

Messages speak Python (``columns={...}``, ``random_share=0``). Errors and
warnings that a command-line user can meet also carry what they are about as
data: a ``code`` and ``params`` (the parameter, the value, the file...), from
which the command line writes its own message, in its own terms (``--columns
map.toml``, ``--random-share 0``) and in the user's language.
"""

from __future__ import annotations

__all__ = [
    "IncompatibleBatchError",
    "IntegritySignalsError",
    "IntegritySignalsWarning",
    "ModelFileError",
    "ParameterError",
    "PseudonymKeyError",
    "SchemaError",
]


class IntegritySignalsError(Exception):
    """Base class of every error raised by integrity_signals on purpose.

    Parameters
    ----------
    message : str
        What is wrong, where, and how to fix it (in Python terms).
    code : str, optional
        What kind of problem this is, e.g. ``"missing_column"``.
    params : dict, optional
        The facts of the problem, e.g. ``{"column": "handler_id", "headers": [...]}``.
    """

    def __init__(self, message: str, *, code: str | None = None, params: dict | None = None):
        super().__init__(message)
        self.code = code
        self.params = dict(params or {})


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
    code, params
        See :class:`IntegritySignalsError`.
    """

    def __init__(self, message: str, failures=None, *, code=None, params=None):
        super().__init__(message, code=code, params=params)
        self.failures = failures


class ParameterError(IntegritySignalsError, ValueError):
    """A parameter value out of its range (``params`` holds ``param`` and ``value``)."""


class ModelFileError(IntegritySignalsError):
    """A saved model file that cannot be used (missing, truncated, tampered, incompatible)."""


class IncompatibleBatchError(SchemaError):
    """A batch unlike the data the model was fitted on (columns, coverage, units and
    procedures, or event rates far outside the fit): ``params["differences"]`` lists them."""


class PseudonymKeyError(IntegritySignalsError):
    """The pseudonym secret is missing, too short, or not the one the model was fitted with."""


class IntegritySignalsWarning(UserWarning):
    """A warning of the library, with its ``code`` and ``params`` like the errors."""

    def __init__(self, message: str, *, code: str | None = None, params: dict | None = None):
        super().__init__(message)
        self.code = code
        self.params = dict(params or {})
