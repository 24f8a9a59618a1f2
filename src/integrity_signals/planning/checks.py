"""Argument checks shared by the planning functions (the house error format)."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..exceptions import SchemaError

LEVELS = ("handler_id", "unit_id")
"""Entity id columns detected, in this order, when ``level`` is not given."""

_FLAG_COLUMNS = ("case_id", "risk_score", "reasons")
_PLAN_COLUMNS = ("selected_by", "inclusion_probability")


def _fail(param: str, func: str, expected: str, got: str, fix: str = "") -> str:
    """The house error message."""
    return f"The {param!r} parameter of {func} must be {expected}. Got {got} instead.{fix}"


def _check_frame(obj, param: str, func: str, what: str) -> None:
    if not isinstance(obj, pd.DataFrame):
        raise TypeError(_fail(param, func, what, f"{type(obj).__name__}"))


def _check_int(value, param: str, func: str, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        expected = "None or an int >= 1" if allow_none else "an int >= 1"
        raise ValueError(_fail(param, func, expected, f"{value!r}"))
    return int(value)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_complete(df: pd.DataFrame, column: str, func: str, when: str = "") -> None:
    missing = int(df[column].isna().sum())
    if missing:
        raise SchemaError(
            _fail(
                "entity_scores",
                func,
                f"a frame with a {column} on every row{when}",
                f"{missing} rows without one",
            )
        )


def _check_columns(df: pd.DataFrame, needed, param: str, func: str, what: str = "") -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise SchemaError(
            _fail(
                param,
                func,
                f"a frame with the columns {list(needed)}{what}",
                f"one without {missing} (columns {[str(c) for c in df.columns]})",
            ),
            code="missing_columns",
            params={"param": param, "missing": missing, "columns": [str(c) for c in df.columns]},
        )


def _check_numeric(df: pd.DataFrame, column: str, param: str, func: str) -> None:
    dtype = df[column].dtype
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise SchemaError(_fail(param, func, f"a numeric {column!r} column", f"dtype {dtype}"))


def _entity_level(df: pd.DataFrame, level, func: str) -> str:
    """The entity id column: ``level`` if given, else the first of :data:`LEVELS` present."""
    if level is None:
        found = [c for c in LEVELS if c in df.columns]
        if not found:
            raise SchemaError(
                _fail(
                    "entity_scores",
                    func,
                    f"a frame with an entity id column ({' or '.join(map(repr, LEVELS))})",
                    f"columns {[str(c) for c in df.columns]}",
                    " Name the id column with level=.",
                ),
                code="missing_columns",
                params={"param": "entity_scores", "missing": ["handler_id or unit_id"],
                        "columns": [str(c) for c in df.columns]},
            )  # fmt: skip
        return found[0]
    if not isinstance(level, str) or level not in df.columns:
        raise ValueError(
            _fail("level", func, "None or a column of entity_scores", f"{level!r}"),
        )
    return level


def _check_entities(df: pd.DataFrame, level: str, func: str) -> None:
    _check_columns(df, [level, "risk_score"], "entity_scores", func)
    _check_numeric(df, "risk_score", "entity_scores", func)
    ids = df[level]
    _check_complete(df, level, func)
    if not ids.is_unique:
        repeated = sorted(map(str, ids[ids.duplicated()].unique()))
        raise SchemaError(
            _fail(
                "entity_scores",
                func,
                f"a frame with one row per {level}",
                f"repeated ids {repeated}",
                " Aggregate or drop the duplicates first.",
            ),
            code="repeated_entities",
            params={"param": "entity_scores", "level": level, "repeated": repeated},
        )


def _rng(random_state, func: str) -> np.random.Generator:
    try:
        return np.random.default_rng(random_state)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            _fail(
                "random_state", func, "None, an int >= 0 or a numpy Generator", f"{random_state!r}"
            )
        ) from exc


def _seed_record(random_state):
    """``random_state`` as a plain value for the design: None, an int, or the object's repr."""
    if random_state is None or isinstance(random_state, numbers.Integral):
        return None if random_state is None else int(random_state)
    return repr(random_state)


def _check_flags(flags, level: str, func: str) -> None:
    _check_frame(flags, "flags", func, "None or a DataFrame from RiskModel.score")
    _check_columns(flags, [level, *_FLAG_COLUMNS], "flags", func)
    _check_numeric(flags, "risk_score", "flags", func)
