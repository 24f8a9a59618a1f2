"""integrity_signals: statistical traces of petty corruption in administrative-procedure records.

Import as ``import integrity_signals as isig``; the public API is listed in ``__all__``.
"""

from .calendar import WorkCalendar
from .catalog import CatalogData, read_catalog, validate_catalog
from .eventlog import EventLogData, read_event_log
from .events import EventLogSpec, cases_from_events, load_preset
from .exceptions import (
    IncompatibleBatchError,
    IntegritySignalsError,
    IntegritySignalsWarning,
    ModelFileError,
    ParameterError,
    PseudonymKeyError,
    SchemaError,
)
from .features import CaseFeatures, FeeFeatures, HandlerFeatures, TimingFeatures
from .io import read_cases
from .model import RiskModel
from .planning import (
    ProblemRateEstimate,
    estimate_problem_rate,
    inclusion_probabilities,
    plan_dossiers,
    plan_inspections,
)
from .schema import CASE_SCHEMA, CATALOG_SCHEMA, RejectReason
from .simulation import Simulation, simulate, write_simulation
from .validation import CaseData, validate_cases

__version__ = "0.4.0"

__all__ = [
    "CASE_SCHEMA",
    "CATALOG_SCHEMA",
    "CaseData",
    "CaseFeatures",
    "CatalogData",
    "EventLogData",
    "EventLogSpec",
    "FeeFeatures",
    "HandlerFeatures",
    "IncompatibleBatchError",
    "IntegritySignalsError",
    "IntegritySignalsWarning",
    "ModelFileError",
    "ParameterError",
    "ProblemRateEstimate",
    "PseudonymKeyError",
    "RejectReason",
    "RiskModel",
    "SchemaError",
    "Simulation",
    "TimingFeatures",
    "WorkCalendar",
    "__version__",
    "cases_from_events",
    "estimate_problem_rate",
    "inclusion_probabilities",
    "load_preset",
    "plan_dossiers",
    "plan_inspections",
    "read_cases",
    "read_catalog",
    "read_event_log",
    "simulate",
    "validate_cases",
    "validate_catalog",
    "write_simulation",
]
