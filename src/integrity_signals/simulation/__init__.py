"""Simulated provinces with ground truth: honest confounders plus seven labelled corruption schemes.

``simulate`` draws a province of dossiers (units, officers, procedures,
applicants, a working-day calendar with Tết) in which a few officers run one
scheme each; ``write_simulation`` writes it for the CLI and for benchmarks.
See ``docs/simulation.md`` for what each scheme and confounder looks like in
the data, and what the benchmark does not cover.
"""

from .output import VIETNAMESE_HEADERS, write_simulation
from .params import SCHEMES
from .simulator import Simulation, simulate

__all__ = ["SCHEMES", "VIETNAMESE_HEADERS", "Simulation", "simulate", "write_simulation"]
