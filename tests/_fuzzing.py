"""How many examples the property and fuzz tests run: the CI's numbers, or a long run's.

``ISIG_EXAMPLES_SCALE=100 python -m pytest tests/test_fuzz_readers.py tests/test_order_invariance.py``
multiplies every count (a long run: about an hour at 100); the CI runs scale 1 with a fixed
derandomised seed, so that its examples are the same on every run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = max(int(os.environ.get("ISIG_EXAMPLES_SCALE", "1")), 1)
#: Examples run per test in this session (conftest prints them at the end of the run).
EXAMPLE_COUNTS: dict[str, int] = {}


def count_example(name: str) -> None:
    EXAMPLE_COUNTS[name] = EXAMPLE_COUNTS.get(name, 0) + 1


def examples(n: int, **kwargs) -> settings:
    """Hypothesis settings for ``n`` examples (times the scale); derandomised at scale 1."""
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        derandomize=SCALE == 1,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.function_scoped_fixture],
        database=None,
        **kwargs,
    )  # fmt: skip
