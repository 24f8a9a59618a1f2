"""Case feature extractors: scikit-learn transformers, DataFrame in, DataFrame out.

Columns are named ``<family>__<signal>``; each transformer records the input
columns behind every feature (``feature_sources_``), the indicator that
explains a NaN (``na_indicators_``), and which features this data can support
(``coverage_``). ``fit`` learns peer baselines; ``transform`` applies them to
any later batch without refitting.
"""

from .base import CaseContext, CaseTransformer
from .fees import FeeFeatures
from .handlers import HandlerFeatures
from .timing import TimingFeatures
from .union import INTERACTIONS, CaseFeatures

__all__ = [
    "INTERACTIONS",
    "CaseContext",
    "CaseFeatures",
    "CaseTransformer",
    "FeeFeatures",
    "HandlerFeatures",
    "TimingFeatures",
]
