"""Vectorised weighted draws within groups (a unit's procedures, a desk's officers)."""

from __future__ import annotations

import numpy as np

__all__ = ["choose_in_groups", "round_to"]


def choose_in_groups(
    item_group: np.ndarray,
    item_weight: np.ndarray,
    draw_group: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """For each draw, one item of its group with probability proportional to the item's weight.

    Parameters
    ----------
    item_group : int array (n_items,)
        Group of each item (e.g. the unit-and-sector of an officer's coverage row).
    item_weight : float array (n_items,)
        Non-negative weights.
    draw_group : int array (n_draws,)
        Group each draw is made in.
    rng : numpy.random.Generator

    Returns
    -------
    int array (n_draws,)
        Item index per draw; -1 where the group has no item of positive weight.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> out = choose_in_groups(np.array([0, 0, 1]), np.array([1.0, 3.0, 1.0]),
    ...                        np.array([0] * 4000 + [1, 2]), rng)
    >>> bool(abs(np.mean(out[:4000] == 1) - 0.75) < 0.03), out[-2:].tolist()
    (True, [2, -1])
    """
    item_group = np.asarray(item_group, dtype=np.int64)
    item_weight = np.asarray(item_weight, dtype=np.float64)
    draw_group = np.asarray(draw_group, dtype=np.int64)
    positive = np.flatnonzero(item_weight > 0)  # zero-weight items can never be drawn
    if positive.size == 0:
        return np.full(draw_group.size, -1, dtype=np.int64)
    order = positive[np.argsort(item_group[positive], kind="stable")]
    groups, weights = item_group[order], item_weight[order]
    n_groups = int(max(groups.max(), draw_group.max(initial=0))) + 1
    total = np.bincount(groups, weights, minlength=n_groups)
    cum = np.cumsum(weights)
    first = np.searchsorted(groups, groups, side="left")
    before = np.where(first > 0, cum[np.maximum(first - 1, 0)], 0.0)
    keys = groups + (cum - before) / total[groups]
    last = np.r_[groups[1:] != groups[:-1], True]
    keys[last] = groups[last] + 1.0  # no rounding gap at the end of a group
    target = draw_group + rng.random(draw_group.size)
    pos = np.minimum(np.searchsorted(keys, target, side="right"), len(keys) - 1)
    return np.where(total[draw_group] > 0, order[pos], -1)


def round_to(values: np.ndarray, step: float) -> np.ndarray:
    """Values rounded to the nearest multiple of ``step`` (VND amounts: whole thousands etc.)."""
    return np.round(np.asarray(values, dtype=np.float64) / step) * step
