"""integrity_signals: statistical traces of petty corruption in administrative-procedure records.

Import as ``import integrity_signals as isig``; the public API is listed in ``__all__``.
"""

from .calendar import WorkCalendar
from .catalog import CatalogData, read_catalog, validate_catalog
from .exceptions import IntegritySignalsError, ModelFileError, SchemaError
from .io import read_cases
from .schema import CASE_SCHEMA, CATALOG_SCHEMA, RejectReason
from .validation import CaseData, validate_cases

__version__ = "0.1.0"

__all__ = [
    "CASE_SCHEMA",
    "CATALOG_SCHEMA",
    "CaseData",
    "CatalogData",
    "IntegritySignalsError",
    "ModelFileError",
    "RejectReason",
    "SchemaError",
    "WorkCalendar",
    "__version__",
    "read_cases",
    "read_catalog",
    "validate_cases",
    "validate_catalog",
]
