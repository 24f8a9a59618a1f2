"""Parameter checks in one message format: "The 'x' parameter of Y must be ... Got ... instead."

Estimators check their parameters when they are fitted (never in
``__init__``), with these helpers; fitted state is checked with
scikit-learn's public :func:`~sklearn.utils.validation.check_is_fitted`.
"""

from __future__ import annotations

import numbers

from sklearn.utils.validation import check_is_fitted

__all__ = ["check_bool", "check_choice", "check_int", "check_is_fitted", "check_real", "fail"]


def fail(owner: str, name: str, expected: str, got) -> ValueError:
    """The library's parameter error."""
    return ValueError(f"The {name!r} parameter of {owner} must be {expected}. Got {got!r} instead.")


def check_real(owner: str, name: str, value, *, low=None, high=None, closed="neither") -> float:
    """A real number within (``low``, ``high``) (``closed``: "left", "right", "both", "neither").

    >>> check_real("RiskModel", "fdr", 0.05, low=0, high=1)
    0.05
    >>> check_real("RiskModel", "fdr", 1.5, low=0, high=1)
    Traceback (most recent call last):
    ...
    ValueError: The 'fdr' parameter of RiskModel must be a float in the range (0, 1). Got 1.5 instead.
    """
    left = "[" if closed in ("left", "both") else "("
    right = "]" if closed in ("right", "both") else ")"
    if low is not None and high is not None:
        expected = f"a float in the range {left}{low:g}, {high:g}{right}"
    elif low is not None:
        expected = f"a float {'>=' if left == '[' else '>'} {low:g}"
    else:
        expected = "a float"
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value
    if ok and low is not None:
        ok = value >= low if left == "[" else value > low
    if ok and high is not None:
        ok = value <= high if right == "]" else value < high
    if not ok:
        raise fail(owner, name, expected, value)
    return float(value)


def check_int(owner: str, name: str, value, *, low: int = 1, optional: bool = False):
    """An int of at least ``low`` (None too, when ``optional``)."""
    if optional and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise fail(owner, name, f"an int >= {low}" + (" or None" if optional else ""), value)
    return int(value)


def check_bool(owner: str, name: str, value) -> bool:
    if not isinstance(value, bool):
        raise fail(owner, name, "a bool", value)
    return value


def check_choice(owner: str, name: str, value, choices) -> str:
    """One of ``choices``."""
    if value not in choices:
        raise fail(owner, name, f"one of {tuple(choices)}", value)
    return value
